/**
 * The per-track engine on synthetic frames with a fake JS bundle (fake-bundle.ts): alignment, batching,
 * caching, blending and the fail-closed paths. Random/analytic models: plumbing only, not image quality.
 */
import { describe, expect, it } from 'vitest';
import type { Anonymizer } from '../../src/anonymize/anonymizer.js';
import { DiffusionAnonymizer, type DiffusionAnonymizerOptions } from '../../src/diffuse/diffusion-anonymizer.js';
import { maskContains, planeMask, type RegionMask } from '../../src/anonymize/region-mask.js';
import { frameByteLength, framePlanes } from '../../src/frame.js';
import type { FaceFrame, TrackedFace } from '../../src/track/face.js';
import { FACE_REGIONS } from '../../src/track/face-regions.js';
import { MESH_POINTS } from '../../src/track/face-landmarks.js';
import { fakeBundle } from './fake-bundle.js';

const W = 128, H = 96;

/** A mesh with the oval on an ellipse and the five alignment points where a frontal face has them. */
function syntheticMesh(cx: number, cy: number, s = 1): Float32Array {
  const p = new Float32Array(MESH_POINTS * 3);
  const set = (i: number, x: number, y: number): void => {
    p[3 * i] = cx + x * s;
    p[3 * i + 1] = cy + y * s;
  };
  for (let i = 0; i < MESH_POINTS; i++) set(i, 0, 0);
  const oval = FACE_REGIONS.faceOval;
  oval.forEach((idx, k) => {
    const t = -Math.PI / 2 + (2 * Math.PI * k) / oval.length;
    set(idx, 18 * Math.cos(t), 24 * Math.sin(t));
  });
  set(33, -13, -6), set(133, -7, -6), set(362, 7, -6), set(263, 13, -6);
  set(1, 0, 3), set(61, -8, 12), set(291, 8, 12);
  return p;
}

function syntheticFrame(index: number, faces: TrackedFace[]): FaceFrame {
  const data = Buffer.alloc(frameByteLength('yuv420p', W, H));
  for (let i = 0; i < W * H; i++) data[i] = 40 + ((i % W) + Math.floor(i / W)) % 160;
  data.fill(128, W * H);
  return { source: 'synthetic', index, pts: index, timeBase: { num: 1, den: 25 }, width: W, height: H, format: 'yuv420p', data, faces };
}

function face(trackId: number, cx: number, cy: number, withMesh = true): TrackedFace {
  return { trackId, box: { x: cx - 24, y: cy - 30, width: 48, height: 60 }, score: 0.9, origin: 'detected', ...(withMesh ? { landmarks: syntheticMesh(cx, cy) } : {}) };
}

/** Marks the faces it is given (Y = 0 over the box) and remembers them. */
function markingFallback(): Anonymizer & { seen: number[] } {
  const seen: number[] = [];
  return {
    name: 'mark',
    seen,
    anonymizeInPlace(frame) {
      for (const f of frame.faces) {
        seen.push(f.trackId);
        for (let y = Math.max(0, Math.floor(f.box.y)); y < Math.min(H, f.box.y + f.box.height); y++) frame.data.fill(0, y * W + Math.max(0, Math.floor(f.box.x)), y * W + Math.min(W, Math.ceil(f.box.x + f.box.width)));
      }
    },
  };
}

const BASE: Omit<DiffusionAnonymizerOptions, 'fallback'> = {
  method: 'nullface',
  steps: 20,
  tSkip: 14,
  lambdaCfg: 10,
  lambdaId: 1,
  maskDelay: 2,
  keyframeInterval: 4,
  maxBatch: 16,
  seed: new Uint8Array([1, 2, 3]),
  secret: new Uint8Array(32).fill(9),
  // A fixed salt, so runs compare bit for bit; the engine's own default draws a random one per video.
  videoSalt: () => new Uint8Array(16).fill(3),
};

