/**
 * The worker-thread model gives the same outputs as the in-thread one, reports load failures in one line,
 * and leaves the event loop free while it runs. It is imported from dist/ (built by `npm test`'s pretest):
 * the worker entry is a .js file next to it.
 */
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelStore } from '../../src/models/model-store.js';
import { OnnxModel } from '../../src/models/onnx-session.js';
import { tempDir } from '../fixtures/media.js';

const DIST = new URL('../../dist/models/onnx-worker-model.js', import.meta.url);
const built = existsSync(DIST);

describe.skipIf(!built)('OnnxWorkerModel (from dist/; skipped before `npm run build`)', () => {
  const cache = tempDir('nullcam-worker-models-');
  let path: string;
  let WorkerModel: typeof import('../../src/models/onnx-worker-model.js').OnnxWorkerModel;
  beforeAll(async () => {
    path = (await new ModelStore({ cacheDir: cache.dir }).ensure('blazeface')).path;
    WorkerModel = ((await import(DIST.href)) as typeof import('../../src/models/onnx-worker-model.js')).OnnxWorkerModel;
  });
  afterAll(() => cache.remove());

  it('matches the in-thread model and keeps the event loop turning while it runs', async () => {
    const inThread = await OnnxModel.create(path);
    const worker = await WorkerModel.create(path);
    try {
      expect(worker.inputNames).toEqual(inThread.inputNames);
      expect(worker.outputNames).toEqual(inThread.outputNames);
      const pixels = Float32Array.from({ length: 256 * 256 * 3 }, (_, i) => ((i * 7919) % 255) / 127.5 - 1);
      const feeds = { [inThread.inputNames[0]]: new ort.Tensor('float32', pixels, [1, 256, 256, 3]) };
      const expected = await inThread.run(feeds);
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 1);
      const runs = await Promise.all(Array.from({ length: 5 }, () => worker.run(feeds)));
      clearInterval(ticker);
      for (const got of runs) {
        for (const name of inThread.outputNames) {
          expect(got[name].dims).toEqual(expected[name].dims);
          expect(Array.from(got[name].data as Float32Array)).toEqual(Array.from(expected[name].data as Float32Array));
        }
      }
      expect(ticks).toBeGreaterThan(2); // timers ran during inference
    } finally {
      await inThread.dispose();
      await worker.dispose();
    }
  });

  it('says in one line when the model cannot be loaded, and refuses runs after dispose', async () => {
    await expect(WorkerModel.create('/nonexistent/model.onnx')).rejects.toThrow(/^Cannot load ONNX model \/nonexistent\/model\.onnx with providers \[cpu\]: /);
    const worker = await WorkerModel.create(path);
    await worker.dispose();
    await expect(worker.run({})).rejects.toThrow(`ONNX model ${path} was used after dispose()`);
  });
});
