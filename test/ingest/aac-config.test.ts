/** AudioSpecificConfig parsing: rates (table and explicit), channels, frame length, explicit SBR/PS, and what it refuses. */
import { describe, expect, it } from 'vitest';
import { parseAacConfig } from '../../src/ingest/aac-config.js';

const asc = (hex: string) => parseAacConfig(Buffer.from(hex, 'hex'));

describe('parseAacConfig', () => {
  it.each([
    ['1188', { objectType: 2, sampleRate: 48000, channels: 1, frameSamples: 1024 }], // AAC-LC 48 kHz mono
    ['118856e500', { objectType: 2, sampleRate: 48000, channels: 1, frameSamples: 1024 }], // ffmpeg's, with the SBR sync extension after
    ['1210', { objectType: 2, sampleRate: 44100, channels: 2, frameSamples: 1024 }],
    ['1214', { objectType: 2, sampleRate: 44100, channels: 2, frameSamples: 960 }], // frameLengthFlag
    ['1590', { objectType: 2, sampleRate: 8000, channels: 2, frameSamples: 1024 }],
    ['17805dc008', { objectType: 2, sampleRate: 48000, channels: 1, frameSamples: 1024 }], // explicit 24-bit rate
    ['2b118800', { objectType: 2, sampleRate: 24000, channels: 2, frameSamples: 1024 }], // HE-AAC (SBR): the core's rate
    ['eb098800', { objectType: 2, sampleRate: 24000, channels: 1, frameSamples: 1024 }], // HE-AAC v2 (PS)
    ['b98c', { objectType: 23, sampleRate: 48000, channels: 1, frameSamples: 480 }], // AAC-LD
  ])('%s', (hex, expected) => {
    expect(asc(hex)).toEqual(expected);
  });

  it.each([
    ['', /too short/],
    ['11', /too short/],
    ['16', /too short/], // index 12 rate but no channel configuration
    ['1688', /invalid sampling frequency index 13/],
    ['1180', /channel configuration 0/],
    ['f94620', /audio object type 42/], // USAC (escaped object type)
  ])('refuses %s', (hex, message) => {
    expect(() => asc(hex)).toThrow(message);
  });
});
