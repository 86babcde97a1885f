/**
 * Standard normal samples from a keyed CSPRNG stream (keystream.ts) by the Box–Muller transform: the
 * per-track noise NullFace's inversion draws, made reproducible (the authors' torch.randn_like is unseeded)
 * and independent across tracks.
 */
import { keystream } from './keystream.js';

const DOMAIN = 'nullcam/gaussian-noise/v1';
const TWO_32 = 2 ** 32;

/**
 * @param seed secret or seed bytes; the same seed and context always give the same samples
 * @param context which stream, e.g. "track 3"
 * @param count samples wanted
 * @returns `count` independent N(0, 1) samples
 */
export function gaussianNoise(seed: Uint8Array, context: string, count: number): Float32Array {
  const pairs = Math.ceil(count / 2);
  const bytes = keystream(seed, DOMAIN, context, pairs * 8);
  const out = new Float32Array(pairs * 2);
  for (let p = 0; p < pairs; p++) {
    // u1 in (0, 1] so the log is finite; u2 in [0, 1).
    const u1 = (bytes.readUInt32LE(8 * p) + 1) / TWO_32;
    const u2 = bytes.readUInt32LE(8 * p + 4) / TWO_32;
    const r = Math.sqrt(-2 * Math.log(u1));
    out[2 * p] = r * Math.cos(2 * Math.PI * u2);
    out[2 * p + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out.subarray(0, count);
}
