/**
 * Camera audio out of ffmpeg's FLV: AAC and G.711 frames with their format, time and sample count, read
 * from real ffmpeg output in pipe-sized chunks; other codecs refused with UnsupportedAudioError.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FlvTagType } from '../../src/ingest/flv-tag-reader.js';
import { FlvAudioReader, UnsupportedAudioError, type FlvAudioFrame } from '../../src/ingest/flv-audio-reader.js';
import { chunks, flvBytes, interviewAudioFlv as flvAudio } from '../fixtures/flv.js';
import { media } from '../fixtures/media.js';

const readAll = (bytes: Buffer, chunkSize = 1000): FlvAudioFrame[] => {
  const reader = new FlvAudioReader();
  return chunks(bytes, chunkSize).flatMap((c) => reader.push(c));
};

const hasEncoder = (name: string): boolean => execFileSync('ffmpeg', ['-hide_banner', '-encoders']).toString().includes(` ${name} `);

describe('FlvAudioReader on ffmpeg output', () => {
  it('reads copied AAC: one frame per packet, the config from the sequence header, ms a frame apart', () => {
    const frames = readAll(flvAudio(['-c:a', 'copy']));
    const packets = Number(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', media('interview.mp4')]).toString());
    expect(frames).toHaveLength(packets);
    const [{ format }] = frames;
    expect(format).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 1 });
    expect(format.config).toEqual(Buffer.from('118856e500', 'hex')); // AAC-LC 48 kHz mono, then the SBR sync extension
    expect(frames.every((f) => f.format === format && f.samples === 1024 && f.data.length > 0)).toBe(true);
    const steps = frames.slice(1).map((f, i) => f.ms - frames[i].ms);
    expect(Math.min(...steps)).toBeGreaterThanOrEqual(21);
    expect(Math.max(...steps)).toBeLessThanOrEqual(22);
  });

  it('reads G.711 A-law at 8 kHz, every sample counted', () => {
    const frames = readAll(flvAudio(['-c:a', 'pcm_alaw', '-ar', '8000', '-ac', '1']), 777);
    expect(frames[0].format).toEqual({ codec: 'pcma', sampleRate: 8000, channels: 1 });
    expect(frames.every((f) => f.format === frames[0].format && f.samples === f.data.length)).toBe(true);
    expect(Math.abs(frames.reduce((n, f) => n + f.samples, 0) - 8 * 8000)).toBeLessThan(8000 * 0.05);
    expect(frames.slice(1).every((f, i) => f.ms > frames[i].ms)).toBe(true);
  });

  it('reads G.711 µ-law', () => {
    const [frame] = readAll(flvAudio(['-c:a', 'pcm_mulaw', '-ar', '8000', '-ac', '1', '-t', '1']));
    expect(frame.format).toEqual({ codec: 'pcmu', sampleRate: 8000, channels: 1 });
  });

  it.runIf(hasEncoder('libmp3lame'))('refuses mp3, naming it', () => {
    const bytes = flvAudio(['-c:a', 'libmp3lame', '-t', '1']);
    expect(() => readAll(bytes)).toThrow(UnsupportedAudioError);
    expect(() => readAll(bytes)).toThrow('camera audio is mp3');
  });
});

describe('FlvAudioReader on hand-made tags', () => {
  const audio = (ms: number, ...bytes: number[]) => ({ type: FlvTagType.AUDIO, ms, data: Buffer.from(bytes) });

  it('skips raw AAC before the config and other tags, and keeps the format object until the config changes', () => {
    const frames = readAll(flvBytes([
      audio(0, 0xaf, 1, 0x21, 0x10),
      { type: FlvTagType.VIDEO, ms: 0, data: Buffer.from([0x17, 0, 0, 0, 0]) },
      audio(0, 0xaf, 0, 0x11, 0x88),
      audio(0, 0xaf, 1, 0x21, 0x11),
      audio(21, 0xaf, 0, 0x11, 0x88), // the same config again
      audio(21, 0xaf, 1, 0x21, 0x12),
      audio(42, 0xaf, 0, 0x11, 0x90), // now stereo
      audio(42, 0xaf, 1, 0x21, 0x13),
    ]), 5);
    expect(frames.map((f) => [f.data.toString('hex'), f.ms, f.samples])).toEqual([['2111', 0, 1024], ['2112', 21, 1024], ['2113', 42, 1024]]);
    expect(frames[1].format).toBe(frames[0].format);
    expect(frames[2].format).toEqual({ codec: 'aac', sampleRate: 48000, channels: 2, config: Buffer.from('1190', 'hex') });
  });

  it('counts samples per channel when the stereo bit is set', () => {
    const [frame] = readAll(flvBytes([audio(0, 0x73, 1, 2, 3, 4, 5, 6)]));
    expect(frame).toMatchObject({ format: { codec: 'pcma', sampleRate: 8000, channels: 2 }, samples: 3 });
  });

  it('refuses an AAC config it cannot read as unsupported (to be re-encoded), not as broken input', () => {
    // Channel configuration 0: the layout is in a program config element.
    expect(() => readAll(flvBytes([audio(0, 0xaf, 0, 0x11, 0x80)]))).toThrow(
      expect.objectContaining({ name: 'UnsupportedAudioError', codec: 'AAC', message: expect.stringContaining('channel configuration 0') }),
    );
  });

  it('refuses Speex, naming it', () => {
    expect(() => readAll(flvBytes([audio(0, 0xb2, 0)]))).toThrow('camera audio is Speex');
  });
});
