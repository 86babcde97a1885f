/**
 * manifest.json of a model bundle: what each ONNX file is, its input/output names, dtypes and shapes, the
 * latent and image geometry, the scheduler, and the sha256 of every file. Parsed strictly (unknown keys
 * are errors) into a frozen, typed object; every message names the key path and says expected vs found.
 * Pure: no I/O (load-model-bundle.ts reads the file and checks it against the graphs and checksums).
 */
import { NullcamError } from '../../errors.js';
import type { SchedulerConfig } from '../model-bundle.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'nullcam-model-bundle';
export const MANIFEST_VERSION = 1;

export type TensorDtype = 'float32' | 'float16' | 'int64';
const TENSOR_DTYPES: readonly TensorDtype[] = ['float32', 'float16', 'int64'];

/** One graph input or output. A string dim is dynamic (any size; the batch dim must be one). */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: TensorDtype;
  readonly shape: ReadonlyArray<number | string>;
}

export interface ModelSpec<I extends string, O extends string> {
  readonly file: string;
  readonly inputs: Readonly<Record<I, TensorSpec>>;
  readonly outputs: Readonly<Record<O, TensorSpec>>;
}

/** The UNet's roles. `text` and `identity` are absent for an unconditional UNet (secure mode). */
export type UnetSpec = ModelSpec<'sample' | 'timestep', 'noise'> & { readonly inputs: Partial<Record<'text' | 'identity', TensorSpec>> };

export interface IdentityEncoderSpec extends ModelSpec<'image', 'embedding'> {
  /** The 5 alignment points (eyes, nose tip, mouth corners) in crop pixels; ArcFace: arcface_dst at 112². */
  readonly template: ReadonlyArray<readonly [number, number]>;
  /** Channel order the graph wants (InsightFace's ArcFace: bgr). */
  readonly channelOrder: 'rgb' | 'bgr';
  /** Pixel range the graph wants; [-1,1] crops are mapped linearly onto it (ArcFace: [-1,1]). */
  readonly inputRange: readonly [number, number];
}

export interface DataFileSpec {
  readonly file: string;
  readonly dtype: 'float32' | 'float16';
  readonly shape: readonly number[];
}

export interface BundleManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: typeof MANIFEST_VERSION;
  /** e.g. "sd15-ip-adapter-faceid", or "test" for the project's random-weight bundle. */
  readonly family: string;
  readonly description?: string;
  readonly latent: { readonly channels: number; readonly height: number; readonly width: number };
  readonly imageSize: number;
  /** VAE latent scaling factor (SD 1.5: 0.18215); the loader applies it so latents are unit-variance. */
  readonly scalingFactor: number;
  readonly scheduler: SchedulerConfig;
  readonly unet: UnetSpec;
  readonly vaeEncoder: ModelSpec<'image', 'latent'>;
  readonly vaeDecoder: ModelSpec<'latent', 'image'>;
  readonly projector?: ModelSpec<'embedding', 'tokens'>;
  readonly identityEncoder?: IdentityEncoderSpec;
  /** The empty prompt's text context, tokens × dim (.npy, or raw little-endian with this shape). */
  readonly nullText?: DataFileSpec;
  /**
   * Precomputed null identity tokens (the projection of a zero embedding), tokens × dim. With a projector
   * they save one run; without one the bundle can only feed the null identity (no identity guidance).
   */
  readonly nullIdentity?: DataFileSpec;
  /** Relative path → sha256 (hex) of every file the bundle holds, ONNX external data included. */
  readonly files: Readonly<Record<string, string>>;
}

/** Which manifest key the roles of each model live under. */
export const MODEL_ROLES = Object.freeze({
  unet: { inputs: ['sample', 'timestep'], optionalInputs: ['text', 'identity'], outputs: ['noise'] },
  vaeEncoder: { inputs: ['image'], optionalInputs: [], outputs: ['latent'] },
  vaeDecoder: { inputs: ['latent'], optionalInputs: [], outputs: ['image'] },
  projector: { inputs: ['embedding'], optionalInputs: [], outputs: ['tokens'] },
  identityEncoder: { inputs: ['image'], optionalInputs: [], outputs: ['embedding'] },
} as const);

export type ModelKey = keyof typeof MODEL_ROLES;

type Json = unknown;

/**
 * Parses and checks manifest.json's content.
 * @param json the parsed JSON
 * @param source how to name the file in errors (its path)
 * @throws NullcamError, one line: `<source>: <key path>: expected … but found …`
 */
