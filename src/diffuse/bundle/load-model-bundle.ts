/**
 * Loads a model bundle directory into the ModelBundle the diffusion engine runs on: reads and checks
 * manifest.json, checks every file's sha256, picks the execution provider, opens one session per graph,
 * checks each graph's inputs and outputs against the manifest, and wraps the sessions in the engine's seams.
 * Every failure is one NullcamError line naming the file, the input and expected vs found.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { NullcamError } from '../../errors.js';
import { chooseExecutionProvider, type ProviderPreference, type ProviderTrial } from '../../models/execution-provider.js';
import { OnnxModel } from '../../models/onnx-session.js';
import type { ModelBundle } from '../model-bundle.js';
import { MANIFEST_FILE, MODEL_ROLES, parseBundleManifest, type BundleManifest, type DataFileSpec, type ModelKey, type ModelSpec } from './bundle-manifest.js';
import { checkGraphSignature } from './check-graph-signature.js';
import { fileSha256 } from './file-sha256.js';
import { readTensorFile } from './npy-file.js';
import { OnnxIdentityEncoder } from './onnx-identity-encoder.js';
import { OnnxIdentityProjector } from './onnx-identity-projector.js';
import { OnnxLatentCodec } from './onnx-latent-codec.js';
import { OnnxNoisePredictor } from './onnx-noise-predictor.js';

export interface LoadModelBundleOptions {
  /** 'auto' (default): CUDA when it loads, else CPU. WebGPU only when named (see execution-provider.ts). */
  readonly executionProvider?: ProviderPreference;
  /** Check every file's sha256 against the manifest (default true; ~2 s per GB). */
  readonly verify?: boolean;
  /** onnxruntime intra-op threads per session (default: OnnxModel's, 1). */
  readonly intraOpNumThreads?: number;
}

/** A ModelBundle plus what `doctor` and logs report about it. */
export interface LoadedModelBundle extends ModelBundle {
  readonly manifest: BundleManifest;
  /** Each provider considered, and why it was or was not used. */
  readonly providerTrials: readonly ProviderTrial[];
}

const HOW_TO_GET_ONE = 'export one with scripts/export-bundle.py (README, "Model bundles"), or for tests run "nullcam models make-test-bundle DIR"';

/**
 * @param dir the bundle directory (holding manifest.json)
 * @param options provider preference, checksum verification, threads
 * @returns the open bundle; call `close()` when done
 * @throws NullcamError (one line) for a missing or invalid manifest, a missing or changed file, a graph whose
 *   inputs or outputs differ from the manifest, or a provider that cannot run it
 * @example const b = await loadModelBundle('bundles/test'); b.predictor.latent // { channels: 4, height: 8, width: 8 }
 */
