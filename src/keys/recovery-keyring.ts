/** Which records a reveal may open, and with which keys: all of them (master key), or one track's. */
import { indexKey, trackKey } from './key-derivation.js';

export interface RecoveryKeyring {
  /** The key for this track's records; undefined for tracks this reveal leaves alone. */
  keyFor(trackId: number): Buffer | undefined;
  /** The end record's key; only the master key has it. */
  readonly indexKey?: Buffer;
  /** The one track this keyring opens, if it is limited to one. */
  readonly onlyTrack?: number;
}

/** @param onlyTrack restrict the reveal to one track (nullcam reveal --track) */
export function masterKeyring(master: Buffer, videoFingerprint: Buffer, onlyTrack?: number): RecoveryKeyring {
  const keys = new Map<number, Buffer>();
  return {
    keyFor(trackId) {
      if (onlyTrack !== undefined && trackId !== onlyTrack) return undefined;
      let key = keys.get(trackId);
      if (!key) keys.set(trackId, (key = trackKey(master, videoFingerprint, trackId)));
      return key;
    },
    ...(onlyTrack === undefined ? { indexKey: indexKey(master, videoFingerprint) } : { onlyTrack }),
  };
}

/** A per-track key (nullcam keys export) used for `trackId`. */
export function trackKeyring(trackId: number, key: Buffer): RecoveryKeyring {
  return { keyFor: (id) => (id === trackId ? key : undefined), onlyTrack: trackId };
}