export function parseBundleManifest(json: Json, source: string): BundleManifest {
  const p = new Parser(source);
  const root = p.object(json, '', [
    'format', 'version', 'family', 'description', 'latent', 'imageSize', 'scalingFactor', 'scheduler',
    'unet', 'vaeEncoder', 'vaeDecoder', 'projector', 'identityEncoder', 'nullText', 'nullIdentity', 'files',
  ]);
  if (root.format !== MANIFEST_FORMAT) p.fail('format', `"${MANIFEST_FORMAT}"`, root.format);
  if (root.version !== MANIFEST_VERSION) p.fail('version', String(MANIFEST_VERSION), root.version);
  const latentObj = p.object(root.latent, 'latent', ['channels', 'height', 'width']);
  const latent = { channels: p.int(latentObj.channels, 'latent.channels'), height: p.int(latentObj.height, 'latent.height'), width: p.int(latentObj.width, 'latent.width') };
  const s = p.object(root.scheduler, 'scheduler', ['numTrainTimesteps', 'betaStart', 'betaEnd', 'betaSchedule', 'stepsOffset', 'timestepSpacing']);
  const scheduler: SchedulerConfig = {
    numTrainTimesteps: p.int(s.numTrainTimesteps, 'scheduler.numTrainTimesteps'),
    betaStart: p.num(s.betaStart, 'scheduler.betaStart'),
    betaEnd: p.num(s.betaEnd, 'scheduler.betaEnd'),
    betaSchedule: p.oneOf(s.betaSchedule, 'scheduler.betaSchedule', ['scaled_linear', 'linear'] as const),
    stepsOffset: p.int(s.stepsOffset, 'scheduler.stepsOffset', 0),
    timestepSpacing: p.oneOf(s.timestepSpacing, 'scheduler.timestepSpacing', ['leading', 'trailing', 'linspace'] as const),
  };
  const filesObj = p.object(root.files, 'files', null);
  const files: Record<string, string> = {};
  for (const [f, h] of Object.entries(filesObj)) {
    p.relativePath(f, `files["${f}"]`);
    if (typeof h !== 'string' || !/^[0-9a-f]{64}$/.test(h)) p.fail(`files["${f}"]`, 'a sha256 as 64 lowercase hex digits', h);
    files[f] = h as string;
  }
  const model = <K extends ModelKey>(key: K, extra: readonly string[] = []) => p.model(root[key], key, MODEL_ROLES[key], extra, files);
  const unet = model('unet') as unknown as UnetSpec;
  const vaeEncoder = model('vaeEncoder') as unknown as ModelSpec<'image', 'latent'>;
  const vaeDecoder = model('vaeDecoder') as unknown as ModelSpec<'latent', 'image'>;
  const projector = root.projector === undefined ? undefined : (model('projector') as unknown as ModelSpec<'embedding', 'tokens'>);
  let identityEncoder: IdentityEncoderSpec | undefined;
  if (root.identityEncoder !== undefined) {
    const base = model('identityEncoder', ['template', 'channelOrder', 'inputRange']);
    const raw = root.identityEncoder as Record<string, Json>;
    const template = p.array(raw.template, 'identityEncoder.template', 5).map((pt, i) => {
      const xy = p.array(pt, `identityEncoder.template[${i}]`, 2);
      return [p.num(xy[0], `identityEncoder.template[${i}][0]`), p.num(xy[1], `identityEncoder.template[${i}][1]`)] as const;
    });
    const range = p.array(raw.inputRange, 'identityEncoder.inputRange', 2).map((v, i) => p.num(v, `identityEncoder.inputRange[${i}]`));
    identityEncoder = { ...(base as unknown as ModelSpec<'image', 'embedding'>), template, channelOrder: p.oneOf(raw.channelOrder, 'identityEncoder.channelOrder', ['rgb', 'bgr'] as const), inputRange: [range[0], range[1]] };
  }
  const nullText = root.nullText === undefined ? undefined : p.dataFile(root.nullText, 'nullText', files);
  const nullIdentity = root.nullIdentity === undefined ? undefined : p.dataFile(root.nullIdentity, 'nullIdentity', files);
  const manifest: BundleManifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    family: p.string(root.family, 'family'),
    ...(root.description === undefined ? {} : { description: p.string(root.description, 'description') }),
    latent,
    imageSize: p.int(root.imageSize, 'imageSize'),
    scalingFactor: p.num(root.scalingFactor, 'scalingFactor'),
    scheduler,
    unet,
    vaeEncoder,
    vaeDecoder,
    ...(projector ? { projector } : {}),
    ...(identityEncoder ? { identityEncoder } : {}),
    ...(nullText ? { nullText } : {}),
    ...(nullIdentity ? { nullIdentity } : {}),
    files,
  };
  checkConsistency(manifest, p);
  return deepFreeze(manifest);
}

