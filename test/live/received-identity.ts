/**
 * The identity check of the live integration tests: a camera loops interview.mp4, and each sampled frame a
 * client received is compared with the original frame it shows (found by luma), face by face, with the
 * identity embedder. A similarity below SAME_PERSON_THRESHOLD means the face no longer matches.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { framePlanes, type Frame } from '../../src/frame.js';
import { decodeFrames } from '../../src/ingest/decode-frames.js';
import { locateFfmpeg } from '../../src/ingest/ffmpeg-binary.js';
import { openInput } from '../../src/ingest/open-input.js';
import type { Detection } from '../../src/track/face.js';
import type { FaceDetector } from '../../src/track/face-detector.js';
import { cosineSimilarity, type FaceEmbedder } from '../../src/track/face-embedder.js';
import { media } from '../fixtures/media.js';
import { openReferenceModels } from '../track/face-fixtures.js';
import type { Received } from './live-fixtures.js';

export class ReceivedIdentity {
  /** Reference detections on original frames, computed when a received frame first matches one. */
  private readonly reference = new Map<number, Detection[]>();

  private constructor(
    private readonly originals: readonly Frame[],
    private readonly detector: FaceDetector,
    private readonly embedder: FaceEmbedder,
    readonly close: () => Promise<void>,
  ) {}

  /** Decodes interview.mp4 and opens the reference detector and embedder. */
  static async open(): Promise<ReceivedIdentity> {
    const { detector, embedder, close } = await openReferenceModels();
    const binary = await locateFfmpeg();
    const originals = await lastValueFrom(decodeFrames(await openInput(media('interview.mp4'), { binary }), { binary }).pipe(toArray()));
    return new ReceivedIdentity(originals, detector, embedder, close);
  }

  /** Identity similarity of each face in `samples` received frames to the original face at the same place. */
  async similarities(received: Received, samples = 8): Promise<number[]> {
    const sims: number[] = [];
    const step = Math.max(1, Math.floor(received.frames.length / samples));
    for (let i = step; i < received.frames.length; i += step) {
      const frame: Frame = { source: 'client', index: i, pts: 0, timeBase: { num: 1, den: 25 }, width: received.width, height: received.height, format: 'yuv420p', data: received.frames[i] };
      const j = this.closestOriginal(frame);
      if (!this.reference.has(j)) this.reference.set(j, await this.detector.detect(this.originals[j]));
      for (const d of this.reference.get(j)!) sims.push(cosineSimilarity(await this.embedder.embed(this.originals[j], d), await this.embedder.embed(frame, d)));
    }
    return sims;
  }

  /** The original frame that looks most like `frame` (luma, every 8th pixel): the camera loops the clip. */
  private closestOriginal(frame: Frame): number {
    const y = framePlanes(frame)[0].data;
    let best = 0, bestErr = Infinity;
    this.originals.forEach((o, j) => {
      const oy = framePlanes(o)[0].data;
      let err = 0;
      for (let k = 0; k < oy.length; k += 8) err += (oy[k] - y[k]) ** 2;
      if (err < bestErr) [best, bestErr] = [j, err];
    });
    return best;
  }
}
