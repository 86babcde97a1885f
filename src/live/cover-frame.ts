/**
 * The fail-closed picture: a frame entirely black. Used when faces cannot be known (the detector is late or
 * failed, a stage threw) and while a camera is away: nothing of the raw frame survives.
 */
import { frameByteLength, type Frame } from '../frame.js';
import type { FaceFrame } from '../track/face.js';

/** Black in limited-range YUV (what H.264 decoders show as black); rgb24 is all zeros. */
const BLACK_Y = 16;
const NEUTRAL_CHROMA = 128;

/** Overwrites every pixel of `frame` with black. @returns the frame, with no faces */
export function coverInPlace(frame: Frame): FaceFrame {
  if (frame.format === 'rgb24') frame.data.fill(0);
  else {
    const luma = frame.width * frame.height;
    frame.data.fill(BLACK_Y, 0, luma);
    frame.data.fill(NEUTRAL_CHROMA, luma);
  }
  return { ...frame, faces: [] };
}

/** A new black buffer of the frame's size and format (for frames that have no source picture at all). */
export function blackData(frame: Pick<Frame, 'format' | 'width' | 'height'>): Buffer {
  const data = Buffer.alloc(frameByteLength(frame.format, frame.width, frame.height));
  coverInPlace({ ...frame, data, source: '', index: 0, pts: 0, timeBase: { num: 1, den: 1 } });
  return data;
}
