import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACE_DETECTOR_MODEL, FaceDetector } from '../../src/track/face-detector.js';
import { FACE_LANDMARK_MODEL, FaceLandmarker, MESH_POINTS, meshKeypoints, type FaceLandmarks } from '../../src/track/face-landmarks.js';
import { dilateBox, type Box } from '../../src/track/geometry.js';
import type { Detection } from '../../src/track/face.js';
import type { ModelRunner } from '../../src/track/model-runner.js';
import { openModels, readRgb, rgbFrame, STILLS, stillFrame } from './face-fixtures.js';

let detector: FaceDetector;
let landmarker: FaceLandmarker;
let meshRunner: ModelRunner;
let close: () => Promise<void>;

beforeAll(async () => {
  const opened = await openModels(FACE_DETECTOR_MODEL, FACE_LANDMARK_MODEL);
  detector = new FaceDetector(opened.runners[0]);
  meshRunner = opened.runners[1];
  landmarker = new FaceLandmarker(meshRunner);
  close = opened.close;
});
afterAll(() => close());

const pt = (l: FaceLandmarks, i: number) => ({ x: l.points[3 * i], y: l.points[3 * i + 1] });
const mean = (l: FaceLandmarks, idx: number[]) => {
  const ps = idx.map((i) => pt(l, i));
  return { x: ps.reduce((a, p) => a + p.x, 0) / ps.length, y: ps.reduce((a, p) => a + p.y, 0) / ps.length };
};
const RIGHT_EYE = [33, 133], LEFT_EYE = [362, 263], MOUTH = [13, 14], NOSE_TIP = [1];

function fractionInside(l: FaceLandmarks, box: Box): number {
  let n = 0;
  for (let i = 0; i < MESH_POINTS; i++) {
    const { x, y } = pt(l, i);
    if (x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height) n++;
  }
  return n / MESH_POINTS;
}

describe('FaceLandmarker on the stills', () => {
  it.each(STILLS)('puts the mesh on the face in $file, eyes above nose above mouth', async ({ file, face }) => {
    const frame = await stillFrame(file);
    const [det] = await detector.detect(frame);
    const l = await landmarker.landmarks(frame, det);
    expect(l.points).toHaveLength(MESH_POINTS * 3);
    expect(l.score).toBeGreaterThan(0.9);
    // The mesh spans forehead to chin and ear to ear: inside the hand-marked box grown by a quarter.
    expect(fractionInside(l, dilateBox(face, 0.25))).toBeGreaterThan(0.97);
    const rEye = mean(l, RIGHT_EYE), lEye = mean(l, LEFT_EYE), nose = mean(l, NOSE_TIP), mouth = mean(l, MOUTH);
    expect(rEye.x).toBeLessThan(lEye.x);
    expect(Math.max(rEye.y, lEye.y)).toBeLessThan(nose.y);
    expect(nose.y).toBeLessThan(mouth.y);
    // Mesh eyes agree with the detector's eye keypoints to a tenth of the face.
    const [mr, ml] = meshKeypoints(l.points);
    expect(Math.hypot(mr.x - det.keypoints[0].x, mr.y - det.keypoints[0].y)).toBeLessThan(face.width / 10);
    expect(Math.hypot(ml.x - det.keypoints[1].x, ml.y - det.keypoints[1].y)).toBeLessThan(face.width / 10);
  });

  it('gives (nearly) the same mesh on rgb24 and yuv420p', async () => {
    const rgb = await stillFrame('astronaut.png', 'rgb24');
    const yuv = await stillFrame('astronaut.png', 'yuv420p');
    const [det] = await detector.detect(rgb);
    const a = await landmarker.landmarks(rgb, det), b = await landmarker.landmarks(yuv, det);
    let d = 0;
    for (let i = 0; i < MESH_POINTS; i++) d += Math.hypot(a.points[3 * i] - b.points[3 * i], a.points[3 * i + 1] - b.points[3 * i + 1]);
    expect(d / MESH_POINTS).toBeLessThan(1);
  });

  it('scores a crop without a face low', async () => {
    const frame = await stillFrame('astronaut.png');
    const l = await landmarker.landmarks(frame, { box: { x: 360, y: 380, width: 100, height: 100 } });
    expect(l.score).toBeLessThan(0.5);
  });
});

describe('FaceLandmarker on a rolled head', () => {
  /** Eye-line angle in degrees, image coordinates (y down): positive = the left eye lower. */
  const eyeAngle = (l: FaceLandmarks) => {
    const r = mean(l, RIGHT_EYE), e = mean(l, LEFT_EYE);
    return (Math.atan2(e.y - r.y, e.x - r.x) * 180) / Math.PI;
  };

  it('follows a 35° roll when the detector keypoints level the crop', async () => {
    // sharp rotates clockwise on screen: the eye line tilts by +35° in image coordinates.
    const frame = rgbFrame(await readRgb('grace_hopper_512x512.jpg', (img) => img.rotate(35, { background: '#808080' })));
    const [det] = await detector.detect(frame);
    const levelled = await landmarker.landmarks(frame, det);
    expect(levelled.score).toBeGreaterThan(0.9);
    expect(eyeAngle(levelled)).toBeGreaterThan(27);
    expect(eyeAngle(levelled)).toBeLessThan(43);
    // Mouth below the eyes along the face's own vertical axis.
    const eyes = mean(levelled, [...RIGHT_EYE, ...LEFT_EYE]), mouth = mean(levelled, MOUTH);
    const a = (35 * Math.PI) / 180;
    expect(-(mouth.x - eyes.x) * Math.sin(a) + (mouth.y - eyes.y) * Math.cos(a)).toBeGreaterThan(0);
  });

  it('re-crops from its own mesh: meshKeypoints as the next ROI reproduces the mesh', async () => {
    const frame = rgbFrame(await readRgb('grace_hopper_512x512.jpg', (img) => img.rotate(35, { background: '#808080' })));
    const [det] = await detector.detect(frame);
    const first = await landmarker.landmarks(frame, det);
    const roi: Detection = { box: det.box, score: det.score, keypoints: meshKeypoints(first.points) };
    const second = await landmarker.landmarks(frame, roi);
    let d = 0;
    for (let i = 0; i < MESH_POINTS; i++) d += Math.hypot(first.points[3 * i] - second.points[3 * i], first.points[3 * i + 1] - second.points[3 * i + 1]);
    expect(d / MESH_POINTS).toBeLessThan(det.box.width / 25);
  });
});

describe('FaceLandmarker options', () => {
  it('rejects a non-positive crop scale', () => {
    expect(() => new FaceLandmarker(meshRunner, { cropScale: 0 })).toThrow(/cropScale/);
  });
});
