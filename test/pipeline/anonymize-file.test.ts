/**
 * End to end on real media, through the CLI: every visible face is covered in every frame, anonymized
 * faces no longer match their identity, pixels away from faces are the input's, audio and frame count
 * survive. "Visible" is an independent reference: the detector run on every frame with a full scan.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { framePlanes, type Frame } from '../../src/frame.js';
import { decodeFrames } from '../../src/ingest/decode-frames.js';
import { locateFfmpeg } from '../../src/ingest/ffmpeg-binary.js';
import { openInput } from '../../src/ingest/open-input.js';
import type { Detection } from '../../src/track/face.js';
import { FaceDetector } from '../../src/track/face-detector.js';
import { cosineSimilarity, FaceEmbedder, SAME_PERSON_THRESHOLD } from '../../src/track/face-embedder.js';
import type { Box } from '../../src/track/geometry.js';
import { openReferenceModels } from '../track/face-fixtures.js';
import { ffprobeStreams, media, tempDir } from '../fixtures/media.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/nullcam.js');

interface TracksDoc {
  frames: Array<{ index: number; faces: Array<{ track: number; box: [number, number, number, number]; origin: string }> }>;
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
}

async function decodeAll(file: string): Promise<Frame[]> {
  const binary = await locateFfmpeg();
  return lastValueFrom(decodeFrames(await openInput(file, { binary }), { binary }).pipe(toArray()));
}

const boxOf = (b: [number, number, number, number]): Box => ({ x: b[0], y: b[1], width: b[2], height: b[3] });

/** Share of `inner`'s area inside `outer`. */
function covered(inner: Box, outer: Box): number {
  const w = Math.max(0, Math.min(inner.x + inner.width, outer.x + outer.width) - Math.max(inner.x, outer.x));
  const h = Math.max(0, Math.min(inner.y + inner.height, outer.y + outer.height) - Math.max(inner.y, outer.y));
  return (w * h) / (inner.width * inner.height);
}

let detector: FaceDetector, embedder: FaceEmbedder, close: () => Promise<void>;
const tmp = tempDir('nullcam-e2e-');

beforeAll(async () => {
  ({ detector, embedder, close } = await openReferenceModels());
});
afterAll(async () => {
  await close?.();
  tmp.remove();
});

describe.each([
  { clip: 'interview.mp4', audio: 1, frames: 200 },
  { clip: 'Megamind.avi', audio: 1, frames: 270 },
])('nullcam anonymize $clip (blur)', ({ clip, audio, frames }) => {
  const out = path.join(tmp.dir, `${clip}.anon.mp4`);
  const tracksFile = path.join(tmp.dir, `${clip}.tracks.json`);
  let input: Frame[], output: Frame[], tracks: TracksDoc, reference: Detection[][];

  beforeAll(async () => {
    const r = runCli(['anonymize', media(clip), '-o', out, '--progress', 'json', '--tracks-json', tracksFile]);
    expect(r.status, r.stderr).toBe(0);
    const done = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(done).toMatchObject({ event: 'done', frames });
    tracks = JSON.parse(readFileSync(tracksFile, 'utf8'));
    [input, output] = await Promise.all([decodeAll(media(clip)), decodeAll(out)]);
    reference = [];
    for (const f of input) reference.push(await detector.detect(f));
  }, 600_000);

  it('keeps the frame count, the audio streams and their duration', () => {
    expect(output).toHaveLength(frames);
    expect(tracks.frames).toHaveLength(frames);
    const audioIn = ffprobeStreams(media(clip)).filter((s) => s.codec_type === 'audio');
    const audioOut = ffprobeStreams(out).filter((s) => s.codec_type === 'audio');
    expect(audioOut).toHaveLength(audio);
    expect(audioIn).toHaveLength(audio);
    if (audioIn[0].duration) expect(Math.abs(Number(audioOut[0].duration) - Number(audioIn[0].duration))).toBeLessThan(0.05);
  });

  it('covers every face the reference detector sees, in every frame', () => {
    let faces = 0;
    const misses: string[] = [];
    reference.forEach((dets, i) => {
      for (const d of dets) {
        faces++;
        const best = Math.max(0, ...tracks.frames[i].faces.map((f) => covered(d.box, boxOf(f.box))));
        if (best < 0.9) misses.push(`frame ${i}: face at ${d.box.x.toFixed(0)},${d.box.y.toFixed(0)} ${d.box.width.toFixed(0)}px covered ${(best * 100).toFixed(0)}%`);
      }
    });
    expect(faces).toBeGreaterThan(frames * 0.5);
    expect(misses).toEqual([]);
  });

  it('leaves no anonymized face matching its identity', async () => {
    const sims: number[] = [];
    for (let i = 0; i < frames; i += 15) {
      for (const d of reference[i]) {
        const before = await embedder.embed(input[i], d);
        const after = await embedder.embed(output[i], d);
        sims.push(cosineSimilarity(before, after));
      }
    }
    expect(sims.length).toBeGreaterThan(5);
    expect(Math.max(...sims)).toBeLessThan(SAME_PERSON_THRESHOLD);
  });

  it('leaves pixels away from faces as they were (luma PSNR >= 40 dB outside the boxes)', () => {
    let se = 0, n = 0;
    // A 16 px margin: the encoder's macroblocks that straddle a box edge change too.
    const margin = 16;
    input.forEach((f, i) => {
      const a = framePlanes(f)[0], b = framePlanes(output[i])[0];
      const boxes = tracks.frames[i].faces.map((x) => boxOf(x.box));
      for (let y = 0; y < a.height; y += 2) {
        for (let x = 0; x < a.width; x += 2) {
          if (boxes.some((q) => x >= q.x - margin && x < q.x + q.width + margin && y >= q.y - margin && y < q.y + q.height + margin)) continue;
          const d = a.data[y * a.width + x] - b.data[y * a.width + x];
          se += d * d;
          n++;
        }
      }
    });
    const psnr = 10 * Math.log10((255 * 255) / (se / n));
    expect(n).toBeGreaterThan(0);
    expect(psnr).toBeGreaterThanOrEqual(40);
  });
});

describe('every classic mode defeats recognition (interview.mp4)', () => {
  it.each(['pixelate', 'solid', 'mask'])('%s', async (mode) => {
    const out = path.join(tmp.dir, `interview.${mode}.mp4`);
    const r = runCli(['anonymize', media('interview.mp4'), '-o', out, '--mode', mode, '--progress', 'none']);
    expect(r.status, r.stderr).toBe(0);
    const [input, output] = await Promise.all([decodeAll(media('interview.mp4')), decodeAll(out)]);
    expect(output).toHaveLength(input.length);
    const sims: number[] = [];
    for (let i = 0; i < input.length; i += 25) {
      for (const d of await detector.detect(input[i])) sims.push(cosineSimilarity(await embedder.embed(input[i], d), await embedder.embed(output[i], d)));
    }
    expect(sims.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...sims)).toBeLessThan(SAME_PERSON_THRESHOLD);
  }, 300_000);
});

describe('the corrupt clip', () => {
  it('decodes best-effort and writes a full output', () => {
    const out = path.join(tmp.dir, 'bugy.mp4');
    const r = runCli(['anonymize', media('Megamind_bugy.avi'), '-o', out, '--progress', 'json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!).frames).toBeGreaterThan(200);
    expect(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', out]).toString().trim()).not.toBe('0');
  }, 300_000);
});
