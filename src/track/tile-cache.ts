/**
 * Detector results per tile, reused while the tile's pixels stay the same. Static scenes (a CCTV view, an
 * interview's background) make most fine tiles and most false-positive hints repeat frame after frame;
 * the detector is deterministic, so unchanged pixels give unchanged faces and need no model call.
 *
 * "Unchanged" is judged on a dense grid of luma samples (every ~1/48 of the tile side, so a 24 px face
 * entering a 440 px tile moves ~10 samples), with a per-sample tolerance that codec noise stays under
 * and a face does not. Pure.
 */
import type { Frame } from '../frame.js';
import type { Box } from './geometry.js';

/** Samples per tile side. */
const GRID = 48;
/** Largest luma change (0–255) of any sample for a tile to count as unchanged. */
const TOLERANCE = 12;
/**
 * Answers from one detector run before the tile is looked at again anyway: a face whose every sample
 * stays within TOLERANCE of what it covers (a dark or low-contrast scene) is then found at most this many
 * calls late, not never.
 */
const MAX_REUSE = 4;

export class TileCache<T> {
  private readonly entries = new Map<string, { signature: Uint8Array; value: T; reused: number }>();

  /** @param capacity tiles remembered (oldest forgotten first) */
  constructor(private readonly capacity = 512) {}

  /**
   * @returns the stored value when this tile of `frame` looks as it did when stored, else a `miss` to
   * hand back to store() with the value computed for it
   */
  lookup(frame: Frame, tile: Box): { readonly value: T } | { readonly miss: { key: string; signature: Uint8Array } } {
    const key = `${frame.width}x${frame.height}:${tile.x},${tile.y},${tile.width}`;
    const signature = tileSignature(frame, tile);
    const entry = this.entries.get(key);
    if (entry && entry.reused < MAX_REUSE && sameContent(entry.signature, signature)) {
      entry.reused++;
      // Re-insert so eviction is least-recently-used.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return { value: entry.value };
    }
    return { miss: { key, signature } };
  }

  store(miss: { key: string; signature: Uint8Array }, value: T): void {
    this.entries.delete(miss.key);
    this.entries.set(miss.key, { signature: miss.signature, value, reused: 0 });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** Luma at GRID×GRID points spread over the tile (0 outside the frame). */
export function tileSignature(frame: Frame, tile: Box): Uint8Array {
  const out = new Uint8Array(GRID * GRID);
  const { width: w, height: h, data } = frame;
  const rgb = frame.format === 'rgb24';
  for (let j = 0; j < GRID; j++) {
    const y = Math.floor(tile.y + ((j + 0.5) * tile.height) / GRID);
    if (y < 0 || y >= h) continue;
    for (let i = 0; i < GRID; i++) {
      const x = Math.floor(tile.x + ((i + 0.5) * tile.width) / GRID);
      if (x < 0 || x >= w) continue;
      const o = y * w + x;
      out[j * GRID + i] = rgb ? (data[3 * o] + 2 * data[3 * o + 1] + data[3 * o + 2]) >> 2 : data[o];
    }
  }
  return out;
}

export function sameContent(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > TOLERANCE) return false;
  return true;
}
