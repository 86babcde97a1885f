/**
 * The file pipeline, top to bottom: decode → track → anonymize → review log → encode. Components come in
 * built (models loaded, config resolved); this file only wires them and owns the flow control.
 */
import { concatMap, defer, finalize, Observable, tap } from 'rxjs';
import type { Anonymizer } from '../anonymize/anonymizer.js';
import { anonymizeFaces } from '../anonymize/anonymize-faces.js';
import type { EncodeSummary } from '../egress/encoder.js';
import { encodeTo } from '../egress/encoder.js';
import type { VideoEncodingOptions } from '../egress/encode-options.js';
import { decodeFrames } from '../ingest/decode-frames.js';
import type { FfmpegBinary } from '../ingest/ffmpeg-binary.js';
import type { ProbedInput } from '../ingest/open-input.js';
import type { FaceFrame } from '../track/face.js';
import { trackFaces, type FaceAnalyzers, type TrackFacesOptions } from '../track/track-faces.js';
import { Credit } from './credit.js';
import type { StageTimer } from './stage-timer.js';
import { TracksJsonWriter } from './tracks-json-writer.js';

export interface AnonymizeFileOptions {
  readonly binary: FfmpegBinary;
  readonly input: ProbedInput;
  readonly output: string;
  readonly overwrite: boolean;
  readonly analyzers: FaceAnalyzers;
  readonly anonymizer: Anonymizer;
  readonly track: TrackFacesOptions;
  readonly video: VideoEncodingOptions;
  /** Copy the input's audio streams (default) or drop them. */
  readonly audio: boolean;
  readonly tracksJson?: string;
  readonly timer?: StageTimer;
  /** Called for every frame after it is anonymized (progress, counters). */
  readonly onFrame?: (frame: FaceFrame) => void;
  readonly onDecoderWarning?: (message: string, count: number) => void;
}

/**
 * @returns a cold Observable emitting one EncodeSummary once the output (and the tracks file) are in
 * place; unsubscribing stops ffmpeg and removes every temp file.
 */
export function anonymizeFile(o: AnonymizeFileOptions): Observable<EncodeSummary> {
  return defer(() => {
    // Frames alive at once: the look-ahead the track stage holds, plus one in each of decode, anonymize
    // and encode. At 1080p yuv420p (3.1 MB a frame) the default 12 + 4 is ~50 MB, whatever the input length.
    const credit = new Credit(o.track.lookahead + 4);
    const video = o.input.info.video;
    const tracks = o.tracksJson ? new TracksJsonWriter(o.tracksJson, { source: o.input.displayName, width: video.width, height: video.height }) : undefined;
    let finished = false;
    return decodeFrames(o.input, { binary: o.binary, credit, format: 'yuv420p', ...(o.onDecoderWarning ? { onWarning: o.onDecoderWarning } : {}) }).pipe(
      trackFaces(o.analyzers, o.track, o.timer),
      anonymizeFaces(o.anonymizer, o.timer),
      tap((frame) => o.onFrame?.(frame)),
      concatMap(async (frame) => {
        await tracks?.write(frame, o.anonymizer.faceNotes?.(frame));
        return frame;
      }),
      encodeTo({
        binary: o.binary,
        output: o.output,
        credit,
        overwrite: o.overwrite,
        video: o.video,
        // Without the original, no stream but ours is muxed: that is how audio is dropped.
        ...(o.audio ? { original: o.input } : { frameRate: video.frameRate, color: video.color }),
      }),
      // The review file goes into place only after the video did, and never without it.
      concatMap(async (summary) => {
        await tracks?.finish();
        finished = true;
        return summary;
      }),
      finalize(() => {
        if (!finished) tracks?.abort();
      }),
    );
  });
}
