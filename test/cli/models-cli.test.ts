/** `nullcam models make-test-bundle` and `nullcam doctor --bundle` as a user meets them (built CLI in dist/). */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/media.js';

const CLI = path.resolve(import.meta.dirname, '../../bin/nullcam.js');
const tmp = tempDir('nullcam-models-cli-');
afterAll(() => tmp.remove());
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('nullcam models make-test-bundle', () => {
  const dir = path.join(tmp.dir, 'bundle');

  it('writes a bundle, says its weights are random, and leaves no temporary directory', () => {
    const r = run('models', 'make-test-bundle', dir, '--seed', '3');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/RANDOM/);
    expect(readdirSync(dir).sort()).toEqual(['identity-encoder.onnx', 'manifest.json', 'null-text.npy', 'projector.onnx', 'unet.onnx', 'vae-decoder.onnx', 'vae-encoder.onnx']);
    expect(readdirSync(tmp.dir)).toEqual(['bundle']);
  });

  it('refuses to replace a bundle without --overwrite: one line, exit 2', () => {
    const r = run('models', 'make-test-bundle', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`nullcam: ${dir} exists and is not empty; pass --overwrite to replace it\n`);
  });

  it('rejects a bad seed: one line, exit 2, nothing written', () => {
    const r = run('models', 'make-test-bundle', path.join(tmp.dir, 'x'), '--seed', 'abc');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(tmp.dir, 'x'))).toBe(false);
  });

  it('doctor --bundle loads and verifies it, and names the provider', () => {
    const r = run('doctor', '--json', '--bundle', dir);
    const report = JSON.parse(r.stdout);
    expect(report.bundle).toMatchObject({ dir, family: 'test', latent: '4×8×8 (image 64²)', dtype: 'float32', conditioning: 'text + identity' });
    expect(report.bundle.device).toMatch(/^(cpu|cuda)$/);
  });

  it('doctor --bundle on a directory without a bundle says how to get one and exits 1', () => {
    const r = run('doctor', '--bundle', path.join(tmp.dir, 'none'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/bundle .*none: UNUSABLE: No model bundle at .*manifest\.json is missing; export one with scripts\/export-bundle\.py/);
  });
});
