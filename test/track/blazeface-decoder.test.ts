import { describe, expect, it } from 'vitest';
import { BLAZEFACE_128, BLAZEFACE_192_FULL, BLAZEFACE_256, blazefaceAnchors } from '../../src/track/blazeface-anchors.js';
import { BlazeFaceDecoder } from '../../src/track/blazeface-decoder.js';

describe('blazefaceAnchors', () => {
  it('lays out 896 anchors for the 128² and 256² models and 2304 for full range, cell centres in input px', () => {
    expect(blazefaceAnchors(BLAZEFACE_128).length / 2).toBe(896);
    expect(blazefaceAnchors(BLAZEFACE_256).length / 2).toBe(896);
    const full = blazefaceAnchors(BLAZEFACE_192_FULL);
    expect(full.length / 2).toBe(2304);
    expect([full[0], full[1]]).toEqual([2, 2]);
    const back = blazefaceAnchors(BLAZEFACE_256);
    // Row 512 is the first anchor of the stride-32 layer.
    expect([back[0], back[1], back[2], back[3], back[1024], back[1025]]).toEqual([8, 8, 8, 8, 16, 16]);
  });
});

describe('BlazeFaceDecoder', () => {
  /** blazeface's four-tensor layout: [1,512,1] [1,384,1] scores and [1,512,16] [1,384,16] regressors. */
  function outputs(row: number, logit: number, reg: number[]) {
    const s512 = new Float32Array(512).fill(-50), s384 = new Float32Array(384).fill(-50);
    const b512 = new Float32Array(512 * 16), b384 = new Float32Array(384 * 16);
    if (row < 512) (s512[row] = logit), b512.set(reg, row * 16);
    else (s384[row - 512] = logit), b384.set(reg, (row - 512) * 16);
    // Shuffled order: the decoder goes by shape, not position.
    return [
      { data: b384, dims: [1, 384, 16] },
      { data: s512, dims: [1, 512, 1] },
      { data: s384, dims: [1, 384, 1] },
      { data: b512, dims: [1, 512, 16] },
    ];
  }

  it('adds anchor offsets to centre and keypoints and takes sizes as they are', () => {
    const reg = [1, -2, 40, 50, -3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0];
    const [face, ...rest] = new BlazeFaceDecoder(BLAZEFACE_256).decode(outputs(512, 2, reg), 0.5);
    expect(rest).toHaveLength(0);
    // anchor (16,16): centre (17,14), 40×50
    expect([face.x0, face.y0, face.x1, face.y1]).toEqual([-3, -11, 37, 39]);
    expect(Array.from(face.keypoints.slice(0, 4))).toEqual([13, 20, 21, 22]);
    expect(face.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
  });

  it('drops anchors below minScore and reads the one-tensor [1,n,17] layout', () => {
    const n = 2304, data = new Float32Array(n * 17);
    for (let i = 0; i < n; i++) data[i * 17] = -10;
    data[5 * 17] = 0.1; // sigmoid 0.525
    data.set([0, 0, 8, 8], 5 * 17 + 1);
    const dec = new BlazeFaceDecoder(BLAZEFACE_192_FULL);
    expect(dec.decode([{ data, dims: [1, n, 17] }], 0.5)).toHaveLength(1);
    expect(dec.decode([{ data, dims: [1, n, 17] }], 0.6)).toHaveLength(0);
  });

  it('names the shapes it got when they do not fit the spec', () => {
    expect(() => new BlazeFaceDecoder(BLAZEFACE_256).decode([{ data: new Float32Array(10), dims: [1, 10] }], 0.5)).toThrow(/\[1,10\].*256²/);
  });
});
