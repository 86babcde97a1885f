import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACE_DETECTOR_MODEL, FaceDetector } from '../../src/track/face-detector.js';
import { iou } from '../../src/track/geometry.js';
import type { ModelRunner } from '../../src/track/model-runner.js';
import type { Detection } from '../../src/track/face.js';
import { openModels, pastedFace, STILLS, stillFrame } from './face-fixtures.js';

let runner: ModelRunner;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ runners: [runner], close } = await openModels(FACE_DETECTOR_MODEL));
});
afterAll(() => close());

/** Counts model calls, to check the tile plan detect() actually runs. */
function counting(inner: ModelRunner): ModelRunner & { calls: number } {
  const r = { ...inner, calls: 0, run: (feeds: Parameters<ModelRunner['run']>[0]) => (r.calls++, inner.run(feeds)) };
  return r;
}

const confident = (ds: Detection[]) => ds.filter((d) => d.score >= 0.6);

describe('FaceDetector on the stills', () => {
  it.each(STILLS)('finds the one face in $file', async ({ file, face }) => {
    const dets = await new FaceDetector(runner).detect(await stillFrame(file));
    const sure = confident(dets);
    expect(sure).toHaveLength(1);
    expect(dets[0]).toBe(sure[0]);
    expect(iou(sure[0].box, face)).toBeGreaterThan(0.5);
  });

  it('puts the keypoints on the face: right eye left of left eye, both above nose and mouth', async () => {
    for (const { file, face } of STILLS) {
      const [d] = await new FaceDetector(runner).detect(await stillFrame(file));
      const [rEye, lEye, nose, mouth] = d.keypoints;
      expect(d.keypoints).toHaveLength(6);
      expect(rEye.x).toBeLessThan(lEye.x);
      expect(Math.max(rEye.y, lEye.y)).toBeLessThan(nose.y);
      expect(nose.y).toBeLessThan(mouth.y);
      for (const p of [rEye, lEye, nose, mouth]) {
        expect(p.x).toBeGreaterThan(face.x);
        expect(p.x).toBeLessThan(face.x + face.width);
      }
    }
  });

  it('samples into shared memory for a runner on another thread (sharedInputs), with the same faces', async () => {
    const seen: boolean[] = [];
    const shared: ModelRunner = { ...runner, sharedInputs: true, run: (feeds) => (seen.push(Object.values(feeds).every((t) => t.data.buffer instanceof SharedArrayBuffer)), runner.run(feeds)) };
    const frame = await stillFrame(STILLS[0].file);
    const want = confident(await new FaceDetector(runner).detect(frame));
    const got = confident(await new FaceDetector(shared).detect(frame));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(Boolean)).toBe(true);
    expect(got).toEqual(want);
  });

  it('gives the same faces on rgb24 and yuv420p frames of one image', async () => {
    for (const { file } of STILLS) {
      const det = new FaceDetector(runner);
      const rgb = confident(await det.detect(await stillFrame(file, 'rgb24')));
      const yuv = confident(await det.detect(await stillFrame(file, 'yuv420p')));
      expect(yuv).toHaveLength(rgb.length);
      rgb.forEach((d, i) => {
        expect(iou(d.box, yuv[i].box)).toBeGreaterThan(0.9);
        expect(Math.abs(d.score - yuv[i].score)).toBeLessThan(0.05);
      });
    }
  });
});

describe('FaceDetector on small faces', () => {
  it('finds a 32 px face pasted into a 1920×1080 frame, which the whole-frame pass alone misses', async () => {
    const { frame, face } = await pastedFace('astronaut.png', 32, 1920, 1080, 1210, 630);
    const hit = (ds: Detection[]) => ds.some((d) => iou(d.box, face) >= 0.4);
    expect(hit(await new FaceDetector(runner, { maxLevels: 1 }).detect(frame))).toBe(false);
    const r = counting(runner);
    const det = new FaceDetector(r);
    expect(hit(await det.detect(frame))).toBe(true);
    expect(r.calls).toBe(det.modelCalls(1920, 1080));
  });

  it('finds a 24 px face in 1080p', async () => {
    const { frame, face } = await pastedFace('grace_hopper_512x512.jpg', 24, 1920, 1080, 300, 200);
    const dets = await new FaceDetector(runner).detect(frame);
    expect(dets.some((d) => iou(d.box, face) >= 0.3)).toBe(true);
  });

  it('with scanPeriod 4 runs a quarter of the fine tiles per call and still finds the face within 4 calls', async () => {
    const { frame, face } = await pastedFace('astronaut.png', 32, 1920, 1080, 1210, 630);
    const r = counting(runner);
    const det = new FaceDetector(r, { scanPeriod: 4 });
    const [whole, ...fine] = det.levels(1920, 1080);
    const fineTiles = fine.reduce((n, l) => n + l.tiles.length, 0);
    let found = 0;
    for (let call = 0; call < 4; call++) {
      r.calls = 0;
      found += (await det.detect(frame)).filter((d) => iou(d.box, face) >= 0.4).length;
      expect(r.calls).toBeLessThanOrEqual(whole.tiles.length + Math.ceil(fineTiles / 4));
    }
    expect(found).toBeGreaterThanOrEqual(1);
  });
});

