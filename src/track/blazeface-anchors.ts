/**
 * SSD anchors of the BlazeFace family, as MediaPipe's SsdAnchorsCalculator lays them out with
 * `fixed_anchor_size: true` and offsets 0.5: every anchor is a point (cell centre); the regressors
 * give box size directly. Layers of equal stride are merged, so a layer here is (stride, anchors per cell).
 */

export interface AnchorLayer {
  /** Input pixels per grid cell. */
  readonly stride: number;
  /** Anchors stacked on each cell (all at its centre). */
  readonly perCell: number;
}

export interface BlazeFaceSpec {
  /** Square input side in pixels. */
  readonly inputSize: number;
  readonly layers: readonly AnchorLayer[];
}

/** blazeface-front and facemesh-detection-short (MediaPipe short range): 128², strides 8 (×2) and 16 (×6). */
export const BLAZEFACE_128: BlazeFaceSpec = { inputSize: 128, layers: [{ stride: 8, perCell: 2 }, { stride: 16, perCell: 6 }] };
/** blazeface and blazeface-back (MediaPipe back camera): 256², strides 16 (×2) and 32 (×6). */
export const BLAZEFACE_256: BlazeFaceSpec = { inputSize: 256, layers: [{ stride: 16, perCell: 2 }, { stride: 32, perCell: 6 }] };
/** facemesh-detection-full (MediaPipe full range): 192², stride 4, one anchor per cell. */
export const BLAZEFACE_192_FULL: BlazeFaceSpec = { inputSize: 192, layers: [{ stride: 4, perCell: 1 }] };

/** Anchor centres in input pixels as x,y pairs, in the order the model emits its rows. */
export function blazefaceAnchors(spec: BlazeFaceSpec): Float32Array {
  let count = 0;
  for (const l of spec.layers) count += Math.ceil(spec.inputSize / l.stride) ** 2 * l.perCell;
  const out = new Float32Array(count * 2);
  let k = 0;
  for (const { stride, perCell } of spec.layers) {
    const cells = Math.ceil(spec.inputSize / stride);
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++) {
        for (let n = 0; n < perCell; n++) {
          out[k++] = (gx + 0.5) * stride;
          out[k++] = (gy + 0.5) * stride;
        }
      }
    }
  }
  return out;
}
