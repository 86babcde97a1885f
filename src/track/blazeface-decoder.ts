/**
 * Turns raw BlazeFace-family outputs into candidate faces in model-input pixels. Each anchor row is
 * [logit, cx, cy, w, h, kx0, ky0, … kx5, ky5]; centre and keypoints are offsets from the anchor, sizes are
 * absolute, all in input pixels (MediaPipe's x/y/w/h_scale = input size, which cancels out).
 */
import type { TensorData } from './model-runner.js';
import { blazefaceAnchors, type BlazeFaceSpec } from './blazeface-anchors.js';

/** A candidate in model-input pixels. */
export interface RawFace {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  readonly score: number;
  /** 6 keypoints as x,y pairs: right eye, left eye, nose, mouth, right ear, left ear (subject's sides). */
  readonly keypoints: Float32Array;
}

const ROW = 17;
/** MediaPipe clips logits to ±100 before the sigmoid; the 256² models emit magnitudes near 1000. */
const LOGIT_CLIP = 100;

export class BlazeFaceDecoder {
  private readonly anchors: Float32Array;
  private readonly layerRows: number[];
  /** One call's rows in anchor order: decode is synchronous, so every call reuses them (a live detection decodes several tiles). */
  private readonly logits: Float32Array;
  private readonly regressors: Float32Array;

  constructor(readonly spec: BlazeFaceSpec) {
    this.anchors = blazefaceAnchors(spec);
    this.layerRows = spec.layers.map((l) => Math.ceil(spec.inputSize / l.stride) ** 2 * l.perCell);
    this.logits = new Float32Array(this.anchors.length / 2);
    this.regressors = new Float32Array((this.anchors.length / 2) * 16);
  }

  /**
   * @param outputs every output of one model call (batch 1), in any order
   * @param minScore candidates below this sigmoid score are dropped, in [0,1)
   * @returns candidates, unsorted and not suppressed
   * @throws when the outputs do not fit the spec's anchor layout
   */
  decode(outputs: readonly TensorData[], minScore: number): RawFace[] {
    const rows = this.rows(outputs);
    const n = this.anchors.length / 2;
    const minLogit = Math.log(minScore / (1 - minScore));
    const faces: RawFace[] = [];
    for (let i = 0; i < n; i++) {
      const logit = rows.logits[i];
      if (!(logit >= minLogit)) continue;
      const r = rows.regressors, o = i * 16;
      const ax = this.anchors[2 * i], ay = this.anchors[2 * i + 1];
      const cx = ax + r[o], cy = ay + r[o + 1], w = r[o + 2], h = r[o + 3];
      if (!(w > 0 && h > 0)) continue;
      const keypoints = new Float32Array(12);
      for (let k = 0; k < 6; k++) {
        keypoints[2 * k] = ax + r[o + 4 + 2 * k];
        keypoints[2 * k + 1] = ay + r[o + 5 + 2 * k];
      }
      const clipped = Math.max(-LOGIT_CLIP, Math.min(LOGIT_CLIP, logit));
      faces.push({ x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2, score: 1 / (1 + Math.exp(-clipped)), keypoints });
    }
    return faces;
  }

  /** Gathers logits and regressors in anchor order from either output layout the family uses. */
  private rows(outputs: readonly TensorData[]): { logits: Float32Array; regressors: Float32Array } {
    const n = this.anchors.length / 2;
    const last = (t: TensorData) => t.dims[t.dims.length - 1];
    const count = (t: TensorData) => t.data.length / last(t);
    const { logits, regressors } = this;
    // facemesh-detection-*: one [1, n, 17] tensor per head; the first is the face head.
    const combined = outputs.find((t) => last(t) === ROW && count(t) === n);
    if (combined) {
      for (let i = 0; i < n; i++) {
        logits[i] = combined.data[i * ROW];
        regressors.set(combined.data.subarray(i * ROW + 1, i * ROW + ROW), i * 16);
      }
      return { logits, regressors };
    }
    // blazeface*: separate [1, k, 1] score and [1, k, 16] box tensors per anchor layer.
    let at = 0;
    for (const k of this.layerRows) {
      const s = outputs.find((t) => last(t) === 1 && count(t) === k);
      const b = outputs.find((t) => last(t) === 16 && count(t) === k);
      if (!s || !b) {
        const shapes = outputs.map((t) => `[${t.dims.join(',')}]`).join(' ');
        throw new Error(`BlazeFace outputs ${shapes} do not match ${this.spec.inputSize}² anchors (${this.layerRows.join('+')} rows)`);
      }
      logits.set(s.data, at);
      regressors.set(b.data, at * 16);
      at += k;
    }
    return { logits, regressors };
  }
}
