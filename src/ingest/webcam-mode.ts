/**
 * The mode a webcam is asked to capture in, written "WIDTHxHEIGHT@FPS:FORMAT" with each part optional
 * ("1280x720@30:mjpeg", "1920x1080", "@15", ":yuyv422"). Without one, ffmpeg takes the device's current size
 * and the first raw format it accepts: on most USB webcams 640x480 YUYV, whatever the camera can do (USB 2
 * carries 720p and above at full rate only as MJPEG).
 */
import type { Rational } from '../frame.js';

export interface WebcamMode {
  readonly width: number | null;
  readonly height: number | null;
  /** Frames per second as ffmpeg reads it: "30", "29.97" or "30000/1001". */
  readonly fps: string | null;
  /** ffmpeg's name of the device's format: mjpeg, yuyv422, h264, nv12, … */
  readonly format: string | null;
}

const MODE = /^(?:(\d{1,5})x(\d{1,5}))?(?:@(\d{1,3}(?:\.\d+)?|\d{1,6}\/\d{1,6}))?(?::([a-z0-9_]+))?$/;

/**
 * @returns the mode, or null for text that is not one
 * @example
 * parseWebcamMode('1280x720@30:mjpeg') // { width: 1280, height: 720, fps: '30', format: 'mjpeg' }
 */
export function parseWebcamMode(text: string): WebcamMode | null {
  const m = MODE.exec(text.trim());
  if (!m || !(m[1] || m[3] || m[4])) return null;
  const [width, height] = m[1] ? [Number(m[1]), Number(m[2])] : [null, null];
  if (width === 0 || height === 0 || (m[3] !== undefined && !isRate(m[3]))) return null;
  return Object.freeze({ width, height, fps: m[3] ?? null, format: m[4] ?? null });
}

function isRate(fps: string): boolean {
  const rate = rateOf(fps);
  return Number.isFinite(rate) && rate > 0;
}

function rateOf(fps: string): number {
  const [num, den = '1'] = fps.split('/');
  return Number(num) / Number(den);
}

/** ffmpeg's v4l2 input options for `mode` (before its `-i`). */
export function webcamInputArgs(mode: WebcamMode | null): string[] {
  if (!mode) return [];
  return [
    ...(mode.width !== null ? ['-video_size', `${mode.width}x${mode.height}`] : []),
    ...(mode.fps !== null ? ['-framerate', mode.fps] : []),
    ...(mode.format !== null ? ['-input_format', mode.format] : []),
  ];
}

/**
 * What a webcam gives instead of the mode asked for, or null when it gives that mode: drivers answer an
 * unsupported size or rate with the nearest they have, and ffmpeg goes on with it.
 * @example
 * webcamModeMismatch(parseWebcamMode('1280x720@30'), 640, 480, { num: 25, den: 1 }) // '640x480 at 25 fps, not the 1280x720 at 30 fps asked for'
 */
export function webcamModeMismatch(mode: WebcamMode | null, width: number, height: number, rate: Rational | null): string | null {
  if (!mode) return null;
  const sizeDiffers = mode.width !== null && (mode.width !== width || mode.height !== height);
  const rateDiffers = mode.fps !== null && rate !== null && Math.abs(rate.num / rate.den - rateOf(mode.fps)) > 0.01;
  if (!sizeDiffers && !rateDiffers) return null;
  const got = `${width}x${height}${rate ? ` at ${round(rate.num / rate.den)} fps` : ''}`;
  const askedRate = mode.fps !== null ? `${round(rateOf(mode.fps))} fps` : '';
  const asked = mode.width !== null ? `${mode.width}x${mode.height}${askedRate && ` at ${askedRate}`}` : askedRate;
  return `${got}, not the ${asked} asked for`;
}

function round(fps: number): number {
  return Math.round(fps * 100) / 100;
}
