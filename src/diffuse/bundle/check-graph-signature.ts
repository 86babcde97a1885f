/**
 * Checks a loaded ONNX graph against its manifest entry: every input and output the manifest names exists,
 * with the same element type, rank and fixed dims, dynamic where the manifest says dynamic, and the graph
 * has no input the loader would not feed. Pure: takes the signature onnxruntime reports.
 */
import { NullcamError } from '../../errors.js';
import type { TensorSignature } from '../../models/onnx-session.js';
import { formatShape, type ModelSpec, type TensorSpec } from './bundle-manifest.js';

/**
 * @param signature what the session reports (OnnxModel.signature)
 * @param spec the manifest's entry for this model
 * @param key the entry's key in manifest.json (e.g. "unet")
 * @param where how to name the file in errors (bundle dir and file)
 * @throws NullcamError, one line: which file, which input or output, expected (manifest) vs found (graph)
 */
export function checkGraphSignature(
  signature: { inputs: readonly TensorSignature[]; outputs: readonly TensorSignature[] },
  spec: ModelSpec<string, string>,
  key: string,
  where: string,
): void {
  for (const side of ['inputs', 'outputs'] as const) {
    const graph = signature[side];
    const declared = Object.entries(spec[side] as Record<string, TensorSpec>);
    const noun = side === 'inputs' ? 'input' : 'output';
    for (const [role, t] of declared) {
      const found = graph.find((g) => g.name === t.name);
      const at = `${where} ${noun} "${t.name}" (manifest ${key}.${side}.${role})`;
      if (!found) throw new NullcamError(`${where} has no ${noun} "${t.name}" (manifest ${key}.${side}.${role}); the graph's ${side} are ${graph.map((g) => `"${g.name}"`).join(', ')}`, 2);
      if (found.type !== t.dtype) throw new NullcamError(`${at}: expected dtype ${t.dtype} but the graph has ${found.type}`, 2);
      // onnxruntime reports no dims for an output whose shape the graph leaves unknown: nothing to compare.
      if (side === 'outputs' && found.shape.length === 0 && t.shape.length > 0) continue;
      if (!shapeFits(t.shape, found.shape)) throw new NullcamError(`${at}: expected shape ${formatShape(t.shape)} but the graph has ${formatShape(found.shape.map(showDim))}`, 2);
    }
    if (side === 'inputs') {
      const named = new Set(declared.map(([, t]) => t.name));
      const extra = graph.find((g) => !named.has(g.name));
      if (extra) throw new NullcamError(`${where} has input "${extra.name}" that manifest ${key}.inputs does not name, so nothing would feed it (manifest names ${[...named].map((n) => `"${n}"`).join(', ')})`, 2);
    }
  }
}

/** Fixed manifest dims must match; a dynamic (named) manifest dim needs a dynamic graph dim, since any size is fed. */
function shapeFits(want: ReadonlyArray<number | string>, have: ReadonlyArray<number | string>): boolean {
  if (want.length !== have.length) return false;
  return want.every((w, i) => {
    const h = have[i];
    const dynamic = typeof h !== 'number' || h < 0;
    return typeof w === 'string' ? dynamic : dynamic || h === w;
  });
}

function showDim(d: number | string): number | string {
  return typeof d === 'number' && d < 0 ? '?' : d;
}
