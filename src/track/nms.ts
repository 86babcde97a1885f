/**
 * Weighted non-maximum suppression (MediaPipe's WEIGHTED overlap type): each kept face is the score-weighted
 * mean of the candidates it suppresses. Averaging overlapping anchors and tiles steadies boxes from frame
 * to frame, which the tracker downstream relies on. Pure.
 */
import { iou, type Box } from './geometry.js';

export interface ScoredBox {
  readonly box: Box;
  readonly score: number;
  /** Flat x,y pairs, averaged with the same weights as the box. */
  readonly keypoints: Float32Array;
}

/**
 * @param candidates any order; not modified
 * @param iouThreshold candidates overlapping a kept face by at least this IoU merge into it, in (0,1]
 * @returns kept faces, best score first; each keeps the best score of its cluster
 */
export function weightedNms<T extends ScoredBox>(candidates: readonly T[], iouThreshold: number): ScoredBox[] {
  const order = [...candidates].sort((a, b) => b.score - a.score);
  const used = new Uint8Array(order.length);
  const kept: ScoredBox[] = [];
  for (let i = 0; i < order.length; i++) {
    if (used[i]) continue;
    const top = order[i];
    let wsum = 0, x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    const kp = new Float32Array(top.keypoints.length);
    for (let j = i; j < order.length; j++) {
      if (used[j]) continue;
      const c = order[j];
      if (j !== i && iou(top.box, c.box) < iouThreshold) continue;
      used[j] = 1;
      const w = c.score;
      wsum += w;
      x0 += w * c.box.x;
      y0 += w * c.box.y;
      x1 += w * (c.box.x + c.box.width);
      y1 += w * (c.box.y + c.box.height);
      if (c.keypoints.length === kp.length) for (let k = 0; k < kp.length; k++) kp[k] += w * c.keypoints[k];
      else for (let k = 0; k < kp.length; k++) kp[k] += w * top.keypoints[k];
    }
    for (let k = 0; k < kp.length; k++) kp[k] /= wsum;
    kept.push({
      box: { x: x0 / wsum, y: y0 / wsum, width: (x1 - x0) / wsum, height: (y1 - y0) / wsum },
      score: top.score,
      keypoints: kp,
    });
  }
  return kept;
}
