/**
 * The reveal pipeline: decode the anonymized video → paste each opened recovery record's original pixels
 * into its frame (matched by index and checked by timestamp) → encode, audio copied. Records arrive in
 * frame order from the verifier, so memory is bounded as in the anonymize pipeline.
 */
import { concatMap, concatWith, defer, EMPTY, finalize, Observable } from 'rxjs';
import type { EncodeSummary } from '../egress/encoder.js';
import { carryOver, encodeTo, toMicroseconds } from '../egress/encoder.js';
import type { VideoEncodingOptions } from '../egress/encode-options.js';
import { NullcamError } from '../errors.js';
import type { Frame } from '../frame.js';
import { decodeFrames } from '../ingest/decode-frames.js';
import type { FfmpegBinary } from '../ingest/ffmpeg-binary.js';
import type { ProbedInput } from '../ingest/open-input.js';
import type { RecoveryHeader } from '../keys/recovery-header.js';
import type { OpenedRegion } from '../keys/recovery-verifier.js';
import { pasteRegion } from '../keys/region-pixels.js';
import { Credit } from './credit.js';

/** Matroska stores milliseconds: a frame's timestamp may move by up to half of one. */
const PTS_TOLERANCE_US = 1000;

export interface RevealFileOptions {
  readonly binary: FfmpegBinary;
  /** The anonymized video. */
  readonly input: ProbedInput;
  readonly header: RecoveryHeader;
  /** Opened regions in frame order (RecoveryVerifier.openRegions()). */
  readonly regions: AsyncIterable<OpenedRegion>;
  /** Frame count the recovery data says the video has, known once `regions` is exhausted. */
  readonly expectedFrames: () => number | undefined;
  readonly output: string;
  readonly overwrite: boolean;
  readonly video: VideoEncodingOptions;
  readonly audio: boolean;
  /** Called for every frame after its regions are restored. */
  readonly onFrame?: (frame: Frame, restored: number) => void;
}

/** @returns a cold Observable emitting one EncodeSummary once the restored video is in place */
export function revealFile(o: RevealFileOptions): Observable<EncodeSummary> {
  return defer(() => {
    const credit = new Credit(4);
    const iterator = o.regions[Symbol.asyncIterator]();
    let pending: IteratorResult<OpenedRegion> | undefined;
    const peek = async (): Promise<OpenedRegion | undefined> => {
      pending ??= await iterator.next();
      return pending.done ? undefined : pending.value;
    };
    let frames = 0;
    let originUs: number | undefined;
    return decodeFrames(o.input, { binary: o.binary, credit, format: 'yuv420p' }).pipe(
      concatMap(async (frame) => {
        if (frame.width !== o.header.video.width || frame.height !== o.header.video.height) {
          throw new NullcamError(`The recovery data is for a ${o.header.video.width}x${o.header.video.height} video, but ${o.input.displayName} is ${frame.width}x${frame.height}; it was re-encoded or is another video.`);
        }
        frames++;
        let restored = 0;
        const us = toMicroseconds(frame.pts, frame.timeBase);
        originUs ??= us;
        const at = us - originUs;
        for (let r = await peek(); r && r.header.frameIndex === frame.index; r = await peek()) {
          if (Math.abs(at - r.header.ptsUs) > PTS_TOLERANCE_US) {
            throw new NullcamError(
              `The recovery data does not fit ${o.input.displayName}: frame ${frame.index} comes ${seconds(at)} s after the first, its record says ${seconds(r.header.ptsUs)} s; was the video cut or re-encoded?`,
            );
          }
          pasteRegion(frame, r.payload.mask, r.payload.pixels);
          restored++;
          pending = undefined;
        }
        o.onFrame?.(frame, restored);
        return frame;
      }),
      // Before the encoder may commit: every record was used, and the frame counts agree.
      concatWith(
        defer(async () => {
          const left = await peek();
          if (left) throw new NullcamError(`The recovery data has records for frame ${left.header.frameIndex}, but ${o.input.displayName} has ${frames} frames; it was cut or is another video.`);
          const expected = o.expectedFrames();
          if (expected !== undefined && expected !== frames) {
            throw new NullcamError(`The recovery data was written for ${expected} frames, but ${o.input.displayName} has ${frames}; it was cut or is another video.`);
          }
        }).pipe(concatMap(() => EMPTY)),
      ),
      encodeTo({
        binary: o.binary,
        output: o.output,
        credit,
        overwrite: o.overwrite,
        video: o.video,
        ...carryOver(o.input, o.audio),
      }),
      finalize(() => void iterator.return?.()),
    );
  });
}

function seconds(us: number): string {
  return (us / 1e6).toFixed(3);
}
