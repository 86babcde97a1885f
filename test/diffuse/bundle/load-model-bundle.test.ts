/**
 * Model bundles end to end on the project's test bundle. Its weights are RANDOM: these tests prove that
 * the graphs build, load, validate against the manifest and run with the right shapes, deterministically,
 * and that every kind of broken bundle fails with one line. They say nothing about image quality.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelBundle, type LoadedModelBundle } from '../../../src/diffuse/bundle/load-model-bundle.js';
import { makeTestBundle } from '../../../src/diffuse/bundle/make-test-bundle.js';
import { encodeNpyFloat32 } from '../../../src/diffuse/bundle/npy-file.js';
import { tempDir } from '../../fixtures/media.js';

const tmp = tempDir('nullcam-bundle-');
const at = (name: string) => path.join(tmp.dir, name);
const BUNDLE = at('test');
let bundle: LoadedModelBundle;

beforeAll(async () => {
  makeTestBundle(BUNDLE, { seed: 7 });
  bundle = await loadModelBundle(BUNDLE, { executionProvider: 'cpu' });
});
afterAll(async () => {
  await bundle?.close();
  tmp.remove();
});

const finite = (a: Float32Array) => a.every(Number.isFinite);
const rms = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
const wave = (n: number, f: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f));

describe('test bundle', () => {
  it('loads with the SD 1.5 + FaceID interfaces at a tiny size', () => {
    expect(bundle.family).toBe('test');
    expect(bundle.executionProvider).toBe('cpu');
    expect(bundle.predictor.latent).toEqual({ channels: 4, height: 8, width: 8 });
    expect(bundle.codec.imageSize).toBe(64);
    expect(bundle.scheduler).toMatchObject({ numTrainTimesteps: 1000, betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear', stepsOffset: 1 });
    expect(bundle.nullText).toHaveLength(77 * 64);
    expect(bundle.projector?.embeddingSize).toBe(512);
    expect(bundle.identityEncoder).toMatchObject({ inputSize: 112, embeddingSize: 512 });
    expect(bundle.identityEncoder?.template).toHaveLength(5);
  });

  it('runs each model once with the right output sizes', async () => {
    const z = await bundle.codec.encode(wave(2 * 3 * 64 * 64, 0.01), 2);
    expect(z).toHaveLength(2 * 4 * 8 * 8);
    const img = await bundle.codec.decode(z, 2);
    expect(img).toHaveLength(2 * 3 * 64 * 64);
    const emb = await bundle.identityEncoder!.embed(wave(3 * 112 * 112, 0.003), 1);
    expect(emb).toHaveLength(512);
    const tokens = await bundle.projector!.project(emb);
    expect(tokens).toHaveLength(4 * 64);
    const eps = await bundle.predictor.predictNoise(wave(3 * 256, 0.1), [999, 500, 1], [{}, { identity: tokens }, { text: bundle.nullText, identity: tokens }]);
    expect(eps).toHaveLength(3 * 256);
    for (const a of [z, img, emb, tokens, eps]) expect(finite(a)).toBe(true);
    // Random weights, but not degenerate: outputs of unit-ish scale, so math tests on them are not trivial.
    expect(rms(eps)).toBeGreaterThan(0.1);
    expect(rms(eps)).toBeLessThan(10);
  });

  it('is deterministic and batch-independent: an item gives the same ε alone or in a batch', async () => {
    const lat = wave(2 * 256, 0.37);
    const both = await bundle.predictor.predictNoise(lat, [700, 300], [{}, {}]);
    const second = await bundle.predictor.predictNoise(lat.slice(256), [300], [{}]);
    expect(Math.max(...second.map((v, i) => Math.abs(v - both[256 + i])))).toBeLessThan(1e-5);
    const again = await bundle.predictor.predictNoise(lat, [700, 300], [{}, {}]);
    expect(again).toEqual(both);
  });

  it('conditions on identity: default identity is the projection of zeros, other tokens change ε', async () => {
    const lat = wave(256, 0.21);
    const nullTokens = await bundle.projector!.project(new Float32Array(512));
    const byDefault = await bundle.predictor.predictNoise(lat, [400], [{}]);
    const explicit = await bundle.predictor.predictNoise(lat, [400], [{ text: bundle.nullText, identity: nullTokens }]);
    expect(explicit).toEqual(byDefault);
    const other = await bundle.predictor.predictNoise(lat, [400], [{ identity: nullTokens.map((v) => -v) }]);
    expect(rms(other.map((v, i) => v - byDefault[i]))).toBeGreaterThan(1e-3);
  });

  it('the same seed writes byte-identical files; another seed, other weights', () => {
    makeTestBundle(at('again'), { seed: 7 });
    makeTestBundle(at('other'), { seed: 8 });
    const files = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).files;
    expect(files(at('again'))).toEqual(files(BUNDLE));
    expect(files(at('other'))['unet.onnx']).not.toBe(files(BUNDLE)['unet.onnx']);
  });

  it('rejects a wrong conditioning length with one line', async () => {
    await expect(bundle.predictor.predictNoise(wave(256, 0.1), [10], [{ identity: new Float32Array(3) }])).rejects.toThrow(/conditioning 0 gives input "identity" 3 values, expected 256/);
  });
});

describe('fp16, unconditional and precomputed-null-identity variants', () => {
  it('an fp16 bundle (half weights, math and I/O) validates, runs on CPU and matches fp32 within 0.02', async () => {
    makeTestBundle(at('fp16'), { seed: 7, dtype: 'float16' });
    const half = await loadModelBundle(at('fp16'), { executionProvider: 'cpu' });
    try {
      const lat = wave(256, 0.3);
      const [a, b] = [await bundle.predictor.predictNoise(lat, [250], [{}]), await half.predictor.predictNoise(lat, [250], [{}])];
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(0.02);
    } finally {
      await half.close();
    }
  });

  it('precomputed null identity tokens can stand in for the projector (null identity only)', async () => {
    const dir = at('null-identity');
    cpSync(BUNDLE, dir, { recursive: true });
    const tokens = await bundle.projector!.project(new Float32Array(512));
    const npy = encodeNpyFloat32(tokens, [4, 64]);
    writeFileSync(path.join(dir, 'null-identity.npy'), npy);
    const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    for (const k of ['projector', 'identityEncoder']) {
      delete m.files[m[k].file];
      delete m[k];
    }
    m.nullIdentity = { file: 'null-identity.npy', dtype: 'float32', shape: [4, 64] };
    m.files['null-identity.npy'] = createHash('sha256').update(npy).digest('hex');
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
    const b = await loadModelBundle(dir, { executionProvider: 'cpu' });
    try {
      expect(b.projector).toBeUndefined();
      const lat = wave(256, 0.21);
      expect(await b.predictor.predictNoise(lat, [400], [{}])).toEqual(await bundle.predictor.predictNoise(lat, [400], [{}]));
    } finally {
      await b.close();
    }
  });

  it('an unconditional bundle has no text, identity, projector or identity encoder', async () => {
    makeTestBundle(at('uncond'), { seed: 7, unconditional: true });
    const u = await loadModelBundle(at('uncond'), { executionProvider: 'cpu' });
    try {
      expect(u.projector).toBeUndefined();
      expect(u.identityEncoder).toBeUndefined();
      expect(u.nullText).toBeUndefined();
      expect(await u.predictor.predictNoise(wave(256, 0.3), [100], [{}])).toHaveLength(256);
    } finally {
      await u.close();
    }
  });
});

describe('broken bundles fail with one line naming file, input, expected and found', () => {
  /** A copy of the bundle with `edit` applied to its directory. */
  const broken = (name: string, edit: (dir: string, manifest: any) => void) => {
    const dir = at(name);
    rmSync(dir, { recursive: true, force: true });
    cpSync(BUNDLE, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    edit(dir, manifest);
    if (existsSync(path.join(dir, 'manifest.json'))) writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    return dir;
  };

  it.each([
    ['no manifest', (d: string) => rmSync(path.join(d, 'manifest.json')), /^No model bundle at .*no-manifest: manifest\.json is missing; export one with scripts\/export-bundle\.py/],
    ['missing file', (d: string) => renameSync(path.join(d, 'vae-decoder.onnx'), path.join(d, 'gone.onnx')), /^Model bundle .*: vae-decoder\.onnx is missing \(manifest\.json lists it\)/],
    ['wrong checksum', (d: string) => writeFileSync(path.join(d, 'projector.onnx'), Buffer.concat([readFileSync(path.join(d, 'projector.onnx')), Buffer.from([0])])), /^Model bundle .*: projector\.onnx has sha256 [0-9a-f]{64} but manifest\.json says [0-9a-f]{64}; the file is corrupt/],
    ['wrong input name', (_d: string, m: any) => (m.unet.inputs.sample.name = 'latent'), /unet\.onnx has no input "latent" \(manifest unet\.inputs\.sample\); the graph's inputs are "sample", "timestep", "text", "identity"$/],
    ['wrong input dtype', (_d: string, m: any) => (m.unet.inputs.timestep.dtype = 'int64'), /unet\.onnx input "timestep" \(manifest unet\.inputs\.timestep\): expected dtype int64 but the graph has float32$/],
    [
      'wrong input shape',
      (_d: string, m: any) => {
        // A consistent manifest for a 128² / 16×16 bundle whose graphs are 64² / 8×8.
        m.latent = { channels: 4, height: 16, width: 16 };
        m.imageSize = 128;
        for (const t of [m.unet.inputs.sample, m.unet.outputs.noise, m.vaeEncoder.outputs.latent, m.vaeDecoder.inputs.latent]) t.shape = ['batch', 4, 16, 16];
        for (const t of [m.vaeEncoder.inputs.image, m.vaeDecoder.outputs.image]) t.shape = ['batch', 3, 128, 128];
      },
      /unet\.onnx input "sample" \(manifest unet\.inputs\.sample\): expected shape \[batch,4,16,16\] but the graph has \[batch,4,8,8\]$/,
    ],
    ['wrong output name', (_d: string, m: any) => (m.vaeEncoder.outputs.latent.name = 'mean'), /vae-encoder\.onnx has no output "mean" \(manifest vaeEncoder\.outputs\.latent\); the graph's outputs are "latent"$/],
    ['unfed graph input', (_d: string, m: any) => delete m.unet.inputs.identity, /unet\.onnx has input "identity" that manifest unet\.inputs does not name/],
    ['inconsistent manifest', (_d: string, m: any) => (m.unet.inputs.text.shape = ['batch', 76, 64]), /manifest\.json: unet\.inputs\.text\.shape: expected \[batch,77,64\] but found \["batch",76,64\]$/],
    ['path outside the bundle', (_d: string, m: any) => (m.files['../x.onnx'] = m.files['unet.onnx']), /files\["\.\.\/x\.onnx"\]: expected a relative path inside the bundle/],
  ])('%s', async (name, edit, message) => {
    const dir = broken(name.replace(/ /g, '-'), edit);
    const err = await loadModelBundle(dir, { executionProvider: 'cpu' }).then(
      (b) => b.close().then(() => undefined),
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.name).toBe('NullcamError');
    expect(err!.message).toMatch(message);
    expect(err!.message).not.toContain('\n');
  });
});
