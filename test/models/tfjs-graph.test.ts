import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attrInts, attrString, attrStrings, float16ToFloat32, readTfjsGraph } from '../../src/models/tfjs-graph.js';
import { loadTfjsModel } from './tfjs-reference.js';

const HUMAN = fileURLToPath(new URL('../../node_modules/@vladmandic/human/models/', import.meta.url));

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'nullcam-tfjs-graph-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('float16ToFloat32', () => {
  it('decodes normals, subnormals, signed zero, infinities and NaN exactly', () => {
    const out = float16ToFloat32(Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x3555]));
    expect(Array.from(out.slice(0, 5))).toEqual([1, -2, 65504, 2 ** -24, 2 ** -14]);
    expect(Object.is(out[5], -0)).toBe(true);
    expect([out[6], out[7]]).toEqual([Infinity, -Infinity]);
    expect(out[8]).toBeNaN();
    expect(out[9]).toBe(0.333251953125);
  });
});

describe('readTfjsGraph', () => {
  // facemesh carries float16-quantized weights, handtrack uint8-quantized ones: both must decode exactly as tfjs does.
  for (const name of ['facemesh', 'handtrack']) {
    it(`dequantizes ${name} bit-for-bit like tfjs`, async () => {
      const source = path.join(HUMAN, `${name}.json`);
      const graph = await readTfjsGraph(source);
      const reference = await loadTfjsModel(source);
      try {
        const tfWeights = reference.weights;
        expect(graph.weights.size).toBe(Object.keys(tfWeights).length);
        for (const [wname, w] of graph.weights) {
          const t = tfWeights[wname][0];
          expect(w.shape, wname).toEqual(t.shape);
          expect(w.dtype, wname).toBe(t.dtype);
          expect(Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength).equals(Buffer.from((t.dataSync() as Float32Array).buffer)), wname).toBe(true);
        }
      } finally {
        reference.dispose();
      }
    });
  }

  it('reports inputs and outputs under the names and in the order tfjs uses', async () => {
    const graph = await readTfjsGraph(path.join(HUMAN, 'facemesh.json'));
    expect(graph.inputs).toEqual([{ key: 'input_1', tensor: 'input_1' }]);
    expect(graph.outputs.map((o) => o.key)).toEqual(['output_mesh', 'output_faceflag', 'output_contours']);
    expect(graph.files.map((f) => path.basename(f))).toEqual(['facemesh.json', 'facemesh.bin']);
  });

  it('decodes node attributes', async () => {
    const graph = await readTfjsGraph(path.join(HUMAN, 'blazeface.json'));
    const conv = graph.nodes.find((n) => n.op === '_FusedConv2D')!;
    expect(attrString(conv, 'padding')).toBe('SAME');
    expect(attrInts(conv, 'strides')).toEqual([1, 2, 2, 1]);
    expect(attrStrings(conv, 'fused_ops')).toEqual(['BiasAdd', 'Relu']);
  });

  it('names the model and weight when shards are short or a dtype is unknown', async () => {
    const json = (weights: unknown) => ({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [{ paths: ['w.bin'], weights }] });
    await writeFile(path.join(tmp, 'w.bin'), Buffer.alloc(8));
    const short = path.join(tmp, 'short.json');
    await writeFile(short, JSON.stringify(json([{ name: 'k', shape: [3], dtype: 'float32' }])));
    await expect(readTfjsGraph(short)).rejects.toThrow(`${short}: weight k needs bytes 0..12 but shards hold 8`);
    const odd = path.join(tmp, 'odd.json');
    await writeFile(odd, JSON.stringify(json([{ name: 's', shape: [1], dtype: 'string' }])));
    await expect(readTfjsGraph(odd)).rejects.toThrow(`${odd}: weight s has dtype string; only float32 and int32 are supported`);
    const notGraph = path.join(tmp, 'layers.json');
    await writeFile(notGraph, JSON.stringify({ format: 'layers-model', modelTopology: { config: {} } }));
    await expect(readTfjsGraph(notGraph)).rejects.toThrow(`${notGraph} is not a TFJS graph model (no modelTopology.node)`);
  });
});
