/**
 * The worker-thread model gives the same outputs as the in-thread one, reports load failures in one line,
 * and leaves the event loop free while it runs. It is imported from dist/ (built by `npm test`'s pretest):
 * the worker entry is a .js file next to it.
 */
import { existsSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
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
      // Inputs in shared memory (what the face models feed it) reach the worker uncopied and give the
      // same outputs, also with another shared input in flight at once.
      expect(worker.sharedInputs).toBe(true);
      const shared = new Float32Array(new SharedArrayBuffer(pixels.byteLength));
      shared.set(pixels);
      const other = new Float32Array(new SharedArrayBuffer(pixels.byteLength)).fill(0.25);
      const name = inThread.inputNames[0];
      const [got, otherGot] = await Promise.all([worker.run({ [name]: new ort.Tensor('float32', shared, [1, 256, 256, 3]) }), worker.run({ [name]: new ort.Tensor('float32', other, [1, 256, 256, 3]) })]);
      const otherExpected = await inThread.run({ [name]: new ort.Tensor('float32', new Float32Array(pixels.length).fill(0.25), [1, 256, 256, 3]) });
      for (const n of inThread.outputNames) {
        expect(Array.from(got[n].data as Float32Array)).toEqual(Array.from(expected[n].data as Float32Array));
        expect(Array.from(otherGot[n].data as Float32Array)).toEqual(Array.from(otherExpected[n].data as Float32Array));
      }
    } finally {
      await inThread.dispose();
      await worker.dispose();
    }
  });

  it('rejects a run whose worker dies mid-run, starts a new worker on the next run, and backs off after repeated deaths', async () => {
    const model = await WorkerModel.create(path);
    // The test kills the private thread the way a native crash would end it.
    const thread = (): Worker => (model as unknown as { worker: Worker }).worker;
    const feeds = { [model.inputNames[0]]: new ort.Tensor('float32', new Float32Array(256 * 256 * 3), [1, 256, 256, 3]) };
    try {
      const inFlight = model.run(feeds);
      await thread().terminate();
      await expect(inFlight).rejects.toThrow(`The worker thread running ${path} stopped (exit code 1); the next run starts a new one.`);
      // Before the fix this run was posted to the dead thread and never settled.
      const out = await model.run(feeds);
      expect(out[model.outputNames[0]].dims).toEqual([1, 384, 16]);

      // Two deaths with no successful run between (a failed run does not count as one): runs fail at once.
      await thread().terminate();
      await expect(model.run({})).rejects.toThrow(`ONNX model ${path}: `); // a new worker answered, with an error
      await thread().terminate();
      const t0 = performance.now();
      await expect(model.run(feeds)).rejects.toThrow(/stopped 2 times in a row \(last: exit code 1\); restarting it in 1 s\.$/);
      expect(performance.now() - t0).toBeLessThan(50);
      await new Promise((r) => setTimeout(r, 1000));
      expect((await model.run(feeds))[model.outputNames[0]].dims).toEqual([1, 384, 16]);
    } finally {
      await model.dispose();
    }
  });

  it('lets the runs in flight end before dispose stops the worker (terminated mid-inference, the process aborts)', async () => {
    const model = await WorkerModel.create(path);
    const feeds = { [model.inputNames[0]]: new ort.Tensor('float32', new Float32Array(256 * 256 * 3), [1, 256, 256, 3]) };
    const runs = Array.from({ length: 12 }, () => model.run(feeds));
    await new Promise((r) => setTimeout(r, 30)); // the worker is inside an inference now
    await model.dispose();
    for (const out of await Promise.all(runs)) expect(out[model.outputNames[0]].dims).toEqual([1, 384, 16]);
    await expect(model.run(feeds)).rejects.toThrow(`ONNX model ${path} was used after dispose()`);
  });

  it('says in one line when the model cannot be loaded, and refuses runs after dispose', async () => {
    await expect(WorkerModel.create('/nonexistent/model.onnx')).rejects.toThrow(/^Cannot load ONNX model \/nonexistent\/model\.onnx with providers \[cpu\]: /);
    const worker = await WorkerModel.create(path);
    await worker.dispose();
    await expect(worker.run({})).rejects.toThrow(`ONNX model ${path} was used after dispose()`);
  });
});
