/**
 * Finds the parts of a TF1 while loop (one control-flow "frame") in a flat node list, so the converter
 * can lower it to one ONNX Loop. TF1 spells a loop as Enter → Merge → Switch → body → NextIteration →
 * back into Merge, with LoopCond steering every Switch and Exit leaving the frame; tfjs keeps that form
 * (TF OD API models such as faceboxes map their NMS over the batch with it).
 */
import { NullcamError } from '../errors.js';
import { attrBool, attrString, type TfjsNode } from './tfjs-graph.js';

/** One loop-carried variable: Enter(initial) → Merge ⇄ NextIteration, read in the body through Switch:1. */
export interface CarriedVar {
  readonly merge: TfjsNode;
  readonly enter: TfjsNode;
  readonly switchNode: TfjsNode;
  /** The NextIteration node; its input is the value for the next round. */
  readonly next: TfjsNode;
  /** The Exit node reading Switch:0, when the value is used after the loop. */
  readonly exit: TfjsNode | undefined;
  /** Set when the variable is a TensorArray's flow: the TensorArrayV3 node's name. */
  readonly tensorArray: string | undefined;
}

export interface WhileFrame {
  readonly name: string;
  readonly carried: readonly CarriedVar[];
  /** Loop-invariant values entering the frame (Enter with is_constant). */
  readonly constants: readonly TfjsNode[];
  readonly loopCond: TfjsNode;
}

/**
 * Collects the frame an Enter, Merge, Switch or Exit node belongs to.
 * @param nodes the whole graph
 * @param member a node of the frame (e.g. the Exit the converter reached)
 * @throws NullcamError when the loop has a shape this reading does not know (nested frames, several LoopConds)
 */
export function whileFrameOf(nodes: readonly TfjsNode[], member: TfjsNode): WhileFrame {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const consumers = new Map<string, Array<{ node: TfjsNode; index: number }>>();
  for (const n of nodes) {
    n.inputs.forEach((ref, index) => {
      const src = ref.replace(/:\d+$/, '');
      const list = consumers.get(src) ?? [];
      list.push({ node: n, index });
      consumers.set(src, list);
    });
  }
  const fail = (what: string) => new NullcamError(`cannot convert while loop at ${member.name}: ${what}`);
  const get = (ref: string): TfjsNode => {
    const n = byName.get(ref.replace(/:\d+$/, ''));
    if (!n) throw fail(`missing node ${ref}`);
    return n;
  };

  // Walk back to an Enter to learn the frame name: Exit ← Switch ← Merge ← Enter.
  let probe = member;
  for (let steps = 0; probe.op !== 'Enter'; steps++) {
    if (steps > 3 || probe.inputs.length === 0) throw fail(`no Enter above ${member.name}`);
    probe = get(probe.inputs[0]);
  }
  const name = attrString(probe, 'frame_name');
  if (!name) throw fail(`Enter ${probe.name} has no frame_name`);

  const enters = nodes.filter((n) => n.op === 'Enter' && attrString(n, 'frame_name') === name);
  const carried: CarriedVar[] = [];
  const constants: TfjsNode[] = [];
  const loopConds = new Set<TfjsNode>();
  for (const enter of enters) {
    if (attrBool(enter, 'is_constant')) {
      constants.push(enter);
      continue;
    }
    const merges = (consumers.get(enter.name) ?? []).filter((c) => c.node.op === 'Merge');
    if (merges.length !== 1) {
      // A TensorArray handle entering the body is loop-invariant even when not flagged so.
      constants.push(enter);
      continue;
    }
    const merge = merges[0].node;
    const next = get(merge.inputs[1]);
    if (next.op !== 'NextIteration') throw fail(`Merge ${merge.name} is not fed back by a NextIteration`);
    const switches = (consumers.get(merge.name) ?? []).filter((c) => c.node.op === 'Switch');
    if (switches.length !== 1) throw fail(`Merge ${merge.name} feeds ${switches.length} Switch nodes`);
    const switchNode = switches[0].node;
    loopConds.add(get(switchNode.inputs[1]));
    const exit = (consumers.get(switchNode.name) ?? []).find((c) => c.node.op === 'Exit' && !/:1$/.test(c.node.inputs[0]))?.node;
    const source = get(enter.inputs[0]);
    const tensorArray = source.op === 'TensorArrayV3' && enter.inputs[0].endsWith(':1') ? source.name : undefined;
    carried.push({ merge, enter, switchNode, next, exit, tensorArray });
  }
  if (loopConds.size !== 1) throw fail(`expected one LoopCond, found ${loopConds.size}`);
  const loopCond = [...loopConds][0];
  if (loopCond.op !== 'LoopCond') throw fail(`Switch predicate ${loopCond.name} is a ${loopCond.op}, not a LoopCond`);
  return { name, carried, constants, loopCond };
}
