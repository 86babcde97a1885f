/**
 * Privacy zones: fixed rectangles of the picture (a neighbour's window, a screen, a doorway) covered on
 * every frame whatever the detector finds, as a camera's own privacy masks would. Given as fractions of
 * the frame so one setting fits every resolution of a camera.
 */
import { map, type OperatorFunction } from 'rxjs';
import { invalidParameterError } from '../errors.js';
import type { Frame } from '../frame.js';
import { rectMask, type RegionMask } from './region-mask.js';
import { fillInPlace, type Rgb } from './solid-fill.js';

/** A rectangle as fractions of the frame's width and height (0–1). */
export type PrivacyZone = readonly [x: number, y: number, width: number, height: number];

/** The zones of a pipeline and what fills them. */
export interface ZoneFill {
  readonly zones: readonly PrivacyZone[];
  readonly colour: Rgb;
}

const EXPECTED = 'a list of [x, y, width, height] fractions of the frame (0–1), e.g. [[0, 0, 0.25, 0.2]] or "0,0,0.25,0.2;0.5,0.5,0.1,0.1"';

/**
 * Parses zones from JSON (an array of 4-number arrays) or a command-line string ("x,y,w,h;x,y,w,h").
 * @throws NullcamError naming `key` when a zone is malformed, empty or reaches outside the frame
 */
export function parseZones(value: unknown, key: string): readonly PrivacyZone[] {
  const list = typeof value === 'string' ? value.split(';').filter((z) => z.trim() !== '').map((z) => z.split(',').map((n) => (n.trim() === '' ? NaN : Number(n)))) : value;
  if (!Array.isArray(list)) throw invalidParameterError(key, EXPECTED, value);
  return Object.freeze(
    list.map((zone: unknown): PrivacyZone => {
      const n = Array.isArray(zone) && zone.length === 4 && zone.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1) ? (zone as number[]) : undefined;
      // A zone reaching past the edge is a typo more often than not: refuse it rather than clip it.
      if (!n || n[2] <= 0 || n[3] <= 0 || n[0] + n[2] > 1 + 1e-9 || n[1] + n[3] > 1 + 1e-9) throw invalidParameterError(key, EXPECTED, value);
      return Object.freeze([n[0], n[1], n[2], n[3]] as const);
    }),
  );
}

/** Fills every zone of every frame with `colour`, in place (the frames are the pipeline's own). */
export function coverZones<F extends Frame>({ zones, colour }: ZoneFill): OperatorFunction<F, F> {
  // The masks depend on the frame size only: built again when it changes, not per frame.
  let size = '';
  let masks: RegionMask[] = [];
  return map((frame) => {
    if (size !== `${frame.width}x${frame.height}`) {
      size = `${frame.width}x${frame.height}`;
      // Rounded outward by rectMask: a zone never leaves a sliver of its edge uncovered.
      masks = zones.flatMap(([x, y, width, height]) => rectMask({ x: x * frame.width, y: y * frame.height, width: width * frame.width, height: height * frame.height }, frame.width, frame.height) ?? []);
    }
    for (const mask of masks) fillInPlace(frame, mask, colour);
    return frame;
  });
}
