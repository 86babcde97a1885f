/**
 * Round trip on real media through the CLI (blur mode): anonymize with a key, reveal, and compare with the
 * decoded original. Lossless output (FFV1) restores every recorded region bit-exact and leaves every other
 * pixel as the anonymized video has it; H.264 output stays above 45 dB inside the regions; an independent
 * identity embedding matches the original on the restored face and not on the anonymized one; per-track
 * keys restore their person and nobody else. Clips are the first seconds of the shared media.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionMask } from '../../src/anonymize/region-mask.js';
import type { Frame } from '../../src/frame.js';
import { decodeFrames } from '../../src/ingest/decode-frames.js';
import { locateFfmpeg } from '../../src/ingest/ffmpeg-binary.js';
import { openInput } from '../../src/ingest/open-input.js';
import { readKeyFile } from '../../src/keys/key-file.js';
import { masterKeyring } from '../../src/keys/recovery-keyring.js';
import { openRecoveryFile } from '../../src/keys/recovery-reader.js';
import { RecoveryVerifier } from '../../src/keys/recovery-verifier.js';
import { packRegion, pasteRegion } from '../../src/keys/region-pixels.js';
import { FaceDetector } from '../../src/track/face-detector.js';
import { cosineSimilarity, FaceEmbedder, SAME_PERSON_THRESHOLD } from '../../src/track/face-embedder.js';
import { ffmpeg, ffprobeStreams, media, tempDir } from '../fixtures/media.js';
import { openReferenceModels } from '../track/face-fixtures.js';

const CLI = path.resolve(import.meta.dirname, '../../bin/nullcam.js');
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 300_000 });

async function decodeAll(file: string): Promise<Frame[]> {
  const binary = await locateFfmpeg();
  return lastValueFrom(decodeFrames(await openInput(file, { binary }), { binary }).pipe(toArray()));
}

interface Region {
  readonly frameIndex: number;
  readonly trackId: number;
  readonly mask: RegionMask;
}

async function regionsOf(video: string, keyFile: string): Promise<Region[]> {
  const file = await openRecoveryFile(video);
  const { key } = await readKeyFile(keyFile, () => {});
  const verifier = new RecoveryVerifier(file, masterKeyring(key, file.fingerprint));
  const out: Region[] = [];
  for await (const r of verifier.openRegions()) out.push({ frameIndex: r.header.frameIndex, trackId: r.header.trackId, mask: r.payload.mask });
  expect(verifier.problems).toEqual([]);
  return out;
}

/** PSNR over the masked bytes of every region. */
function regionPsnr(a: Frame[], b: Frame[], regions: Region[]): number {
  let se = 0, n = 0;
  for (const r of regions) {
    const x = packRegion(a[r.frameIndex], r.mask), y = packRegion(b[r.frameIndex], r.mask);
    for (let i = 0; i < x.length; i++) se += (x[i] - y[i]) ** 2;
    n += x.length;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / se);
}

const tmp = tempDir('nullcam-reveal-');
const key = path.join(tmp.dir, 'team.key');
let detector: FaceDetector, embedder: FaceEmbedder, close: () => Promise<void>;

beforeAll(async () => {
  expect(run(['keygen', '-o', key]).status).toBe(0);
  ({ detector, embedder, close } = await openReferenceModels());
});
afterAll(async () => {
  await close?.();
  tmp.remove();
});

