/**
 * Float32Arrays in and out of onnxruntime tensors in the dtype a bundle's manifest declares, so the engine
 * always works in float32 and fp16 bundles convert only at the graph boundary.
 */
import * as ort from 'onnxruntime-node';
import { NullcamError } from '../../errors.js';
import type { TensorSpec } from './bundle-manifest.js';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';

/** A feed for `spec` from float32 values (rounded to half for float16, to integers for int64). */
export function feedTensor(spec: TensorSpec, data: Float32Array | readonly number[], dims: readonly number[]): ort.Tensor {
  const values = data instanceof Float32Array ? data : Float32Array.from(data);
  switch (spec.dtype) {
    case 'float32':
      return new ort.Tensor('float32', values, dims);
    case 'float16':
      return new ort.Tensor('float16', float32ToFloat16(values), dims);
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(Math.round(v))), dims);
  }
}

/**
 * @returns the output's values as float32, checked to hold `count` of them
 * @throws NullcamError naming the output when the graph returned another size or a non-float type
 */
export function outputFloats(t: ort.Tensor | undefined, spec: TensorSpec, count: number, where: string): Float32Array {
  if (!t) throw new NullcamError(`${where} returned no output "${spec.name}"`);
  let values: Float32Array;
  if (t.type === 'float32') values = t.data as Float32Array;
  else if (t.type === 'float16') values = float16ToFloat32(t.data as Uint16Array);
  else throw new NullcamError(`${where} output "${spec.name}" is ${t.type}, expected ${spec.dtype}`);
  if (values.length !== count) throw new NullcamError(`${where} output "${spec.name}" has ${values.length} values [${t.dims.join(',')}] but ${count} were expected`);
  return values;
}

/** Product of the fixed dims after the batch dim (the per-item size), from a manifest shape. */
export function itemSize(spec: TensorSpec): number {
  return spec.shape.slice(1).reduce<number>((p, d) => p * (typeof d === 'number' ? d : Number.NaN), 1);
}
