/**
 * The CPU modes: blur, pixelate, solid and mask (the landmark face oval, filled). Strengths scale with
 * the face box, so a small face gets as few recognisable details as a large one.
 */
import type { FaceFrame, TrackedFace } from '../track/face.js';
import type { ClassicMode } from './anonymize-mode.js';
import { faceOvalMask } from './face-oval-mask.js';
import type { Anonymizer } from './anonymizer.js';
import { blurInPlace } from './blur.js';
import { pixelateInPlace } from './pixelate.js';
import { ellipseMask, rectMask, type RegionMask } from './region-mask.js';
import { fillInPlace, type Rgb } from './solid-fill.js';

export type { ClassicMode };

export interface ClassicOptions {
  readonly mode: ClassicMode;
  /** Region covered in blur/pixelate/solid: the ellipse inscribed in the (dilated) box, or the whole box. */
  readonly shape: 'ellipse' | 'rect';
  /** Blur radius as a fraction of the box's longer side. */
  readonly blurStrength: number;
  /** Pixelation blocks across the box's longer side. */
  readonly pixelBlocks: number;
  /** Fill colour for solid, and for mask with maskFill 'solid'. */
  readonly colour: Rgb;
  /** What fills the face oval in mask mode. */
  readonly maskFill: 'blur' | 'solid';
}

export function classicAnonymizer(options: ClassicOptions): Anonymizer {
  const size = (f: TrackedFace): number => Math.max(f.box.width, f.box.height);
  const region = (frame: FaceFrame, face: TrackedFace): RegionMask | undefined => {
    if (options.mode === 'mask') {
      // No landmarks (the mesh found no face in the box): cover the box's ellipse rather than nothing.
      return (face.landmarks && faceOvalMask(face.landmarks, frame.width, frame.height)) ?? ellipseMask(face.box, frame.width, frame.height);
    }
    return (options.shape === 'rect' ? rectMask : ellipseMask)(face.box, frame.width, frame.height);
  };
  return {
    name: options.mode,
    regions: (frame) => frame.faces.map((face) => region(frame, face)),
    anonymizeInPlace(frame) {
      for (const face of frame.faces) {
        const mask = region(frame, face);
        if (!mask) continue;
        const solid = options.mode === 'solid' || (options.mode === 'mask' && options.maskFill === 'solid');
        if (solid) fillInPlace(frame, mask, options.colour);
        else if (options.mode === 'pixelate') pixelateInPlace(frame, mask, size(face) / options.pixelBlocks);
        else blurInPlace(frame, mask, Math.max(2, size(face) * options.blurStrength));
      }
    },
  };
}
