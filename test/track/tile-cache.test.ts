import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/frame.js';
import { TileCache } from '../../src/track/tile-cache.js';

const W = 200, H = 100;
function frame(paint?: (x: number, y: number) => number): Frame {
  const data = Buffer.alloc((W * H * 3) / 2, 128);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = paint ? paint(x, y) : (x + y) % 200;
  return { source: 't', index: 0, pts: 0, timeBase: { num: 1, den: 25 }, width: W, height: H, format: 'yuv420p', data };
}
const tile = { x: 0, y: 0, width: 96, height: 96 };

function cached(cache: TileCache<string>, f: Frame): string | undefined {
  const r = cache.lookup(f, tile);
  return 'value' in r ? r.value : (cache.store(r.miss, `v${f.data[0]}`), undefined);
}

describe('TileCache', () => {
  it('answers a tile whose pixels are unchanged, within codec-noise tolerance', () => {
    const cache = new TileCache<string>();
    expect(cached(cache, frame())).toBeUndefined();
    expect(cached(cache, frame((x, y) => ((x + y) % 200) + ((x * 7 + y) % 9) - 4))).toBe('v0');
  });

  it('misses once a face-sized patch appears in the tile', () => {
    const cache = new TileCache<string>();
    cached(cache, frame());
    // 12×12 px of bright content: about 6×6 of the 48×48 signature samples at this tile size.
    expect(cached(cache, frame((x, y) => (x >= 40 && x < 52 && y >= 40 && y < 52 ? 255 : (x + y) % 200)))).toBeUndefined();
  });

  it('ignores changes outside the tile', () => {
    const cache = new TileCache<string>();
    cached(cache, frame());
    expect(cached(cache, frame((x, y) => (x >= 150 ? 255 : (x + y) % 200)))).toBe('v0');
  });

  it('looks again after a few answers, so a face too faint to change the signature is found late, not never', () => {
    const cache = new TileCache<string>();
    const f = frame();
    cached(cache, f);
    let answered = 0;
    while (cached(cache, f) !== undefined) answered++;
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThanOrEqual(4);
  });

  it('forgets the least recently used tile past its capacity', () => {
    const cache = new TileCache<string>(1);
    const f = frame();
    const other = { ...tile, x: 100 };
    const miss = cache.lookup(f, other);
    if ('miss' in miss) cache.store(miss.miss, 'other');
    cached(cache, f);
    expect('miss' in cache.lookup(f, other)).toBe(true);
  });
});