/** The cross-checks between parts: shapes that must agree for the engine to feed one model from another. */
function checkConsistency(m: BundleManifest, p: Parser): void {
  const { channels: C, height: H, width: W } = m.latent;
  const latentShape = ['batch', C, H, W];
  p.shape(m.unet.inputs.sample, 'unet.inputs.sample', latentShape);
  p.shape(m.unet.outputs.noise, 'unet.outputs.noise', latentShape);
  p.shape(m.unet.inputs.timestep, 'unet.inputs.timestep', ['batch']);
  p.shape(m.vaeEncoder.inputs.image, 'vaeEncoder.inputs.image', ['batch', 3, m.imageSize, m.imageSize]);
  p.shape(m.vaeEncoder.outputs.latent, 'vaeEncoder.outputs.latent', latentShape);
  p.shape(m.vaeDecoder.inputs.latent, 'vaeDecoder.inputs.latent', latentShape);
  p.shape(m.vaeDecoder.outputs.image, 'vaeDecoder.outputs.image', ['batch', 3, m.imageSize, m.imageSize]);
  const text = m.unet.inputs.text;
  if (text) {
    if (!m.nullText) p.fail('nullText', 'the empty-prompt context, since unet.inputs.text exists', undefined);
    p.shape(text, 'unet.inputs.text', ['batch', ...m.nullText!.shape]);
  } else if (m.nullText) p.fail('nullText', 'no text context, since the UNet has no unet.inputs.text', m.nullText.file);
  const identity = m.unet.inputs.identity;
  if (identity) {
    const [, k, d] = identity.shape;
    p.shape(identity, 'unet.inputs.identity', ['batch', p.int(k, 'unet.inputs.identity.shape[1]'), p.int(d, 'unet.inputs.identity.shape[2]')]);
    if (m.nullIdentity && m.nullIdentity.shape.join(',') !== `${k},${d}`) p.fail('nullIdentity.shape', `[${k},${d}] (unet.inputs.identity)`, m.nullIdentity.shape);
  } else if (m.nullIdentity) p.fail('nullIdentity', 'no identity tokens, since the UNet has no unet.inputs.identity', m.nullIdentity.file);
  if (identity && (m.projector || !m.nullIdentity)) {
    if (!m.projector) p.fail('projector', 'the identity projection (or nullIdentity tokens), since unet.inputs.identity exists', undefined);
    if (!m.identityEncoder) p.fail('identityEncoder', 'the identity encoder, since unet.inputs.identity exists', undefined);
    p.shape(m.projector!.outputs.tokens, 'projector.outputs.tokens', identity.shape);
    const e = p.int(m.identityEncoder!.outputs.embedding.shape[1], 'identityEncoder.outputs.embedding.shape[1]');
    p.shape(m.identityEncoder!.outputs.embedding, 'identityEncoder.outputs.embedding', ['batch', e]);
    p.shape(m.projector!.inputs.embedding, 'projector.inputs.embedding', ['batch', e]);
    const s = p.int(m.identityEncoder!.inputs.image.shape[2], 'identityEncoder.inputs.image.shape[2]');
    p.shape(m.identityEncoder!.inputs.image, 'identityEncoder.inputs.image', ['batch', 3, s, s]);
  }
  for (const [key, spec] of Object.entries({ 'unet.inputs.sample': m.unet.inputs.sample, 'unet.inputs.timestep': m.unet.inputs.timestep, 'vaeEncoder.inputs.image': m.vaeEncoder.inputs.image, 'vaeDecoder.inputs.latent': m.vaeDecoder.inputs.latent })) {
    if (key !== 'unet.inputs.timestep' && spec.dtype === 'int64') p.fail(`${key}.dtype`, 'float32 or float16', spec.dtype);
  }
}

class Parser {
  constructor(private readonly source: string) {}

  fail(key: string, expected: string, found: Json): never {
    const shown = found === undefined ? 'nothing' : JSON.stringify(found)?.slice(0, 80);
    throw new NullcamError(`${this.source}: ${key || 'top level'}: expected ${expected} but found ${shown}`, 2);
  }

