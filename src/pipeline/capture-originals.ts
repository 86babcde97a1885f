/**
 * The two halves of writing recovery data around the anonymize stage, whatever the mode:
 * `captureOriginals` copies the pixels the anonymizer is about to change (its declared regions, per
 * face), and `sealOriginals` compresses, encrypts and writes them once the frame is anonymized (so a
 * mode's `recoveryExtra` can describe what it did).
 */
import { concatMap, map, type OperatorFunction } from 'rxjs';
import type { Anonymizer } from '../anonymize/anonymizer.js';
import type { RegionMask } from '../anonymize/region-mask.js';
import { NullcamError } from '../errors.js';
import { encodeRegionPayload } from '../keys/region-payload.js';
import { packRegion } from '../keys/region-pixels.js';
import type { RecoveryWriter } from '../keys/recovery-writer.js';
import type { FaceFrame } from '../track/face.js';
import type { StageTimer } from './stage-timer.js';

export interface CapturedRegion {
  readonly faceIndex: number;
  readonly trackId: number;
  readonly mask: RegionMask;
  /** The original pixels under the mask (region-pixels.ts layout). */
  readonly pixels: Buffer;
}

export type CapturedFrame = FaceFrame & { readonly originals: readonly CapturedRegion[] };

/** @throws NullcamError when the mode cannot say which pixels it changes (so it cannot be reversed) */
export function captureOriginals(anonymizer: Anonymizer, timer?: StageTimer): OperatorFunction<FaceFrame, CapturedFrame> {
  const regions = anonymizer.regions?.bind(anonymizer);
  if (!regions) throw new NullcamError(`Mode ${anonymizer.name} cannot write recovery data (it does not declare the pixels it changes); run without --key-file.`, 2);
  return map((frame) => {
    if (frame.faces.length === 0) return { ...frame, originals: [] };
    const t0 = performance.now();
    const masks = regions(frame);
    const originals: CapturedRegion[] = [];
    frame.faces.forEach((face, faceIndex) => {
      const mask = masks[faceIndex];
      if (mask) originals.push({ faceIndex, trackId: face.trackId, mask, pixels: packRegion(frame, mask) });
    });
    timer?.add('recovery', performance.now() - t0);
    return { ...frame, originals };
  });
}

/** Writes every captured region of every frame, in frame order; emits the frame once its records are written. */
export function sealOriginals(writer: RecoveryWriter, anonymizer: Anonymizer, timer?: StageTimer): OperatorFunction<CapturedFrame, FaceFrame> {
  return concatMap(async (frame) => {
    const t0 = performance.now();
    // Compression runs on libuv's pool, all regions of the frame at once.
    const payloads = await Promise.all(
      frame.originals.map((r) => {
        const extra = anonymizer.recoveryExtra?.(frame, r.faceIndex);
        return encodeRegionPayload({ mask: r.mask, pixels: r.pixels, ...(extra ? { extra } : {}) }, frame);
      }),
    );
    for (let k = 0; k < payloads.length; k++) await writer.writeRegion(frame, frame.originals[k].trackId, payloads[k]);
    writer.frameDone(frame);
    timer?.add('recovery', performance.now() - t0);
    const { originals: _, ...rest } = frame;
    return rest;
  });
}