describe('FaceDetector hints', () => {
  it('finds a small hinted face on every call, even when the fine scan is elsewhere', async () => {
    const { frame, face } = await pastedFace('astronaut.png', 32, 1920, 1080, 1210, 630);
    // A scan period longer than the test: only hint tiles can find the face on most calls.
    const det = new FaceDetector(runner, { scanPeriod: 30 });
    const hint = { x: face.x + 4, y: face.y - 3, width: face.width, height: face.height };
    for (let call = 0; call < 3; call++) expect((await det.detect(frame, [hint])).some((d) => iou(d.box, face) >= 0.4)).toBe(true);
  });

  it('keeps from a hint tile only what overlaps the hint', async () => {
    const { frame, face } = await pastedFace('astronaut.png', 32, 1920, 1080, 1210, 630);
    const det = new FaceDetector(runner, { scanPeriod: 30, maxLevels: 1 });
    // A hint 60 px off: its tile still contains the face, but the face is not what was hinted.
    const off = { x: face.x + 60, y: face.y, width: face.width, height: face.height };
    expect((await det.detect(frame, [off])).some((d) => iou(d.box, face) >= 0.4)).toBe(false);
  });

  it('keeps a scan phase per source: two cameras sharing a detector each get every fine tile', async () => {
    const { frame, face } = await pastedFace('astronaut.png', 32, 1920, 1080, 1210, 630);
    // Interleaved calls: with one shared phase, the camera asked first gets only even phases, and in one
    // of the two orders the face's tile is never scanned for it.
    for (const order of [['cam-a', 'cam-b'], ['cam-b', 'cam-a']]) {
      const det = new FaceDetector(runner, { scanPeriod: 2 });
      let found = false;
      for (let call = 0; call < 2; call++) {
        found ||= (await det.detect({ ...frame, source: order[0] })).some((d) => iou(d.box, face) >= 0.4);
        await det.detect({ ...frame, source: order[1] });
      }
      expect(found).toBe(true);
    }
  });

  it('asks the model again only for tiles whose pixels changed', async () => {
    const { frame } = await pastedFace('astronaut.png', 32, 1920, 1080, 1210, 630);
    const r = counting(runner);
    const det = new FaceDetector(r);
    const first = await det.detect(frame);
    const runs = r.calls;
    r.calls = 0;
    expect(await det.detect(frame)).toEqual(first);
    expect(r.calls).toBe(0);
    const changed = { ...frame, data: Buffer.from(frame.data) };
    changed.data.fill(255, 0, 1920 * 40); // the top 40 rows: the whole-frame tile and the top row of fine tiles
    await det.detect(changed);
    expect(r.calls).toBeGreaterThan(0);
    expect(r.calls).toBeLessThan(runs);
  });
});

describe('FaceDetector hint tiles and the scan', () => {
  it('gives a hinted face no tile of its own when a fine tile scanned in the same call already sees it', async () => {
    const { frame, face } = await pastedFace('astronaut.png', 64, 1920, 1080, 1210, 630);
    const hint = { x: face.x + 4, y: face.y - 3, width: face.width, height: face.height };
    // scanPeriod 1: every fine tile is scanned on every call.
    const all = counting(runner);
    const found = await new FaceDetector(all).detect(frame, [hint]);
    expect(all.calls).toBe(new FaceDetector(runner).modelCalls(1920, 1080));
    expect(found.some((d) => iou(d.box, face) >= 0.4)).toBe(true);
  });
});

describe('FaceDetector options', () => {
  it.each([
    [{ minScore: 0 }, /minScore/],
    [{ minScore: 1 }, /minScore/],
    [{ iouThreshold: 0 }, /iouThreshold/],
    [{ minFaceSize: 0 }, /minFaceSize/],
    [{ faceRange: [20, 10] as const }, /faceRange/],
    [{ scanPeriod: 1.5 }, /scanPeriod/],
  ])('rejects %o', (options, message) => {
    expect(() => new FaceDetector(runner, options)).toThrow(message);
  });
});
