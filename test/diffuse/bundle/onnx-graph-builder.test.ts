/** The graph builder's weight stores: external data (for graphs over 2 GB) gives the same model as inline. */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../../src/diffuse/bundle/onnx-graph-builder.js';
import { buildProjectionGraph } from '../../../src/diffuse/bundle/projection-graph.js';
import { OnnxModel } from '../../../src/models/onnx-session.js';
import { tempDir } from '../../fixtures/media.js';

const tmp = tempDir('nullcam-builder-');
afterAll(() => tmp.remove());
const config = { embeddingSize: 16, hidden: 32, tokens: 2, dim: 8 };

async function run(file: string): Promise<Float32Array> {
  const m = await OnnxModel.create(file);
  try {
    const x = new ort.Tensor('float32', Float32Array.from({ length: 16 }, (_, i) => Math.cos(i)), [1, 16]);
    return (await m.run({ embedding: x })).tokens.data as Float32Array;
  } finally {
    await m.dispose();
  }
}

describe('OnnxGraphBuilder', () => {
  it('writes weights to one external-data file that onnxruntime reads, with the same result as inline', async () => {
    const inline = new OnnxGraphBuilder('p', 5);
    buildProjectionGraph(inline, config);
    writeFileSync(path.join(tmp.dir, 'inline.onnx'), inline.finish());

    const external = new OnnxGraphBuilder('p', 5, { kind: 'external', path: path.join(tmp.dir, 'ext.onnx.data'), location: 'ext.onnx.data' });
    buildProjectionGraph(external, config);
    const proto = external.finish();
    writeFileSync(path.join(tmp.dir, 'ext.onnx'), proto);

    expect(external.parameterCount).toBe(inline.parameterCount);
    expect(statSync(path.join(tmp.dir, 'ext.onnx.data')).size).toBe(4 * external.parameterCount);
    expect(proto.length).toBeLessThan(readFileSync(path.join(tmp.dir, 'inline.onnx')).length - 4 * external.parameterCount + 1024);
    expect(await run(path.join(tmp.dir, 'ext.onnx'))).toEqual(await run(path.join(tmp.dir, 'inline.onnx')));
  });

  it('is a pure function of the seed', () => {
    const bytes = (seed: number) => {
      const g = new OnnxGraphBuilder('p', seed);
      buildProjectionGraph(g, config);
      return Buffer.from(g.finish());
    };
    expect(bytes(1).equals(bytes(1))).toBe(true);
    expect(bytes(1).equals(bytes(2))).toBe(false);
  });
});
