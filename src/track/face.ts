/** What the track stage knows about faces, per frame. */
import type { Frame } from '../frame.js';
import type { Box, Point } from './geometry.js';

/** One detector output in frame pixels. */
export interface Detection {
  readonly box: Box;
  /** Detector confidence in [0,1]. */
  readonly score: number;
  /** Detector keypoints in frame pixels (blazeface: right eye, left eye, nose, mouth, right ear, left ear). */
  readonly keypoints: readonly Point[];
}

/** Why a face box exists on this frame. Everything except 'detected' is the tracker covering a miss. */
export type FaceOrigin = 'detected' | 'predicted' | 'interpolated' | 'extrapolated';

/** A face on one frame, belonging to a track. */
export interface TrackedFace {
  readonly trackId: number;
  /** Box to anonymize, in frame pixels (already dilated by the track stage). */
  readonly box: Box;
  /** Detector score, or the last detected score for boxes the tracker filled in. */
  readonly score: number;
  readonly origin: FaceOrigin;
  /** 468 facemesh points as x,y,z triples in frame pixels, when landmarks ran on this face. */
  readonly landmarks?: Float32Array;
}

export type FaceFrame = Frame & { readonly faces: readonly TrackedFace[] };
