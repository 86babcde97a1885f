import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NullcamError } from '../../src/errors.js';
import { EXECUTION_PROVIDERS, OnnxModel, availableBackends, executionProvidersFor } from '../../src/models/onnx-session.js';

const { onnx } = onnxProto;

/** sum = a + b over float vectors of a dynamic length n, and a fixed-shape input c [2,3] passed through. */
function tinyModel(): Uint8Array {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const vec = (name: string, dims: Array<number | string>) => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny',
      node: [
        { opType: 'Add', input: ['a', 'b'], output: ['sum'] },
        { opType: 'Identity', input: ['c'], output: ['c_out'] },
      ],
      input: [vec('a', ['n']), vec('b', ['n']), vec('c', [2, 3])],
      output: [vec('sum', ['n']), vec('c_out', [2, 3])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

let dir: string;
let file: string;
let model: OnnxModel;
const c = new ort.Tensor('float32', new Float32Array(6), [2, 3]);
const vec = (n: number) => new ort.Tensor('float32', new Float32Array(n).fill(1), [n]);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'nullcam-onnx-session-'));
  file = path.join(dir, 'tiny.onnx');
  await writeFile(file, tinyModel());
  model = await OnnxModel.create(file);
});
afterAll(async () => {
  await model.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('OnnxModel', () => {
  it('runs and exposes input and output names', async () => {
    expect(model.inputNames).toEqual(['a', 'b', 'c']);
    expect(model.outputNames).toEqual(['sum', 'c_out']);
    expect(model.inputShapes).toEqual({ a: ['n'], b: ['n'], c: [2, 3] });
    const out = await model.run({ a: vec(3), b: vec(3), c });
    expect(Array.from(out.sum.data as Float32Array)).toEqual([2, 2, 2]);
  });

  it('runs inputs in shared memory (onnxruntime-node rejects them) from plain copies, one per run in flight', async () => {
    const shared = (values: number[]) => {
      const data = new Float32Array(new SharedArrayBuffer(values.length * 4));
      data.set(values);
      return new ort.Tensor('float32', data, [values.length]);
    };
    const a1 = shared([1, 2, 3]), a2 = shared([10, 20, 30]), b = shared([0.5, 0.5, 0.5]);
    // Started in one tick: both copies are made before either run executes, so they must not share one.
    const [one, two] = await Promise.all([model.run({ a: a1, b, c }), model.run({ a: a2, b, c })]);
    expect(Array.from(one.sum.data as Float32Array)).toEqual([1.5, 2.5, 3.5]);
    expect(Array.from(two.sum.data as Float32Array)).toEqual([10.5, 20.5, 30.5]);
    const again = await model.run({ a: a2, b: vec(3), c });
    expect(Array.from(again.sum.data as Float32Array)).toEqual([11, 21, 31]);
    expect((a1.data as Float32Array).buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('reports every missing input in one error, with the model file', async () => {
    const err = await model.run({ b: vec(2) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NullcamError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain('missing inputs "a", "c"');
    expect((err as Error).message).toContain('"b" float32 [2]');
  });

  it('rejects unknown inputs, wrong fixed dims and wrong dtypes before running', async () => {
    const wrong = new ort.Tensor('float32', new Float32Array(6), [3, 2]);
    const ints = new ort.Tensor('int32', new Int32Array(2), [2]);
    const err = (await model.run({ a: vec(2), b: ints, c: wrong, d: vec(1) }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('unknown input "d"');
    expect(err.message).toContain('input "c" has dims [3,2] but the model expects [2,3]');
    expect(err.message).toContain('input "b" has dtype int32 but the model expects float32');
  });

  it('rethrows a runtime failure with each input name, dtype and dims and keeps the cause', async () => {
    // Lengths 2 and 3 pass the per-input checks (n is dynamic) but cannot broadcast inside Add.
    const err = (await model.run({ a: vec(2), b: vec(3), c }).catch((e: unknown) => e)) as NullcamError;
    expect(err).toBeInstanceOf(NullcamError);
    expect(err.message).toContain(`ONNX model ${file} failed on "a" float32 [2], "b" float32 [3], "c" float32 [2,3]`);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('names the file when loading fails', async () => {
    const missing = path.join(dir, 'absent.onnx');
    await expect(OnnxModel.create(missing)).rejects.toThrow(`Cannot load ONNX model ${missing} with providers [cpu]`);
  });

  it('refuses to run after dispose', async () => {
    const m = await OnnxModel.create(file);
    await m.dispose();
    await m.dispose();
    await expect(m.run({ a: vec(1), b: vec(1), c })).rejects.toThrow('used after dispose()');
  });
});

describe('execution providers', () => {
  it('maps devices through a frozen table with CPU fallback', () => {
    expect(Object.isFrozen(EXECUTION_PROVIDERS)).toBe(true);
    expect(Object.isFrozen(EXECUTION_PROVIDERS.cuda)).toBe(true);
    expect(executionProvidersFor('cpu')).toEqual(['cpu']);
    expect(executionProvidersFor('cuda')).toEqual(['cuda', 'cpu']);
    expect(executionProvidersFor('webgpu')).toEqual(['webgpu', 'cpu']);
    expect(() => executionProvidersFor('tpu' as never)).toThrow('Expected one of cpu, cuda, webgpu for device but received "tpu"');
  });

  it('lists the backends this onnxruntime build has, cpu among them', () => {
    expect(availableBackends()).toContainEqual({ name: 'cpu', bundled: true });
  });
});