/** Every changed byte of `frame` (luma and chroma) lies inside one of `regions` (or its chroma projection). */
function expectChangesInside(frame: FaceFrame, before: Buffer, regions: ReadonlyArray<RegionMask | undefined>): number {
  const [Y, U] = framePlanes(frame);
  const declared = regions.filter((r): r is RegionMask => r !== undefined);
  const chroma = declared.map((r) => planeMask(r, U));
  let changed = 0, outside = 0;
  for (let i = 0; i < frame.data.length; i++) {
    if (frame.data[i] === before[i]) continue;
    changed++;
    const luma = i < W * H;
    const j = luma ? i : (i - W * H) % (U.width * U.height);
    const x = j % (luma ? Y.width : U.width), y = Math.floor(j / (luma ? Y.width : U.width));
    if (!(luma ? declared : chroma).some((r) => maskContains(r, x, y))) outside++;
  }
  expect(outside).toBe(0);
  return changed;
}

/** Runs `frames` through `engine`, returning each frame's notes. */
async function notesOf(engine: DiffusionAnonymizer, frames: FaceFrame[]) {
  const notes = [];
  for (const f of frames) {
    await engine.anonymizeInPlace(f);
    notes.push(engine.faceNotes(f));
  }
  return notes;
}

async function run(options: Partial<DiffusionAnonymizerOptions>, frames: FaceFrame[], bundle = fakeBundle()) {
  const fallback = markingFallback();
  const engine = new DiffusionAnonymizer(bundle, { ...BASE, fallback, ...options });
  for (const f of frames) await engine.anonymizeInPlace(f);
  return { engine, fallback, frames };
}

