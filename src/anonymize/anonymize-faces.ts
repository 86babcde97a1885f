/** The anonymize stage: every face of every frame through one anonymizer, frames in order. */
import { concatMap, type OperatorFunction } from 'rxjs';
import type { StageTimer } from '../pipeline/stage-timer.js';
import type { FaceFrame } from '../track/face.js';
import type { Anonymizer } from './anonymizer.js';

/** Generic in the frame type, so fields earlier stages added ride through. */
export function anonymizeFaces<F extends FaceFrame>(anonymizer: Anonymizer, timer?: StageTimer): OperatorFunction<F, F> {
  // concatMap keeps order and runs one frame at a time; the pipeline's Credit bounds its queue.
  return concatMap(async (frame) => {
    if (frame.faces.length === 0) return frame;
    const t0 = performance.now();
    await anonymizer.anonymizeInPlace(frame);
    timer?.add('anonymize', performance.now() - t0);
    return frame;
  });
}
