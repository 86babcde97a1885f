/**
 * Picks the onnxruntime execution provider: the one asked for, or with 'auto' the fastest that actually
 * loads a model here, and says why each other one was passed over (for `nullcam doctor` and logs).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { availableBackends, EXECUTION_PROVIDERS, OnnxModel, type Device } from './onnx-session.js';

export type ProviderPreference = 'auto' | Device;

/**
 * Tried in this order by 'auto'. WebGPU only when asked for: on a machine without a GPU its start-up
 * prints Vulkan driver warnings to stderr that no option silences, and the face models are small
 * enough that it rarely beats the CPU.
 */
const AUTO_ORDER: readonly Device[] = ['cuda', 'cpu'];

export interface ProviderTrial {
  readonly device: Device;
  readonly ok: boolean;
  /** Why it was not used, or "in use". */
  readonly reason: string;
}

export interface ProviderChoice {
  readonly device: Device;
  readonly providers: readonly string[];
  readonly trials: readonly ProviderTrial[];
}

/**
 * @param preference 'auto' or a device the user named
 * @param probeModel an .onnx file to open as the test that a provider works
 * @returns the chosen device (CPU when nothing better loads) and one trial per device considered
 */
export async function chooseExecutionProvider(preference: ProviderPreference, probeModel: string): Promise<ProviderChoice> {
  const backends = new Map(availableBackends().map((b) => [b.name, b]));
  const order = preference === 'auto' ? AUTO_ORDER : [preference, ...(preference === 'cpu' ? [] : (['cpu'] as const))];
  const trials: ProviderTrial[] = [];
  for (const device of order) {
    // onnxruntime-node lists cuda as not bundled even where its install step added the libraries, so
    // every listed backend is tried; only the attempt tells.
    if (!backends.has(device)) {
      trials.push({ device, ok: false, reason: 'not in this onnxruntime-node build' });
      continue;
    }
    // A failed CUDA start logs a native error to stderr; 'auto' skips it quietly when the library is absent.
    if (device === 'cuda' && preference === 'auto' && !cudaLibraryPresent()) {
      trials.push({ device, ok: false, reason: 'not installed: reinstall onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12 on an NVIDIA machine' });
      continue;
    }
    try {
      // Only this provider, no CPU fallback: a session that silently fell back would prove nothing.
      const model = await OnnxModel.create(probeModel, { executionProviders: [device] });
      await model.dispose();
      trials.push({ device, ok: true, reason: 'in use' });
      return { device, providers: EXECUTION_PROVIDERS[device], trials };
    } catch (err) {
      const hint = device === 'cuda' && !backends.get(device)?.bundled ? ' (install onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12 on an NVIDIA machine)' : '';
      trials.push({ device, ok: false, reason: `failed to start${hint}: ${(err as Error).message.split('\n')[0].slice(0, 200)}` });
    }
  }
  return { device: 'cpu', providers: EXECUTION_PROVIDERS.cpu, trials };
}

/** Whether onnxruntime-node's install step put the CUDA provider library next to its native binding. */
function cudaLibraryPresent(): boolean {
  const pkg = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  const dir = path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
  return existsSync(dir) && readdirSync(dir).some((f) => f.includes('providers_cuda'));
}
