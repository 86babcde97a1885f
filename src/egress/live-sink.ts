/**
 * Where a live camera's coded streams go (the RTSP server's mounts, the RTSP publisher): its video access
 * units and its audio frames, each stream in order, the two interleaved as they come.
 */
import type { AudioUnit } from '../ingest/audio-unit.js';
import type { H264AccessUnit } from './h264-access-unit.js';

export interface LiveSink {
  /** Hands one access unit on; never blocks (slow receivers drop, they do not hold the writer back). */
  write(au: H264AccessUnit): void;
  /** Hands one audio frame on; never blocks. */
  writeAudio(unit: AudioUnit): void;
  /**
   * Audio frames will come: describe the stream (DESCRIBE, ANNOUNCE) only once their format is known, or
   * after a short wait, so receivers set up the audio track too.
   */
  expectAudio(): void;
  /** Stops the sink and releases its clients or connection. */
  close(): Promise<void>;
}

/** What a camera pipeline emits: video access units and audio frames (isAudioUnit tells them apart). */
export type LiveUnit = H264AccessUnit | AudioUnit;

export function isAudioUnit(unit: LiveUnit): unit is AudioUnit {
  return 'format' in unit;
}
