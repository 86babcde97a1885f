/** Annex-B byte stream → access units, whatever the chunking. */
import { describe, expect, it } from 'vitest';
import { AnnexBParser } from '../../src/egress/annexb-parser.js';
import { nalType } from '../../src/egress/h264-access-unit.js';
import { tempDir } from '../fixtures/media.js';
import { makeH264Clip, readAccessUnits } from './rtsp-fixtures.js';
import { readFileSync } from 'node:fs';

const sc4 = Buffer.from([0, 0, 0, 1]);
const sc3 = Buffer.from([0, 0, 1]);
const aud = Buffer.from([0x09, 0xf0]);
const sps = Buffer.from([0x67, 0x42, 0x00, 0x1e, 0xab]);
const pps = Buffer.from([0x68, 0xce, 0x38, 0x80]);
// first_mb_in_slice = 0 is the bit 1 at the top of the byte after the header; 0x40 starts a later slice.
const idr = (first: boolean): Buffer => Buffer.from([0x65, first ? 0x88 : 0x40, 0x00, 0x00, 0x03, 0x00, 0x01]);
const p = Buffer.from([0x41, 0x9a, 0x01, 0x02]);

describe('AnnexBParser', () => {
  it('splits at AUDs and at a new first slice, keeps 3- and 4-byte start codes apart from the data', () => {
    const stream = Buffer.concat([sc4, aud, sc4, sps, sc3, pps, sc3, idr(true), sc3, idr(false), Buffer.from([0, 0]), sc4, p, sc3, p]);
    const parser = new AnnexBParser({ frameRate: 30 });
    const aus = [...parser.push(stream), ...parser.flush()];
    expect(aus).toEqual([
      { nalus: [sps, pps, idr(true), idr(false)], pts90k: 0, keyframe: true },
      { nalus: [p], pts90k: 3000, keyframe: false },
      { nalus: [p], pts90k: 6000, keyframe: false },
    ]);
  });

  it('gives the same access units whatever the chunk size', () => {
    const tmp = tempDir();
    try {
      const file = makeH264Clip(tmp.dir, 0.4);
      const whole = readAccessUnits(file);
      expect(whole).toHaveLength(10);
      expect(whole.map((a) => a.keyframe)).toEqual([true, ...Array(9).fill(false)]);
      expect(whole[0].nalus.map(nalType).slice(0, 2)).toEqual([7, 8]);
      const bytes = readFileSync(file);
      for (const size of [1, 7, 4096]) {
        const parser = new AnnexBParser();
        const aus = [];
        for (let at = 0; at < bytes.length; at += size) aus.push(...parser.push(bytes.subarray(at, at + size)));
        aus.push(...parser.flush());
        expect(aus).toEqual(whole);
      }
    } finally {
      tmp.remove();
    }
  });
});