  object(v: Json, key: string, allowed: readonly string[] | null): Record<string, Json> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(key, 'an object', v);
    const o = v as Record<string, Json>;
    if (allowed) {
      const unknown = Object.keys(o).find((k) => !allowed.includes(k));
      if (unknown !== undefined) this.fail(key ? `${key}.${unknown}` : unknown, `one of the keys ${allowed.join(', ')}`, unknown);
    }
    return o;
  }

  array(v: Json, key: string, length?: number): Json[] {
    if (!Array.isArray(v) || (length !== undefined && v.length !== length)) this.fail(key, length === undefined ? 'an array' : `an array of ${length}`, v);
    return v as Json[];
  }

  string(v: Json, key: string): string {
    if (typeof v !== 'string' || v === '') this.fail(key, 'a non-empty string', v);
    return v as string;
  }

  num(v: Json, key: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, 'a number', v);
    return v as number;
  }

  int(v: Json, key: string, min = 1): number {
    if (!Number.isInteger(v) || (v as number) < min) this.fail(key, `an integer ≥ ${min}`, v);
    return v as number;
  }

  oneOf<T extends string>(v: Json, key: string, options: readonly T[]): T {
    if (!options.includes(v as T)) this.fail(key, `one of ${options.join(', ')}`, v);
    return v as T;
  }

  relativePath(f: string, key: string): void {
    if (f === '' || f.startsWith('/') || f.includes('\\') || f.split('/').some((part) => part === '..' || part === '.' || part === '')) this.fail(key, 'a relative path inside the bundle', f);
  }

  dataFile(v: Json, key: string, files: Readonly<Record<string, string>>): DataFileSpec {
    const n = this.object(v, key, ['file', 'dtype', 'shape']);
    return {
      file: this.file(n.file, `${key}.file`, files),
      dtype: this.oneOf(n.dtype, `${key}.dtype`, ['float32', 'float16'] as const),
      shape: this.array(n.shape, `${key}.shape`, 2).map((d, i) => this.int(d, `${key}.shape[${i}]`)),
    };
  }

  /** A file name that `files` lists (so it has a checksum). */
  file(v: Json, key: string, files: Readonly<Record<string, string>>): string {
    const f = this.string(v, key);
    this.relativePath(f, key);
    if (!(f in files)) this.fail(key, 'a file listed in "files" with its sha256', f);
    return f;
  }

  tensor(v: Json, key: string): TensorSpec {
    const t = this.object(v, key, ['name', 'dtype', 'shape']);
    const shape = this.array(t.shape, `${key}.shape`).map((d, i) => {
      if (typeof d === 'string' && d !== '') return d;
      return this.int(d, `${key}.shape[${i}]`);
    });
    return { name: this.string(t.name, `${key}.name`), dtype: this.oneOf(t.dtype, `${key}.dtype`, TENSOR_DTYPES), shape };
  }

  model(
    v: Json,
    key: string,
    roles: { readonly inputs: readonly string[]; readonly optionalInputs: readonly string[]; readonly outputs: readonly string[] },
    extra: readonly string[],
    files: Readonly<Record<string, string>>,
  ): ModelSpec<string, string> {
    const o = this.object(v, key, ['file', 'inputs', 'outputs', ...extra]);
    const side = (which: 'inputs' | 'outputs', required: readonly string[], optional: readonly string[]) => {
      const obj = this.object(o[which], `${key}.${which}`, [...required, ...optional]);
      const out: Record<string, TensorSpec> = {};
      for (const role of [...required, ...optional]) {
        if (obj[role] === undefined) {
          if (required.includes(role)) this.fail(`${key}.${which}.${role}`, 'a tensor {name, dtype, shape}', undefined);
          continue;
        }
        out[role] = this.tensor(obj[role], `${key}.${which}.${role}`);
      }
      return out;
    };
    return { file: this.file(o.file, `${key}.file`, files), inputs: side('inputs', roles.inputs, roles.optionalInputs), outputs: side('outputs', roles.outputs, []) };
  }

  /** Checks a spec's shape against the one the bundle's geometry implies; string dims must stay dynamic. */
  shape(spec: TensorSpec, key: string, want: ReadonlyArray<number | string>): void {
    const ok = spec.shape.length === want.length && spec.shape.every((d, i) => (typeof want[i] === 'string' ? typeof d === 'string' : d === want[i]));
    if (!ok) this.fail(`${key}.shape`, formatShape(want), spec.shape);
  }
}

export function formatShape(shape: ReadonlyArray<number | string>): string {
  return `[${shape.join(',')}]`;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
