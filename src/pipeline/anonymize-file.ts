/**
 * The file pipeline, top to bottom: decode → track → anonymize → review log → encode. Components come in
 * built (models loaded, config resolved); this file only wires them and owns the flow control.
 */
import { unlink } from 'node:fs/promises';
import { concatMap, defer, finalize, from, identity, Observable, switchMap, tap, type OperatorFunction } from 'rxjs';
import type { Anonymizer } from '../anonymize/anonymizer.js';
import { anonymizeFaces } from '../anonymize/anonymize-faces.js';
import { coverZones, type ZoneFill } from '../anonymize/privacy-zones.js';
import type { EncodeSummary } from '../egress/encoder.js';
import { carryOver, encodeTo } from '../egress/encoder.js';
import type { VideoEncodingOptions } from '../egress/encode-options.js';
import { decodeFrames } from '../ingest/decode-frames.js';
import type { FfmpegBinary } from '../ingest/ffmpeg-binary.js';
import type { ProbedInput } from '../ingest/open-input.js';
import type { ScryptParams } from '../keys/key-derivation.js';
import { keyFingerprint } from '../keys/key-derivation.js';
import { newVideoId, recoveryPathFor } from '../keys/recovery-header.js';
import { RecoveryWriter } from '../keys/recovery-writer.js';
import type { FaceFrame } from '../track/face.js';
import { trackFaces, type FaceAnalyzers, type TrackFacesOptions } from '../track/track-faces.js';
import { captureOriginals, sealOriginals, type CapturedFrame } from './capture-originals.js';
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
  /** Privacy zones filled on every frame after the faces are anonymized (none by default). */
  readonly zones?: ZoneFill;
  /** Called for every frame after it is anonymized (progress, counters). */
  readonly onFrame?: (frame: FaceFrame) => void;
  readonly onDecoderWarning?: (message: string, count: number) => void;
  /** Also write recovery data (`OUTPUT.nullrec`) so `nullcam reveal` can restore the faces with this key. */
  readonly recovery?: RecoveryOptions;
}

export interface RecoveryOptions {
  /** The 256-bit master key (never written anywhere; only its fingerprint is). */
  readonly key: Buffer;
  /** Where it came from: a key file, or a passphrase under these scrypt parameters (stored for reveal). */
  readonly kdf: 'key-file' | ScryptParams;
  /** "nullcam 0.1.0", recorded in the header. */
  readonly createdBy: string;
  /** Called once the recovery file is in place, with its path and size. */
  readonly onWritten?: (path: string, bytes: number) => void;
}

/**
 * @returns a cold Observable emitting one EncodeSummary once the output (and the tracks file) are in
 * place; unsubscribing stops ffmpeg and removes every temp file.
 */
export function anonymizeFile(o: AnonymizeFileOptions): Observable<EncodeSummary> {
  return defer(() => {
    // One engine may serve many videos (nullcam watch): its per-video state starts over with each.
    o.anonymizer.startVideo?.();
    if (!o.recovery) return anonymizeWith(o, undefined);
    // Checked first: a mode that cannot say which pixels it changes cannot write recovery data.
    const capture = captureOriginals(o.anonymizer, o.timer);
    // The recovery file is reserved next: an existing one is refused before any decoding.
    return from(createRecoveryWriter(o, o.recovery)).pipe(switchMap((writer) => anonymizeWith(o, { writer, capture })));
  });
}

function createRecoveryWriter(o: AnonymizeFileOptions, r: RecoveryOptions): Promise<RecoveryWriter> {
  const v = o.input.info.video;
  return RecoveryWriter.create(o.output, o.overwrite, {
    format: 'nullcam-recovery',
    version: 1,
    cipher: 'aes-256-gcm',
    compression: 'med+deflate',
    videoId: newVideoId(),
    video: { width: v.width, height: v.height, format: 'yuv420p', timeBase: v.timeBase ?? { num: 1, den: 1_000_000 } },
    key: { fingerprint: keyFingerprint(r.key), kdf: r.kdf },
    createdBy: r.createdBy,
  }, r.key);
}

function anonymizeWith(o: AnonymizeFileOptions, recovery: { writer: RecoveryWriter; capture: OperatorFunction<FaceFrame, CapturedFrame> } | undefined): Observable<EncodeSummary> {
  const writer = recovery?.writer;
  return defer(() => {
    // Frames alive at once: the look-ahead the track stage holds, plus one in each of decode, anonymize
    // and encode. At 1080p yuv420p (3.1 MB a frame) the default 12 + 4 is ~50 MB, whatever the input length.
    const credit = new Credit(o.track.lookahead + 4);
    const video = o.input.info.video;
    const tracks = o.tracksJson ? new TracksJsonWriter(o.tracksJson, { source: o.input.displayName, width: video.width, height: video.height }) : undefined;
    let finished = false;
    return decodeFrames(o.input, { binary: o.binary, credit, format: 'yuv420p', ...(o.onDecoderWarning ? { onWarning: o.onDecoderWarning } : {}) }).pipe(
      trackFaces(o.analyzers, o.track, o.timer),
      recovery
        ? (frames) => frames.pipe(recovery.capture, anonymizeFaces(o.anonymizer, o.timer), sealOriginals(recovery.writer, o.anonymizer, o.timer))
        : anonymizeFaces(o.anonymizer, o.timer),
      o.zones ? coverZones(o.zones) : identity,
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
        ...carryOver(o.input, o.audio),
        ...(writer ? { companion: writer } : {}),
      }),
      // The review file goes into place only after the video did, and never without it.
      concatMap(async (summary) => {
        await tracks?.finish();
        // A replaced video's old recovery data would no longer fit it.
        if (!writer && o.overwrite) await unlink(recoveryPathFor(summary.output)).catch(() => {});
        if (writer) o.recovery?.onWritten?.(writer.path, writer.size);
        finished = true;
        return summary;
      }),
      finalize(() => {
        if (!finished) tracks?.abort();
      }),
    );
  });
}