export async function loadModelBundle(dir: string, options: LoadModelBundleOptions = {}): Promise<LoadedModelBundle> {
  const manifestPath = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (err) {
    throw new NullcamError(`No model bundle at ${dir}: ${MANIFEST_FILE} is missing; ${HOW_TO_GET_ONE}`, 2, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NullcamError(`${manifestPath} is not valid JSON: ${(err as Error).message}`, 2, { cause: err });
  }
  const manifest = parseBundleManifest(json, manifestPath);
  await checkFiles(dir, manifest, options.verify ?? true);

  const keys = (Object.keys(MODEL_ROLES) as ModelKey[]).filter((k) => manifest[k] !== undefined);
  const specOf = (k: ModelKey) => manifest[k] as ModelSpec<string, string>;
  const fileOf = (k: ModelKey) => path.join(dir, specOf(k).file);
  // Probe providers with the smallest graph: 'auto' must not load a multi-GB UNet once per candidate.
  const sizes = await Promise.all(keys.map(async (k) => (await stat(fileOf(k))).size));
  const probe = fileOf(keys[sizes.indexOf(Math.min(...sizes))]);
  const choice = await chooseExecutionProvider(options.executionProvider ?? 'auto', probe);
  const fp16 = keys.some((k) => Object.values(specOf(k).inputs).some((t) => t.dtype === 'float16'));

  const models = new Map<ModelKey, OnnxModel>();
  const closeAll = () => Promise.all([...models.values()].map((m) => m.dispose()));
  try {
    for (const k of keys) {
      const model = await OnnxModel.create(fileOf(k), { executionProviders: choice.providers, intraOpNumThreads: options.intraOpNumThreads }).catch((err: NullcamError) => {
        const hint = fp16 && choice.device === 'cpu' ? ' (an fp16 bundle on the CPU provider: use --ep cuda, or export the bundle in fp32 for CPU)' : '';
        throw new NullcamError(`${err.message.split('\n')[0]}${hint}`, 1, { cause: err });
      });
      models.set(k, model);
      checkGraphSignature(model.signature, specOf(k), k, `Model bundle ${dir}: ${specOf(k).file}`);
    }
    return await assemble(dir, manifest, models, choice.device, choice.trials, closeAll);
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Every listed file exists (and, with `verify`, has the listed sha256). */
async function checkFiles(dir: string, manifest: BundleManifest, verify: boolean): Promise<void> {
  for (const [file, want] of Object.entries(manifest.files)) {
    const full = path.join(dir, file);
    const st = await stat(full).catch(() => undefined);
    if (!st?.isFile()) throw new NullcamError(`Model bundle ${dir}: ${file} is missing (${MANIFEST_FILE} lists it); copy the whole bundle directory again or ${HOW_TO_GET_ONE}`, 2);
    if (!verify) continue;
    const found = await fileSha256(full);
    if (found !== want) throw new NullcamError(`Model bundle ${dir}: ${file} has sha256 ${found} but ${MANIFEST_FILE} says ${want}; the file is corrupt or was changed: copy or export the bundle again`, 2);
  }
}

async function assemble(
  dir: string,
  m: BundleManifest,
  models: ReadonlyMap<ModelKey, OnnxModel>,
  device: string,
  providerTrials: readonly ProviderTrial[],
  close: () => Promise<unknown>,
): Promise<LoadedModelBundle> {
  const get = (k: ModelKey) => models.get(k) as OnnxModel;
  const data = async (spec: DataFileSpec | undefined) => {
    const file = spec && path.join(dir, spec.file);
    return spec && file ? readTensorFile(await readFile(file), spec.dtype, spec.shape, file) : undefined;
  };
  const nullText = await data(m.nullText);
  const projector = m.projector ? new OnnxIdentityProjector(get('projector'), m.projector) : undefined;
  // The null identity condition is the projection of a zero embedding (bias-driven tokens): shipped, or made once.
  const shipped = await data(m.nullIdentity);
  let nullIdentity: Promise<Float32Array> | undefined = shipped && Promise.resolve(shipped);
  const nullIdentityTokens = () => {
    if (!projector && !nullIdentity) throw new NullcamError(`Model bundle ${dir}: the UNet takes identity tokens but the bundle has no projector`, 2);
    nullIdentity ??= projector!.project(new Float32Array(projector!.embeddingSize));
    return nullIdentity;
  };
  return {
    dir,
    family: m.family,
    manifest: m,
    scheduler: m.scheduler,
    predictor: new OnnxNoisePredictor(get('unet'), m.unet, m.latent, nullText, nullIdentityTokens),
    codec: new OnnxLatentCodec(get('vaeEncoder'), m.vaeEncoder, get('vaeDecoder'), m.vaeDecoder, m.latent, m.imageSize, m.scalingFactor),
    ...(projector ? { projector } : {}),
    ...(m.identityEncoder ? { identityEncoder: new OnnxIdentityEncoder(get('identityEncoder'), m.identityEncoder) } : {}),
    ...(nullText ? { nullText } : {}),
    executionProvider: device,
    providerTrials,
    close: async () => {
      await close();
    },
  };
}