describe('DiffusionAnonymizer (fake JS bundle: plumbing, not image quality)', () => {
  it.each(['nullface', 'secure'] as const)('%s changes the face region only, and counts evaluations per keyframe', async (method) => {
    const input = syntheticFrame(0, [face(1, 40, 48), face(2, 90, 50)]);
    const original = Buffer.from(input.data);
    const frames = [input, ...Array.from({ length: 7 }, (_, i) => syntheticFrame(i + 1, [face(1, 40 + i, 48), face(2, 90, 50)]))];
    const { engine, fallback } = await run({ method }, frames);
    const s = engine.stats();
    expect(fallback.seen).toEqual([]);
    expect(s.faceFrames).toBe(16);
    expect(s.keyframes).toBe(4); // frames 0 and 4, both tracks
    // nullface: 6 inversion + 2·6 − 1 sampling evaluations; secure: 20 inversion + 20 sampling
    const perKeyframe = method === 'nullface' ? 6 + 11 : 40;
    expect(s.unetEvaluations).toBe(4 * perKeyframe);
    let changedFar = 0, changedFace = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const d = input.data[y * W + x] !== original[y * W + x];
        const nearFace = Math.hypot((x - 40) / 24, (y - 48) / 30) < 1.3 || Math.hypot((x - 90) / 24, (y - 50) / 30) < 1.3;
        if (d && !nearFace) changedFar++;
        if (d && Math.hypot(x - 40, y - 48) < 10) changedFace++;
      }
    }
    expect(changedFar).toBe(0);
    expect(changedFace).toBeGreaterThan(200);
  });

  it('notes per face what reversing needs: warp, keyframe shown, fade, and on keyframes the latent mask and key frame', async () => {
    const frames = Array.from({ length: 6 }, (_, i) => syntheticFrame(i, [face(1, 40 + i, 48)]));
    const fallback = markingFallback();
    const engine = new DiffusionAnonymizer(fakeBundle(), { ...BASE, method: 'secure', fallback });
    const notes = [];
    for (const f of frames) {
      await engine.anonymizeInPlace(f);
      notes.push(engine.faceNotes(f)?.get(1));
    }
    expect(notes[0]).toMatchObject({ align: 'mesh', keyframe: 0, keyFrame: 0, keySalt: '03'.repeat(16) });
    expect(Buffer.from(notes[0]!.latentMask!, 'base64')).toHaveLength(2); // 4×4 latent → 16 bits
    expect(notes[0]!.warp).toHaveLength(6);
    expect(notes[1]).toEqual({ align: 'mesh', warp: expect.any(Array), keyframe: 0 });
    // Keyframe 4 fades in from keyframe 0 over 2 frames.
    expect(notes[4]).toMatchObject({ keyframe: 4, fadeFrom: 0, fade: 0.5, keyFrame: 0 });
    expect(notes[5]).toMatchObject({ keyframe: 4 });
    expect(notes[5]).not.toHaveProperty('fade');
    expect(engine.faceNotes(frames[0])).toBeUndefined(); // handed out once
  });

  it('keyframes of tracks that start off-phase join the shared phase', async () => {
    const frames = Array.from({ length: 13 }, (_, i) => syntheticFrame(i, i >= 3 ? [face(1, 40, 48), face(2, 90, 50)] : [face(1, 40, 48)]));
    const fallback = markingFallback();
    const engine = new DiffusionAnonymizer(fakeBundle(), { ...BASE, fallback });
    const keyframes: string[] = [];
    for (const f of frames) {
      await engine.anonymizeInPlace(f);
      for (const [track, note] of engine.faceNotes(f) ?? []) if ((note as { latentMask?: string }).latentMask) keyframes.push(`${track}@${f.index}`);
    }
    expect(keyframes).toEqual(['1@0', '2@3', '1@4', '1@8', '2@8', '1@12', '2@12']);
  });

  it.each([
    ['diffusion', fakeBundle()],
    ['the fallback after a failed pass', fakeBundle({ predictor: { latent: { channels: 4, height: 4, width: 4 }, predictNoise: () => Promise.reject(new Error('x')) } })],
  ])('regions() declares every pixel that %s changes (luma and chroma)', async (_name, bundle) => {
    const engine = new DiffusionAnonymizer(bundle, { ...BASE, fallback: markingFallback() });
    const frame = syntheticFrame(0, [face(1, 40, 48), face(2, 90, 50, false)]);
    const before = Buffer.from(frame.data);
    const regions = engine.regions(frame);
    expect(regions.every((r) => r !== undefined)).toBe(true);
    await engine.anonymizeInPlace(frame);
    expect(expectChangesInside(frame, before, regions)).toBeGreaterThan(500);
  });

  it('regions() of the next frame may come first (recovery capture): each frame still changes only what was declared for it', async () => {
    const engine = new DiffusionAnonymizer(fakeBundle(), { ...BASE, fallback: markingFallback() });
    const frames = [syntheticFrame(0, [face(1, 40, 48)]), syntheticFrame(1, [face(1, 52, 52)])];
    const before = frames.map((f) => Buffer.from(f.data));
    const regions = frames.map((f) => engine.regions(f));
    for (const f of frames) await engine.anonymizeInPlace(f);
    frames.forEach((f, i) => expect(expectChangesInside(f, before[i], regions[i])).toBeGreaterThan(500));
  });

  it('never takes another frame\'s preparation for this one, even at the same index (a new video, an abandoned frame)', async () => {
    const engine = new DiffusionAnonymizer(fakeBundle(), { ...BASE, fallback: markingFallback() });
    engine.regions(syntheticFrame(0, [face(1, 40, 48)])); // never anonymized: its run was stopped
    const frame = syntheticFrame(0, [face(1, 90, 50)]);
    const before = Buffer.from(frame.data);
    const regions = engine.regions(frame);
    await engine.anonymizeInPlace(frame);
    expect(expectChangesInside(frame, before, regions)).toBeGreaterThan(500);
    let nearFace = 0;
    for (let y = 40; y < 60; y++) for (let x = 80; x < 100; x++) if (frame.data[y * W + x] !== before[y * W + x]) nearFace++;
    expect(nearFace).toBeGreaterThan(300);
  });

  it.each(['nullface', 'secure'] as const)('%s: startVideo() drops every track: a second video comes out as from a fresh engine', async (method) => {
    const first = Array.from({ length: 6 }, (_, i) => syntheticFrame(i, [face(1, 40 + i, 48), face(2, 90, 50)]));
    const second = () => Array.from({ length: 6 }, (_, i) => syntheticFrame(i, [face(1, 88 - i, 50)]));
    const reused = new DiffusionAnonymizer(fakeBundle(), { ...BASE, method, fallback: markingFallback() });
    await notesOf(reused, first);
    reused.startVideo();
    const [a, b] = [second(), second()];
    const fresh = new DiffusionAnonymizer(fakeBundle(), { ...BASE, method, fallback: markingFallback() });
    const [notesA, notesB] = [await notesOf(reused, a), await notesOf(fresh, b)];
    expect(notesA).toEqual(notesB);
    a.forEach((f, i) => expect(f.data.equals(b[i].data)).toBe(true));
  });

  it('secure: every video draws its own key salt, which its keyframe notes (and recovery extra) record and which reproduces it', async () => {
    const { videoSalt: _, ...random } = BASE;
    const engine = new DiffusionAnonymizer(fakeBundle(), { ...random, method: 'secure', fallback: markingFallback() });
    const video = () => Array.from({ length: 2 }, (_, i) => syntheticFrame(i, [face(1, 40, 48)]));
    const [a, b] = [video(), video()];
    const extra = [];
    await engine.anonymizeInPlace(a[0]);
    extra.push(JSON.parse(Buffer.from(engine.recoveryExtra(a[0], 0)!).toString('utf8')));
    const notesA = [engine.faceNotes(a[0]), ...(await notesOf(engine, a.slice(1)))];
    engine.startVideo();
    const notesB = await notesOf(engine, b);
    const saltA = notesA[0]!.get(1)!.keySalt!, saltB = notesB[0]!.get(1)!.keySalt!;
    expect(saltA).toMatch(/^[0-9a-f]{32}$/);
    expect(saltB).toMatch(/^[0-9a-f]{32}$/);
    expect(saltA).not.toBe(saltB);
    expect(extra[0]).toMatchObject({ keyFrame: 0, keySalt: saltA });
    // Same track, frame, input and master key, another video: another flip key, so another face.
    expect(a[0].data.equals(b[0].data)).toBe(false);
    const replay = video();
    await notesOf(new DiffusionAnonymizer(fakeBundle(), { ...random, method: 'secure', videoSalt: () => Buffer.from(saltA, 'hex'), fallback: markingFallback() }), replay);
    replay.forEach((f, i) => expect(f.data.equals(a[i].data)).toBe(true));
  });

  it('batches the faces of a keyframe into shared UNet calls', async () => {
    const bundle = fakeBundle();
    const { engine } = await run({}, [syntheticFrame(0, [face(1, 40, 48), face(2, 90, 50)])], bundle);
    // 1 inversion call (12 items) + 6 sampling calls (2 faces × CFG pair, the first step with one branch)
    expect((bundle.predictor as unknown as { calls: number }).calls).toBe(7);
    expect(engine.stats().unetEvaluations).toBe(2 * 17);
  });

  it('identical input, seed and key give bit-identical frames', async () => {
    for (const method of ['nullface', 'secure'] as const) {
      const make = () => Array.from({ length: 5 }, (_, i) => syntheticFrame(i, [face(1, 40 + i, 48)]));
      const [a, b] = await Promise.all([run({ method }, make()), run({ method }, make())]);
      a.frames.forEach((f, i) => expect(f.data.equals(b.frames[i].data)).toBe(true));
    }
  });

  it('a different key gives a different secure face', async () => {
    const make = () => [syntheticFrame(0, [face(1, 40, 48)])];
    const [a, b] = await Promise.all([run({ method: 'secure' }, make()), run({ method: 'secure', secret: new Uint8Array(32).fill(10) }, make())]);
    expect(a.frames[0].data.equals(b.frames[0].data)).toBe(false);
  });

  it('a face without landmarks is aligned by its box and diffused inside the box ellipse', async () => {
    const input = syntheticFrame(0, [face(1, 40, 48, false)]);
    const original = Buffer.from(input.data);
    const { engine, fallback } = await run({}, [input]);
    expect(fallback.seen).toEqual([]);
    expect(engine.stats()).toMatchObject({ boxAligned: 1, keyframes: 1, fallbacks: 0 });
    // Every pixel of the box's inscribed ellipse (what blur mode covers) is fully replaced or blended.
    let unchanged = 0, inside = 0;
    for (let y = 18; y < 78; y++) {
      for (let x = 16; x < 64; x++) {
        if (Math.hypot((x + 0.5 - 40) / 24, (y + 0.5 - 48) / 30) > 0.95) continue;
        inside++;
        if (input.data[y * W + x] === original[y * W + x]) unchanged++;
      }
    }
    expect(unchanged / inside).toBeLessThan(0.05);
  });

  it('a mesh that does not fit its box is not trusted: the box aligns the face', async () => {
    const slipped = { ...face(2, 90, 50), landmarks: syntheticMesh(30, 40) };
    const collapsed = { ...face(3, 40, 48), landmarks: new Float32Array(MESH_POINTS * 3).fill(50) };
    const { engine, fallback } = await run({}, [syntheticFrame(0, [slipped, collapsed])]);
    expect(fallback.seen).toEqual([]);
    expect(engine.stats()).toMatchObject({ boxAligned: 2, keyframes: 2 });
  });

  it('fails closed: an empty box, or a failing model, gets the fallback', async () => {
    const empty = { ...face(2, 90, 50), box: { x: 90, y: 50, width: -4, height: -4 } };
    const fallback = markingFallback();
    const engine = new DiffusionAnonymizer(fakeBundle(), { ...BASE, fallback });
    const frame = syntheticFrame(0, [empty, face(1, 40, 48)]);
    const before = Buffer.from(frame.data);
    const regions = engine.regions(frame);
    await engine.anonymizeInPlace(frame);
    expect(fallback.seen).toEqual([2]);
    expect(engine.stats().fallbacks).toBe(1);
    // The empty box is covered by a minimum box around its centre (88, 48), declared for recovery too.
    expect(regions[0]).toBeDefined();
    expectChangesInside(frame, before, regions);
    let covered = 0;
    for (let y = 45; y < 52; y++) for (let x = 85; x < 92; x++) if (frame.data[y * W + x] === 0) covered++;
    expect(covered).toBe(49);

    const broken = fakeBundle({ predictor: { latent: { channels: 4, height: 4, width: 4 }, predictNoise: () => Promise.reject(new Error('device lost')) } });
    const r = await run({}, [syntheticFrame(0, [face(1, 40, 48)]), syntheticFrame(1, [face(1, 40, 48)])], broken);
    expect(r.fallback.seen).toEqual([1, 1]);
    expect(r.engine.stats().firstError).toBe('device lost');
  });

  it('refuses at start what the bundle or options cannot do, in one line', () => {
    const fallback = markingFallback();
    expect(() => new DiffusionAnonymizer(fakeBundle({ unconditional: true }), { ...BASE, fallback })).toThrow(/no identity projection.*--mode secure/);
    expect(() => new DiffusionAnonymizer(fakeBundle(), { ...BASE, method: 'secure', secret: undefined, fallback })).toThrow(/--key-file/);
  });

  it('dispose closes the bundle', async () => {
    const bundle = fakeBundle();
    const { engine } = await run({}, [], bundle);
    await engine.dispose();
    expect(bundle.closed).toBe(true);
  });
});
