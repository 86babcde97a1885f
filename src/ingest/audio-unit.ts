/**
 * A camera's audio as the live egress carries it: coded frames copied from the camera (AAC, G.711) or
 * re-encoded to AAC, each with its time on the video's 90 kHz timeline, so RTP can carry both tracks in sync.
 */

export type AudioCodec = 'aac' | 'pcma' | 'pcmu';

export interface AudioFormat {
  readonly codec: AudioCodec;
  /** Samples per second per channel: also the track's RTP clock rate (RFC 3640 §4.1, RFC 3551 §4.5.14). */
  readonly sampleRate: number;
  readonly channels: number;
  /** AAC only: the AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1), the SDP's `config=`. */
  readonly config?: Buffer;
}

export interface AudioUnit {
  readonly format: AudioFormat;
  /** One AAC access unit (raw, no ADTS header), or G.711 bytes (one per sample per channel). */
  readonly data: Buffer;
  /** Presentation time on the 90 kHz video clock (may be fractional: sample-exact). */
  readonly pts90k: number;
  /** Samples per channel in `data` (1024 for AAC-LC). */
  readonly samples: number;
}

/** Same codec, rate, channels and config: a receiver set up for one can play the other. */
export function sameAudioFormat(a: AudioFormat, b: AudioFormat): boolean {
  return a.codec === b.codec && a.sampleRate === b.sampleRate && a.channels === b.channels && (a.config?.equals(b.config ?? Buffer.alloc(0)) ?? b.config === undefined);
}
