/** What every anonymization method offers the pipeline: change the faces of one frame, in place. */
import type { FaceFrame } from '../track/face.js';

export interface Anonymizer {
  /** Short name for logs and summaries ("blur", "nullface", ...). */
  readonly name: string;
  /** Rewrites every face of `frame` in place. Async so batched model calls (diffusion) fit the same slot. */
  anonymizeInPlace(frame: FaceFrame): void | Promise<void>;
  /**
   * What the method recorded about each face of an anonymized frame, by track id, for the review file
   * (--tracks-json); the diffusion modes record how each face was warped and which keyframe it shows.
   */
  faceNotes?(frame: FaceFrame): ReadonlyMap<number, object> | undefined;
  dispose?(): Promise<void>;
}
