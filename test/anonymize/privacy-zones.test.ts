import { lastValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { coverZones, parseZones } from '../../src/anonymize/privacy-zones.js';
import { buildConfig } from '../../src/config/load-config.js';
import { framePlanes, type Frame } from '../../src/frame.js';

function grayFrame(width: number, height: number): Frame {
  const data = Buffer.alloc((width * height * 3) / 2, 200);
  return { source: 't', index: 0, pts: 0, timeBase: { num: 1, den: 25 }, width, height, format: 'yuv420p', data };
}

describe('privacy zones', () => {
  it('parse from JSON and from a command-line string, and refuse zones that are empty or leave the frame', () => {
    expect(parseZones([[0, 0, 0.25, 0.5]], 'k')).toEqual([[0, 0, 0.25, 0.5]]);
    expect(parseZones('0,0,0.25,0.5; 0.5,0.5,0.5,0.5', 'k')).toEqual([[0, 0, 0.25, 0.5], [0.5, 0.5, 0.5, 0.5]]);
    expect(parseZones('', 'k')).toEqual([]);
    for (const bad of [[[0, 0, 0, 0.5]], [[0.9, 0, 0.2, 0.5]], [[0, 0, 0.5]], [[0, 0, '0.5', 0.5]], '0,0,,0.5', { x: 0 }]) {
      expect(() => parseZones(bad, 'anonymize.zones')).toThrow(/for anonymize\.zones/);
    }
    expect(buildConfig({}, [['anonymize.zones', '0,0,0.5,0.5']]).anonymize.zones).toEqual([[0, 0, 0.5, 0.5]]);
    expect(buildConfig({ anonymize: { zones: [[0.5, 0, 0.5, 1]] } }, []).anonymize.zones).toEqual([[0.5, 0, 0.5, 1]]);
  });

  it('fill each zone on every plane, rounded outward, and leave every other pixel alone', async () => {
    const frame = grayFrame(64, 48);
    // x 10.24–26.24, y 4.8–14.4 in pixels: columns 10–26 and rows 4–14 are covered.
    const out = await lastValueFrom(of(frame).pipe(coverZones({ zones: [[0.16, 0.1, 0.25, 0.2]], colour: { r: 0, g: 0, b: 0 } })));
    const [y, u] = framePlanes(out);
    for (let row = 0; row < 48; row++) {
      for (let col = 0; col < 64; col++) {
        const inside = col >= 10 && col < 27 && row >= 4 && row < 15;
        expect(y.data[row * 64 + col], `${col},${row}`).toBe(inside ? 16 : 200);
      }
    }
    expect(u.data[2 * 32 + 5]).toBe(128); // chroma of black inside
    expect(u.data[20 * 32 + 30]).toBe(200); // untouched outside
  });

  it('follow a change of frame size (a camera switching resolution): the zones stay where they were in the picture', async () => {
    const frames = [grayFrame(64, 48), grayFrame(32, 24), grayFrame(64, 48)];
    const out: Frame[] = [];
    of(...frames).pipe(coverZones({ zones: [[0.5, 0.5, 0.5, 0.5]], colour: { r: 0, g: 0, b: 0 } })).subscribe((f) => out.push(f));
    expect(out).toHaveLength(3);
    for (const f of out) {
      const [y] = framePlanes(f);
      expect(y.data[(f.height - 1) * f.width + f.width - 1], `${f.width}x${f.height} corner`).toBe(16);
      expect(y.data[(f.height / 2 - 1) * f.width + f.width / 2 - 1], `${f.width}x${f.height} just outside`).toBe(200);
    }
  });
});
