/**
 * 468-point face mesh (MediaPipe facemesh, 192² input in [0,1]) on one face. The crop is a square about
 * the face box, grown by `cropScale` and rotated so the eyes are level when the caller knows where they
 * are (detector keypoints, or the previous frame's mesh via meshKeypoints): facemesh was trained on
 * upright, level faces and its points drift on rolled heads otherwise.
 */
import type { Frame } from '../frame.js';
import type { Box, Point } from './geometry.js';
import { applyAffine, rotatedBoxAffine, sampleRgb, type Affine } from './image-sampler.js';
import { InputBuffers } from '../models/input-buffers.js';
import { runImage, type ModelRunner, type TensorData } from './model-runner.js';
import { invalidParameterError } from '../errors.js';

/** ModelStore name of the landmark model (ships in @vladmandic/human). */
export const FACE_LANDMARK_MODEL = 'facemesh';

export const MESH_POINTS = 468;
const INPUT = 192;

export interface FaceLandmarks {
  /** MESH_POINTS x,y,z triples in frame pixels; z is depth relative to the face centre, same scale as x. */
  readonly points: Float32Array;
  /** facemesh's face-presence probability in [0,1]; below ~0.5 the crop likely holds no face. */
  readonly score: number;
}

/** Where to look: a face box and, optionally, keypoints whose first two are the right and left eye. */
export interface FaceRoi {
  readonly box: Box;
  readonly keypoints?: readonly Point[];
}

export interface FaceLandmarkerOptions {
  /**
   * Crop side as a multiple of the box's larger side. Default 1.5: MediaPipe's detection→ROI scale; it
   * leaves the chin and forehead inside when the detector box is tight (blazeface boxes stop at the brows).
   */
  readonly cropScale: number;
}

export class FaceLandmarker {
  readonly options: Readonly<FaceLandmarkerOptions>;
  private readonly inputs: InputBuffers;

  /**
   * @param runner executes facemesh (TFJS contract: input [1,192,192,3] in [0,1], outputs [1,1404] mesh
   *   and [1,1] face flag)
   * @throws NullcamError when cropScale is not a positive number
   */
  constructor(private readonly runner: ModelRunner, options: Partial<FaceLandmarkerOptions> = {}) {
    this.inputs = new InputBuffers(INPUT * INPUT * 3, runner.sharedInputs);
    const o = { cropScale: 1.5, ...options };
    if (!(o.cropScale > 0)) throw invalidParameterError('cropScale', 'a positive number', o.cropScale);
    this.options = Object.freeze(o);
  }

  /**
   * @param frame rgb24 or yuv420p
   * @param face box in frame pixels; with eye keypoints the crop is rotated to level them
   * @returns mesh points in frame pixels and the face-presence score
   */
  async landmarks(frame: Frame, face: FaceRoi): Promise<FaceLandmarks> {
    const affine = this.cropAffine(face);
    const outputs = await this.inputs.use((input) => runImage(this.runner, sampleRgb(frame, INPUT, INPUT, affine, {}, input), INPUT, INPUT));
    const mesh = byLastDim(outputs, MESH_POINTS * 3);
    const flag = byLastDim(outputs, 1);
    // Mesh z is in input pixels like x and y; the crop's scale maps all three into frame pixels.
    const scale = Math.hypot(affine.a, affine.d);
    const points = new Float32Array(MESH_POINTS * 3);
    for (let i = 0; i < MESH_POINTS; i++) {
      const [x, y] = applyAffine(affine, mesh.data[3 * i], mesh.data[3 * i + 1]);
      points[3 * i] = x;
      points[3 * i + 1] = y;
      points[3 * i + 2] = mesh.data[3 * i + 2] * scale;
    }
    return { points, score: flag.data[0] };
  }

  /** The 192² crop's map into the frame: square, `cropScale` × the box, eyes level when known. */
  cropAffine(face: FaceRoi): Affine {
    return faceCropAffine(face, this.options.cropScale, INPUT);
  }
}

/** Mesh indices of the blazeface keypoints: eye centres (corner midpoints), nose tip, mouth centre, tragions. */
const EYE_CORNERS = { right: [33, 133], left: [362, 263] } as const;
const NOSE_TIP = 1, MOUTH_CENTRE = 13, RIGHT_TRAGION = 234, LEFT_TRAGION = 454;

/**
 * The detector's six keypoints recovered from a mesh, so a tracked face can be re-cropped on the next
 * frame (rotation included) without running the detector.
 * @returns right eye, left eye, nose, mouth, right ear, left ear in frame pixels
 */
export function meshKeypoints(points: Float32Array): Point[] {
  const at = (i: number): Point => ({ x: points[3 * i], y: points[3 * i + 1] });
  const mid = ([a, b]: readonly [number, number]): Point => ({ x: (points[3 * a] + points[3 * b]) / 2, y: (points[3 * a + 1] + points[3 * b + 1]) / 2 });
  return [mid(EYE_CORNERS.right), mid(EYE_CORNERS.left), at(NOSE_TIP), at(MOUTH_CENTRE), at(RIGHT_TRAGION), at(LEFT_TRAGION)];
}

function byLastDim(outputs: readonly TensorData[], size: number): TensorData {
  const t = outputs.find((o) => o.dims[o.dims.length - 1] === size);
  if (!t) throw new Error(`facemesh outputs [${outputs.map((o) => `[${o.dims.join(',')}]`).join(' ')}] have no [..,${size}] tensor`);
  return t;
}

/**
 * A square crop centred on the face box, `cropScale` × its larger side, rotated so the eyes (the first two
 * keypoints, right then left) are level; shared by every model that reads an aligned face.
 * @param size model input side, px
 */
export function faceCropAffine(face: FaceRoi, cropScale: number, size: number): Affine {
  const { box, keypoints } = face;
  const side = Math.max(box.width, box.height) * cropScale;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const angle = keypoints && keypoints.length >= 2 ? Math.atan2(keypoints[1].y - keypoints[0].y, keypoints[1].x - keypoints[0].x) : 0;
  return rotatedBoxAffine({ x: cx - side / 2, y: cy - side / 2, width: side, height: side }, size, size, angle);
}
