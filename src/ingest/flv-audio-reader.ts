/**
 * Reads a camera's audio as ffmpeg copies it out in FLV (`-vn -c:a copy -f flv pipe:1`): one coded frame
 * per audio tag, complete the moment its last byte arrives. AAC and G.711 pass through to RTP untouched;
 * any other codec throws UnsupportedAudioError, so the caller can have ffmpeg re-encode to AAC instead.
 * Pure: bytes in, frames out.
 */
import { sameAudioFormat, type AudioFormat } from './audio-unit.js';
import { parseAacConfig, type AacConfig } from './aac-config.js';
import { FlvTagReader, FlvTagType } from './flv-tag-reader.js';

/** SoundFormat, the high 4 bits of an audio tag's first byte (FLV spec §E.4.2.1). */
const SOUND_FORMATS = [
  'linear PCM', 'ADPCM', 'mp3', 'linear PCM (little-endian)', 'Nellymoser 16 kHz', 'Nellymoser 8 kHz', 'Nellymoser', 'G.711 A-law',
  'G.711 µ-law', 'extended audio', 'AAC', 'Speex', 'reserved format 12', 'reserved format 13', 'mp3 8 kHz', 'device-specific audio',
];
const SOUND_AAC = 10;
const SOUND_G711: Record<number, AudioFormat['codec'] | undefined> = { 7: 'pcma', 8: 'pcmu' };
const AAC_SEQUENCE_HEADER = 0;
const AAC_RAW = 1;
/** ffmpeg's FLV muxer takes G.711 at 8 kHz only, and flags it as "5.5 kHz" (the format's special rate). */
const G711_RATE = 8000;

export interface FlvAudioFrame {
  readonly format: AudioFormat;
  /** One AAC access unit (raw), or G.711 bytes (one per sample per channel). */
  readonly data: Buffer;
  /** Decode time from the FLV tag, in ms. */
  readonly ms: number;
  /** Samples per channel in `data`. */
  readonly samples: number;
}

/** The camera's audio cannot be passed through as it is; `codec` names it, e.g. 'mp3'. Re-encoding to AAC can. */
export class UnsupportedAudioError extends Error {
  constructor(readonly codec: string, reason = 'only AAC and G.711 are passed through') {
    super(`camera audio is ${codec}: ${reason}`);
    this.name = 'UnsupportedAudioError';
  }
}

export class FlvAudioReader {
  private readonly tags: FlvTagReader;
  private format: AudioFormat | undefined;
  private frameSamples = 0;

  /** @param what names the stream in errors, e.g. 'audio output' */
  constructor(what = 'audio output') {
    this.tags = new FlvTagReader(what);
  }

  /**
   * @returns the frames completed by this chunk, in order; the same format object while it stays the same
   * @throws UnsupportedAudioError on audio other than AAC and G.711; Error when the bytes are not FLV
   * @example
   * reader.push(chunk) // [{ format: { codec: 'aac', sampleRate: 48000, channels: 1, config }, data, ms: 21, samples: 1024 }]
   */
  push(chunk: Buffer): FlvAudioFrame[] {
    const out: FlvAudioFrame[] = [];
    for (const tag of this.tags.push(chunk)) {
      if (tag.type !== FlvTagType.AUDIO || tag.data.length < 1) continue;
      const soundFormat = tag.data[0] >> 4;
      const g711 = SOUND_G711[soundFormat];
      if (soundFormat === SOUND_AAC) this.aac(tag.data, tag.ms, out);
      else if (g711) this.g711(g711, tag.data, tag.ms, out);
      else throw new UnsupportedAudioError(SOUND_FORMATS[soundFormat]);
    }
    return out;
  }

  private aac(data: Buffer, ms: number, out: FlvAudioFrame[]): void {
    const body = data.subarray(2);
    if (data[1] === AAC_SEQUENCE_HEADER) {
      const asc = aacConfig(body);
      this.frameSamples = asc.frameSamples;
      this.use({ codec: 'aac', sampleRate: asc.sampleRate, channels: asc.channels, config: body });
    } else if (data[1] === AAC_RAW && this.format && body.length) {
      // Raw frames before the sequence header cannot be decoded by anyone: skipped.
      out.push({ format: this.format, data: body, ms, samples: this.frameSamples });
    }
  }

  /**
   * The stereo bit is taken as written, though ffmpeg's FLV muxer (5.x) never sets it for G.711: two
   * channels copied into FLV come out read as one (ffmpeg's own FLV demuxer reads them so too).
   */
  private g711(codec: AudioFormat['codec'], data: Buffer, ms: number, out: FlvAudioFrame[]): void {
    const channels = data[0] & 0x01 ? 2 : 1;
    const body = data.subarray(1);
    this.use({ codec, sampleRate: G711_RATE, channels });
    out.push({ format: this.format!, data: body, ms, samples: body.length / channels });
  }

  /** Keeps the current format object when nothing changed, so callers can compare by identity. */
  private use(format: AudioFormat): void {
    if (!this.format || !sameAudioFormat(this.format, format)) this.format = format;
  }
}

/** A config this cannot read (a program config element, a non-AAC object type) is re-encoded, not failed. */
function aacConfig(asc: Buffer): AacConfig {
  try {
    return parseAacConfig(asc);
  } catch (error) {
    throw new UnsupportedAudioError('AAC', (error as Error).message);
  }
}
