/**
 * Pseudorandom bytes from a secret by a CSPRNG: HKDF-SHA256 (RFC 5869) derives an AES-256 key and counter
 * block for one (domain, context) pair, and AES-256-CTR over zeros expands them. Every derived stream (noise
 * maps, sign-flip keys) is independent of every other context, and knowing one reveals nothing of the secret
 * or of the others. Never Math.random, never a PRNG seeded by a small integer.
 */
import { createCipheriv, hkdfSync } from 'node:crypto';

/**
 * @param secret the input keying material (a 32-byte key file, or a seed's bytes)
 * @param domain what the stream is for, e.g. "nullcam/sign-flip/v1"; used as the HKDF salt
 * @param context which stream of that kind, e.g. "track 3 frame 120"; used as the HKDF info
 * @param byteLength bytes wanted
 */
export function keystream(secret: Uint8Array, domain: string, context: string, byteLength: number): Buffer {
  const okm = Buffer.from(hkdfSync('sha256', secret, Buffer.from(domain, 'utf8'), Buffer.from(context, 'utf8'), 48));
  const cipher = createCipheriv('aes-256-ctr', okm.subarray(0, 32), okm.subarray(32, 48));
  return Buffer.concat([cipher.update(Buffer.alloc(byteLength)), cipher.final()]);
}
