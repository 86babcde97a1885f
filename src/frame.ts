/**
 * The one frame type every stage passes along. Later stages add fields (`Frame & {faces}`),
 * they never replace the type.
 */

/** Pixel layouts nullcam carries. yuv420p is what H.264 decodes to: keeping it avoids two colour
 * conversions per frame (a third of the bare transcode's CPU at 1080p); rgb24 is for callers that want RGB. */
export type PixelFormat = 'rgb24' | 'yuv420p';

/** A time base or frame rate as an exact fraction. */
export interface Rational {
  readonly num: number;
  readonly den: number;
}

export interface Frame {
  /** Where the frame came from (path or redacted URL). */
  readonly source: string;
  /** 0-based position in decode output order. */
  readonly index: number;
  /** Presentation timestamp in `timeBase` units, zero-based like ffmpeg's CLI makes it. */
  readonly pts: number;
  readonly timeBase: Rational;
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  /** Packed planes, no row padding: rgb24 is w*h*3; yuv420p is Y (w*h) then U, V (ceil(w/2)*ceil(h/2) each). */
  readonly data: Buffer;
}

/** One plane of a frame, with the subsampling that maps frame pixels onto it. */
export interface Plane {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  /** Interleaved channels per pixel (3 for rgb24, 1 for each yuv420p plane). */
  readonly channels: number;
  /** Frame pixels per plane pixel along x and y (2 for yuv420p chroma). */
  readonly subsample: number;
}

/** Bytes a frame of this format and size occupies. */
export function frameByteLength(format: PixelFormat, width: number, height: number): number {
  if (format === 'rgb24') return width * height * 3;
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  return width * height + 2 * cw * ch;
}

/** Views (no copies) of a frame's planes; writing to them writes the frame. */
export function framePlanes(frame: Pick<Frame, 'format' | 'width' | 'height' | 'data'>): Plane[] {
  const { width: w, height: h, data } = frame;
  if (frame.format === 'rgb24') return [{ data, width: w, height: h, channels: 3, subsample: 1 }];
  const cw = Math.ceil(w / 2);
  const ch = Math.ceil(h / 2);
  const ySize = w * h;
  const cSize = cw * ch;
  return [
    { data: data.subarray(0, ySize), width: w, height: h, channels: 1, subsample: 1 },
    { data: data.subarray(ySize, ySize + cSize), width: cw, height: ch, channels: 1, subsample: 2 },
    { data: data.subarray(ySize + cSize, ySize + 2 * cSize), width: cw, height: ch, channels: 1, subsample: 2 },
  ];
}

/** Presentation time in seconds. */
export function frameSeconds(frame: Pick<Frame, 'pts' | 'timeBase'>): number {
  return (frame.pts * frame.timeBase.num) / frame.timeBase.den;
}
