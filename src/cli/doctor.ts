/** `nullcam doctor`: which ffmpeg, which execution providers, which models and bundle — what a bug report needs. */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { loadModelBundle } from '../diffuse/bundle/load-model-bundle.js';
import { locateFfmpeg } from '../ingest/ffmpeg-binary.js';
import { liveInputSupport, type LiveInputSupport } from '../ingest/live-input-support.js';
import { chooseExecutionProvider, type ProviderPreference } from '../models/execution-provider.js';
import type { ModelStore } from '../models/model-store.js';
import { availableBackends } from '../models/onnx-session.js';

export interface DoctorReport {
  readonly node: string;
  readonly cpus: number;
  readonly ffmpeg: { path: string; version: string; origin: string; ffprobe: string | null; liveInputs: LiveInputSupport } | { error: string };
  readonly backends: ReadonlyArray<{ name: string; bundled: boolean }>;
  readonly executionProvider: { device: string; trials: ReadonlyArray<{ device: string; ok: boolean; reason: string }> } | { error: string };
  readonly modelDir: string;
  readonly models: ReadonlyArray<{ name: string; path: string; sha256: string; intact: boolean }>;
  /** With `doctor --bundle DIR`: the diffusion model bundle, loaded and verified as a run would. */
  readonly bundle?: BundleReport | { dir: string; error: string };
}

export interface BundleReport {
  readonly dir: string;
  readonly family: string;
  readonly latent: string;
  readonly dtype: string;
  readonly conditioning: string;
  readonly device: string;
  readonly trials: ReadonlyArray<{ device: string; ok: boolean; reason: string }>;
}

export async function doctorReport(store: ModelStore, ffmpegOverride: string | undefined, preference: ProviderPreference, probeModel: string, bundleDir?: string): Promise<DoctorReport> {
  const ffmpeg = await locateFfmpeg(ffmpegOverride ? { override: ffmpegOverride } : {}).then(
    async (b) => ({ path: b.ffmpeg, version: b.version, origin: b.origin, ffprobe: b.ffprobe, liveInputs: await liveInputsOf(b.ffmpeg) }),
    (err: Error) => ({ error: err.message }),
  );
  const executionProvider = await store
    .ensure(probeModel)
    .then((m) => chooseExecutionProvider(preference, m.path))
    .then(
      (c) => ({ device: c.device, trials: c.trials }),
      (err: Error) => ({ error: err.message }),
    );
  const models = (await store.list()).map((m) => ({ name: m.name, path: m.path, sha256: m.sha256, intact: m.intact }));
  const bundle = bundleDir === undefined ? undefined : await bundleReport(bundleDir, preference);
  return { node: process.version, cpus: os.cpus().length, ffmpeg, backends: availableBackends(), executionProvider, modelDir: store.cacheDir, models, ...(bundle ? { bundle } : {}) };
}

async function liveInputsOf(ffmpeg: string): Promise<LiveInputSupport> {
  const list = async (what: string) => (await promisify(execFile)(ffmpeg, ['-hide_banner', what], { maxBuffer: 4 << 20 })).stdout;
  return liveInputSupport(await list('-protocols'), await list('-demuxers'));
}

/** Loads the bundle (checksums included) on the preferred provider, as `anonymize` would, and closes it. */
async function bundleReport(dir: string, preference: ProviderPreference): Promise<BundleReport | { dir: string; error: string }> {
  try {
    const b = await loadModelBundle(dir, { executionProvider: preference, verify: true });
    await b.close();
    const m = b.manifest;
    const dtype = m.unet.inputs.sample.dtype;
    const conditioning = [m.unet.inputs.text && 'text', m.unet.inputs.identity && 'identity'].filter(Boolean).join(' + ') || 'unconditional';
    return { dir, family: m.family, latent: `${m.latent.channels}×${m.latent.height}×${m.latent.width} (image ${m.imageSize}²)`, dtype, conditioning, device: b.executionProvider, trials: b.providerTrials };
  } catch (err) {
    return { dir, error: (err as Error).message };
  }
}

export function formatDoctorReport(r: DoctorReport): string {
  const lines = [`node        ${r.node}, ${r.cpus} CPU${r.cpus === 1 ? '' : 's'}`];
  if ('error' in r.ffmpeg) lines.push(`ffmpeg      MISSING: ${r.ffmpeg.error}`);
  else {
    const origin = { system: 'system, on PATH', npm: 'npm fallback @ffmpeg-installer/ffmpeg: old and slow, install Debian ffmpeg', override: 'from NULLCAM_FFMPEG' }[r.ffmpeg.origin] ?? r.ffmpeg.origin;
    lines.push(`ffmpeg      ${r.ffmpeg.path} (${r.ffmpeg.version}; ${origin})`);
    lines.push(`ffprobe     ${r.ffmpeg.ffprobe ?? 'none (input is probed by parsing ffmpeg -i)'}`);
    const live = r.ffmpeg.liveInputs;
    lines.push(`live in     ${live.supported.join(', ') || 'none'}`);
    if (live.missing.length) lines.push(`            this ffmpeg cannot read ${live.missing.join(', ')} cameras; Debian's ffmpeg (apt install ffmpeg) reads them all`);
  }
  lines.push(`onnxruntime ${r.backends.map((b) => `${b.name}${b.bundled ? '' : ' (not bundled)'}`).join(', ')}`);
  if ('error' in r.executionProvider) lines.push(`provider    unknown: ${r.executionProvider.error}`);
  else {
    lines.push(`provider    ${r.executionProvider.device}`);
    for (const t of r.executionProvider.trials) if (!t.ok) lines.push(`            ${t.device}: ${t.reason}`);
    const tried = new Set(r.executionProvider.trials.map((t) => t.device));
    for (const b of r.backends) if (b.name === 'webgpu' && !tried.has('webgpu')) lines.push('            webgpu: not tried by "auto" (set runtime.executionProvider or --ep to webgpu to use it)');
  }
  lines.push(`models      ${r.modelDir}`);
  if (r.models.length === 0) lines.push('            none converted yet: run "nullcam models install"');
  for (const m of r.models) lines.push(`            ${m.name.padEnd(26)} sha256 ${m.sha256.slice(0, 16)}…${m.intact ? '' : '  CHANGED since conversion: run "nullcam models install"'}`);
  if (r.bundle && 'error' in r.bundle) lines.push(`bundle      ${r.bundle.dir}: UNUSABLE: ${r.bundle.error}`);
  else if (r.bundle) {
    const b = r.bundle;
    lines.push(`bundle      ${b.dir}: ${b.family}, latent ${b.latent}, ${b.dtype}, ${b.conditioning}; checksums match`);
    lines.push(`            runs on ${b.device}${b.family === 'test' ? ' (the RANDOM-weight test bundle: for tests only)' : ''}`);
    for (const t of b.trials) if (!t.ok) lines.push(`            ${t.device}: ${t.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
