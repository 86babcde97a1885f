import { describe, expect, it } from 'vitest';
import { frameByteLength, framePlanes, type Frame, type PixelFormat } from '../../src/frame.js';
import { blurInPlace } from '../../src/anonymize/blur.js';
import { pixelateInPlace } from '../../src/anonymize/pixelate.js';
import { ellipseMask, maskContains, planeMask, rectMask } from '../../src/anonymize/region-mask.js';
import { fillInPlace, rgbToYuv } from '../../src/anonymize/solid-fill.js';

function noiseFrame(format: PixelFormat, width = 65, height = 49): Frame {
  const data = Buffer.alloc(frameByteLength(format, width, height));
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    data[i] = s >> 23;
  }
  return { source: 'noise', index: 0, pts: 0, timeBase: { num: 1, den: 25 }, width, height, format, data };
}

const box = { x: 10.4, y: 8.2, width: 30, height: 24 };

describe.each(['rgb24', 'yuv420p'] as const)('region ops on %s', (format) => {
  const ops = {
    blur: (f: Frame, m: ReturnType<typeof rectMask>) => blurInPlace(f, m!, 6),
    pixelate: (f: Frame, m: ReturnType<typeof rectMask>) => pixelateInPlace(f, m!, 8),
    fill: (f: Frame, m: ReturnType<typeof rectMask>) => fillInPlace(f, m!, { r: 0, g: 0, b: 0 }),
  };
  it.each(Object.keys(ops) as Array<keyof typeof ops>)('%s changes pixels inside the mask and none outside', (name) => {
    const frame = noiseFrame(format);
    const before = Buffer.from(frame.data);
    const mask = ellipseMask(box, frame.width, frame.height)!;
    ops[name](frame, mask);
    const planes = framePlanes(frame), orig = framePlanes({ ...frame, data: before });
    planes.forEach((p, k) => {
      const m = planeMask(mask, p);
      let changedInside = 0, insideCount = 0;
      for (let y = 0; y < p.height; y++) {
        for (let x = 0; x < p.width; x++) {
          const inside = x >= m.x && x < m.x + m.width && y >= m.y && y < m.y + m.height && maskContains(m, x, y);
          for (let c = 0; c < p.channels; c++) {
            const i = (y * p.width + x) * p.channels + c;
            if (!inside) expect(p.data[i]).toBe(orig[k].data[i]);
            else {
              insideCount++;
              if (p.data[i] !== orig[k].data[i]) changedInside++;
            }
          }
        }
      }
      // Noise has no structure: nearly every covered sample must change.
      expect(changedInside / insideCount).toBeGreaterThan(0.8);
    });
  });

  it('blur flattens noise (variance drops by > 10x inside the region)', () => {
    const frame = noiseFrame(format);
    const mask = rectMask(box, frame.width, frame.height)!;
    const variance = () => {
      const p = framePlanes(frame)[0];
      const v: number[] = [];
      for (let y = 14; y < 26; y++) for (let x = 16; x < 34; x++) v.push(p.data[(y * p.width + x) * p.channels]);
      const mean = v.reduce((a, b) => a + b) / v.length;
      return v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    };
    const before = variance();
    blurInPlace(frame, mask, 6);
    expect(variance()).toBeLessThan(before / 10);
  });
});

describe('masks', () => {
  it('ellipse is inside its box and covers the centre', () => {
    const m = ellipseMask({ x: 0, y: 0, width: 10, height: 10 }, 20, 20)!;
    expect(maskContains(m, 5, 5)).toBe(true);
    expect(maskContains(m, 0, 0)).toBe(false);
  });
  it('clips to the frame and vanishes outside it', () => {
    expect(rectMask({ x: -5, y: -5, width: 10, height: 10 }, 20, 20)).toMatchObject({ x: 0, y: 0, width: 5, height: 5 });
    expect(rectMask({ x: 30, y: 0, width: 10, height: 10 }, 20, 20)).toBeUndefined();
  });
  it('a chroma pixel is covered when any of its luma pixels is', () => {
    const m = rectMask({ x: 3, y: 3, width: 1, height: 1 }, 8, 8)!;
    const c = planeMask(m, { subsample: 2, width: 4, height: 4 });
    expect(c).toMatchObject({ x: 1, y: 1, width: 1, height: 1 });
    expect(Array.from(c.spans)).toEqual([0, 1]);
  });
  it('black in YUV is limited-range (16,128,128)', () => {
    expect(rgbToYuv({ r: 0, g: 0, b: 0 })).toEqual([16, 128, 128]);
    expect(rgbToYuv({ r: 255, g: 255, b: 255 })).toEqual([235, 128, 128]);
  });
});
