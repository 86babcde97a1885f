/**
 * --mode nullface and --mode secure through the CLI on real media (the first 2 s of interview.mp4) with
 * the project's test bundle. Its weights are RANDOM: this proves the end-to-end plumbing (bundle loading,
 * frame count, audio, cost accounting, determinism, fail-at-start messages), not image quality.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestBundle } from '../../src/diffuse/bundle/make-test-bundle.js';
import type { Frame } from '../../src/frame.js';
import { decodeFrames } from '../../src/ingest/decode-frames.js';
import { locateFfmpeg } from '../../src/ingest/ffmpeg-binary.js';
import { openInput } from '../../src/ingest/open-input.js';
import { ffmpeg, ffprobeStreams, media, tempDir } from '../fixtures/media.js';

const CLI = path.resolve(import.meta.dirname, '../../bin/nullcam.js');
const tmp = tempDir('nullcam-diffuse-cli-');
const at = (name: string) => path.join(tmp.dir, name);
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
const BUNDLE = at('bundle');
const KEY = at('secret.key');
const CLIP = at('interview-2s.mp4');

async function decodeAll(file: string): Promise<Frame[]> {
  const binary = await locateFfmpeg();
  return lastValueFrom(decodeFrames(await openInput(file, { binary }), { binary }).pipe(toArray()));
}

beforeAll(() => {
  makeTestBundle(BUNDLE);
  expect(run('keygen', '-o', KEY).status).toBe(0);
  writeFileSync(at('not-a.key'), 'not a key', { mode: 0o600 });
  ffmpeg(['-i', media('interview.mp4'), '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', CLIP]);
}, 60_000);
afterAll(() => tmp.remove());

describe.each(['nullface', 'secure'])('nullcam anonymize --mode %s with the test bundle (random weights)', (mode) => {
  let input: Frame[], outputs: Frame[][];
  const done: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    for (const n of [1, 2]) {
      const r = run('anonymize', CLIP, '-o', at(`${mode}-${n}.mp4`), '--mode', mode, '--model-dir', BUNDLE, '--key-file', KEY, '--progress', 'json', '--tracks-json', at(`${mode}-${n}.json`));
      expect(r.status, r.stderr).toBe(0);
      done.push(JSON.parse(r.stdout.trim().split('\n').pop()!));
    }
    input = await decodeAll(CLIP);
    outputs = await Promise.all([1, 2].map((n) => decodeAll(at(`${mode}-${n}.mp4`))));
  }, 120_000);

  it('keeps the frame count and the audio', () => {
    expect(outputs[0]).toHaveLength(input.length);
    expect(input).toHaveLength(50);
    expect(ffprobeStreams(at(`${mode}-1.mp4`)).filter((s) => s.codec_type === 'audio')).toHaveLength(1);
  });

  it('diffuses every face (no fallback) and reports UNet evaluations per face-frame', () => {
    expect(done[0]).toMatchObject({ event: 'done', frames: 50, diffusion_fallback_faces: 0, execution_provider: 'cpu' });
    expect(done[0].faces as number).toBeGreaterThanOrEqual(45);
    expect(done[0].unet_evals_per_face_frame as number).toBeGreaterThan(0);
    expect(done[0].unet_evals_per_face_frame as number).toBeLessThanOrEqual(8);
  });

  it('writes the warp of every face and, on keyframes, the latent mask (and the key frame and video salt in secure mode) to --tracks-json', () => {
    const faceLists = [1, 2].map((n) => (JSON.parse(readFileSync(at(`${mode}-${n}.json`), 'utf8')) as { frames: Array<{ faces: Array<Record<string, unknown>> }> }).frames.flatMap((f) => f.faces));
    const faces = faceLists[0];
    expect(faces.every((f) => Array.isArray(f.warp) && (f.warp as number[]).length === 6)).toBe(true);
    const keyframes = faces.filter((f) => f.latentMask);
    expect(keyframes.length).toBe(done[0].diffusion_keyframes);
    for (const k of keyframes) expect(Buffer.from(k.latentMask as string, 'base64')).toHaveLength(8); // 8×8 latent
    if (mode === 'secure') {
      expect(keyframes.every((k) => typeof k.keyFrame === 'number')).toBe(true);
      // One random salt per video, so the same key never gives two videos the same flip key.
      const salts = faceLists.map((list) => new Set(list.filter((f) => f.latentMask).map((f) => f.keySalt)));
      for (const set of salts) expect([...set]).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
      expect([...salts[0]][0]).not.toBe([...salts[1]][0]);
    }
  });

  it('changes the face; nullface runs are deterministic, secure runs each draw their own key salt', () => {
    let diff = 0;
    const a = outputs[0][25].data, b = input[25].data;
    for (let i = 0; i < 640 * 480; i++) diff += Math.abs(a[i] - b[i]);
    expect(diff / (640 * 480)).toBeGreaterThan(2);
    const identical = outputs[0].every((f, i) => f.data.equals(outputs[1][i].data));
    expect(identical).toBe(mode === 'nullface');
  });

  it('writes recovery data with the key, from which nullcam reveal restores the original faces', async () => {
    const restored = at(`${mode}-restored.mkv`);
    const r = run('reveal', at(`${mode}-1.mp4`), '--key-file', KEY, '-o', restored, '--progress', 'none');
    expect(r.status, r.stderr).toBe(0);
    const back = await decodeAll(restored);
    expect(back).toHaveLength(input.length);
    const lumaDiff = (a: Buffer, b: Buffer) => {
      let d = 0;
      for (let i = 0; i < 640 * 480; i++) d += Math.abs(a[i] - b[i]);
      return d / (640 * 480);
    };
    // Inside the restored regions the pixels are the decoded original; outside, the anonymized video's
    // (H.264 of the original): so the restored frame is close to the input everywhere.
    expect(lumaDiff(back[25].data, input[25].data)).toBeLessThan(lumaDiff(outputs[0][25].data, input[25].data) / 2);
  });
});

describe('diffusion modes fail at start, in one line, with what to do', () => {
  it.each([
    [['--mode', 'nullface'], /make-test-bundle DIR/, 2],
    [['--mode', 'secure', '--model-dir', BUNDLE], /--key-file FILE/, 2],
    [['--mode', 'nullface', '--model-dir', at('nope')], /No model bundle at .*nope.*make-test-bundle/, 2],
    [['--mode', 'secure', '--model-dir', BUNDLE, '--key-file', at('not-a.key')], /is not a nullcam key file/, 1],
  ])('%j', (args, message, status) => {
    const out = at('never.mp4');
    const r = run('anonymize', CLIP, '-o', out, '--progress', 'none', ...(args as string[]));
    expect(r.status).toBe(status);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
});