describe.each([
  { clip: 'interview.mp4', seconds: 2 },
  { clip: 'Megamind.avi', seconds: 3 },
])('$clip: anonymize --key-file → reveal', ({ clip, seconds }) => {
  const short = path.join(tmp.dir, `short-${clip}`);
  const anon = path.join(tmp.dir, `${clip}.anon.mp4`);
  let original: Frame[], anonymized: Frame[], lossless: Frame[], h264: Frame[], regions: Region[];

  beforeAll(async () => {
    ffmpeg(['-i', media(clip), '-t', String(seconds), '-c', 'copy', short]);
    const a = run(['anonymize', short, '-o', anon, '--key-file', key, '--progress', 'none']);
    expect(a.status, a.stderr).toBe(0);
    for (const [out, extra] of [['restored.mkv', []], ['restored.mp4', []]] as const) {
      const r = run(['reveal', anon, '--key-file', key, '-o', path.join(tmp.dir, `${clip}.${out}`), '--progress', 'none', ...extra]);
      expect(r.status, r.stderr).toBe(0);
    }
    [original, anonymized, lossless, h264] = await Promise.all([short, anon, path.join(tmp.dir, `${clip}.restored.mkv`), path.join(tmp.dir, `${clip}.restored.mp4`)].map(decodeAll));
    regions = await regionsOf(anon, key);
  }, 300_000);

  it('keeps frame count and audio', () => {
    expect(regions.length).toBeGreaterThan(original.length * 0.8);
    for (const f of [anonymized, lossless, h264]) expect(f).toHaveLength(original.length);
    for (const f of ['restored.mkv', 'restored.mp4']) expect(ffprobeStreams(path.join(tmp.dir, `${clip}.${f}`)).filter((s) => s.codec_type === 'audio')).toHaveLength(1);
  });

  it('FFV1: every region bit-exact with the decoded original, every other pixel the anonymized video', () => {
    let exact = 0;
    for (const r of regions) if (packRegion(lossless[r.frameIndex], r.mask).equals(packRegion(original[r.frameIndex], r.mask))) exact++;
    expect(exact).toBe(regions.length);
    lossless.forEach((f, i) => {
      const back = { ...f, data: Buffer.from(f.data) };
      for (const r of regions.filter((x) => x.frameIndex === i)) pasteRegion(back, r.mask, packRegion(anonymized[i], r.mask));
      expect(back.data.equals(anonymized[i].data), `frame ${i}`).toBe(true);
    });
  });

  it('H.264 (CRF 12): regions at >= 45 dB PSNR', () => {
    expect(regionPsnr(original, h264, regions)).toBeGreaterThanOrEqual(45);
  });

  it('identity: the restored face matches the original, the anonymized one does not', async () => {
    const restored: number[] = [], anon: number[] = [];
    for (let i = 0; i < original.length; i += 12) {
      for (const d of await detector.detect(original[i])) {
        const ref = await embedder.embed(original[i], d);
        restored.push(cosineSimilarity(ref, await embedder.embed(h264[i], d)));
        anon.push(cosineSimilarity(ref, await embedder.embed(anonymized[i], d)));
      }
    }
    expect(restored.length).toBeGreaterThanOrEqual(3);
    expect(Math.min(...restored)).toBeGreaterThanOrEqual(SAME_PERSON_THRESHOLD);
    expect(Math.max(...anon)).toBeLessThan(SAME_PERSON_THRESHOLD);
  });

  it.runIf(clip === 'Megamind.avi')('a per-track key restores its person and nobody else', async () => {
    const tracks = [...new Set(regions.map((r) => r.trackId))];
    expect(tracks.length).toBeGreaterThanOrEqual(2);
    const [mine, other] = tracks;
    const trackKey = path.join(tmp.dir, `track${mine}.key`);
    expect(run(['keys', 'export', anon, '--track', String(mine), '--key-file', key, '-o', trackKey]).status).toBe(0);
    const out = path.join(tmp.dir, 'one-person.mkv');
    const r = run(['reveal', anon, '--key-file', trackKey, '-o', out, '--progress', 'none']);
    expect(r.status, r.stderr).toBe(0);
    const frames = await decodeAll(out);
    for (const reg of regions) {
      const got = packRegion(frames[reg.frameIndex], reg.mask);
      if (reg.trackId === mine) expect(got.equals(packRegion(original[reg.frameIndex], reg.mask))).toBe(true);
    }
    // Another person's region: where it does not overlap `mine`, it stays anonymized.
    const theirs = regions.filter((x) => x.trackId === other);
    const masked = theirs.map((reg) => {
      const f = { ...frames[reg.frameIndex], data: Buffer.from(frames[reg.frameIndex].data) };
      for (const m of regions.filter((x) => x.frameIndex === reg.frameIndex && x.trackId === mine)) pasteRegion(f, m.mask, packRegion(anonymized[reg.frameIndex], m.mask));
      return packRegion(f, reg.mask).equals(packRegion(anonymized[reg.frameIndex], reg.mask));
    });
    expect(masked.every(Boolean)).toBe(true);
    const wrong = run(['reveal', anon, '--key-file', trackKey, '--track', String(other), '-o', path.join(tmp.dir, 'other.mkv')]);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr.trim()).toBe('nullcam: key does not match this video');
  });
});
