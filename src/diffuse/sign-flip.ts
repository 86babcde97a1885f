/**
 * The secure method's key injection (Labarbarie et al., flip_anonymizer.py:236): inside the mask M, every
 * entry of z_T is multiplied by a secret ±1 key K,
 *
 *   z_T ← M⊙(K⊙z_T) + (1−M)⊙z_T.
 *
 * A sign-flipped standard Gaussian is still a standard Gaussian, so the flipped latent regenerates another
 * plausible face. The key is a full, unmasked ±1 field and the mask enters only here: a key pre-multiplied
 * by M would zero entries wherever a later mask grew past M (seed-methods.md §1.8). Pure.
 */
import { hkdfSync } from 'node:crypto';
import { keystream } from './keystream.js';

const DOMAIN = 'nullcam/sign-flip/v1';

/** Bytes of a video's key salt. */
export const VIDEO_SALT_BYTES = 16;

/**
 * The secret one video's flip keys derive from: HKDF-SHA256(master, salt). Each video draws a fresh random
 * salt (recorded beside it: it is not secret), so two videos under the same master key never share a flip
 * key, and one known original face of a track says nothing about the same track id's key in another video.
 * @param master the 32-byte master key
 * @returns 32 bytes, the `secret` of signFlipKey
 */
export function videoFlipSecret(master: Uint8Array, salt: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', master, salt, Buffer.from(`${DOMAIN}/video`, 'utf8'), 32));
}

/** Which face-frame a key belongs to; both go into the derivation, so keys never repeat across them. */
export interface SignKeyId {
  readonly track: number;
  readonly frame: number;
}

/**
 * K ∈ {−1, +1}^count, one bit of an HKDF + AES-256-CTR stream per entry (never a seeded PRNG).
 * @param secret the 32-byte secret the key derives from (a video's: videoFlipSecret)
 * @param count latent entries (channels × height × width)
 */
export function signFlipKey(secret: Uint8Array, id: SignKeyId, count: number): Int8Array {
  const bytes = keystream(secret, DOMAIN, `track ${id.track} frame ${id.frame}`, Math.ceil(count / 8));
  const key = new Int8Array(count);
  for (let i = 0; i < count; i++) key[i] = (bytes[i >> 3] >> (i & 7)) & 1 ? -1 : 1;
  return key;
}

/**
 * M⊙(K⊙z) + (1−M)⊙z. Its own inverse: K⊙K = 1, so flipping again with the same key and mask gives z back
 * bit for bit (negation is exact in floating point).
 * @param z latent, C×H×W
 * @param key ±1 per entry of z
 * @param mask H×W, 1 inside the face (shared by every channel)
 * @returns a new latent
 */
export function signFlip(z: Float32Array, key: Int8Array, mask: Uint8Array): Float32Array {
  const out = new Float32Array(z);
  const hw = mask.length;
  for (let i = 0; i < z.length; i++) if (mask[i % hw] && key[i] < 0) out[i] = -z[i];
  return out;
}
