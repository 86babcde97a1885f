/** What every anonymization method offers the pipeline: change the faces of one frame, in place. */
import type { FaceFrame } from '../track/face.js';
import type { RegionMask } from './region-mask.js';

export interface Anonymizer {
  /** Short name for logs and summaries ("blur", "nullface", ...). */
  readonly name: string;
  /** Rewrites every face of `frame` in place. Async so batched model calls (diffusion) fit the same slot. */
  anonymizeInPlace(frame: FaceFrame): void | Promise<void>;
  /**
   * A new video starts (each run of the file pipeline calls it first): a method that keeps state between
   * frames drops it here, since track ids and frame indexes restart with every video.
   */
  startVideo?(): void;
  /**
   * What the method recorded about each face of an anonymized frame, by track id, for the review file
   * (--tracks-json); the diffusion modes record how each face was warped and which keyframe it shows.
   */
  faceNotes?(frame: FaceFrame): ReadonlyMap<number, object> | undefined;
  /**
   * The pixels anonymizeInPlace will change, one mask per face in `frame.faces` order (undefined: that face
   * changes nothing), called before it (calls for the next frames may come in between). Recovery data (--key-file) stores exactly these pixels, so a
   * mode that changes any pixel outside them cannot be made reversible; modes without it cannot write
   * recovery data at all.
   */
  regions?(frame: FaceFrame): ReadonlyArray<RegionMask | undefined>;
  /**
   * Opaque bytes stored, encrypted, with face `faceIndex`'s recovery record (e.g. a warp and mask), called
   * just after anonymizeInPlace.
   */
  recoveryExtra?(frame: FaceFrame, faceIndex: number): Uint8Array | undefined;
  dispose?(): Promise<void>;
}
