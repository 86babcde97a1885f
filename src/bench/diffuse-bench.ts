/**
 * `npm run bench:diffuse`: what one UNet evaluation costs at Stable Diffusion 1.5 size, and so how many
 * face-frames per second the diffusion modes can reach on this machine. Builds (once, into
 * .cache/bench-diffuse/) an SD 1.5 UNet with IP-Adapter FaceID attention and the SD VAE, with the real
 * architecture and shapes (859.5 M + 19.2 M and 83.7 M parameters, parameter counts checked by
 * test/diffuse/bundle/unet-graph.test.ts) and RANDOM weights: the timings are real, the outputs mean nothing.
 *
 * Options: --ep cpu|cuda|webgpu|auto (default cpu), --batches 1,2,8, --runs N (timed runs per batch,
 * default 1 on CPU, 10 elsewhere), --evals N (UNet evaluations per face-frame, default 8), --fp16 (half
 * weights and math, for GPUs), --threads N (default: all cores), --max-seconds S (skip a batch predicted
 * to take longer, default 300), --skip-vae, --out FILE (default .cache/bench-diffuse/results-<ep>-<dtype>.json).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { feedTensor } from '../diffuse/bundle/bundle-tensors.js';
import type { TensorSpec } from '../diffuse/bundle/bundle-manifest.js';
import { OnnxGraphBuilder, type FloatDtype } from '../diffuse/bundle/onnx-graph-builder.js';
import { buildUnetGraph, SD15_UNET, UNET_IO } from '../diffuse/bundle/unet-graph.js';
import { buildVaeDecoderGraph, buildVaeEncoderGraph, SD15_VAE, VAE_IO } from '../diffuse/bundle/vae-graph.js';
import { chooseExecutionProvider, type ProviderPreference } from '../models/execution-provider.js';
import { OnnxModel } from '../models/onnx-session.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const WORK_DIR = path.join(repoRoot, '.cache', 'bench-diffuse');
/** Bump when the generated graphs change, so a cached one is rebuilt. */
const GRAPH_VERSION = '1';
const GIB = 2 ** 30;

interface Graph {
  readonly file: string;
  readonly parameters: number;
  readonly bytes: number;
}

/** Builds a graph into WORK_DIR with external weights unless an identical one is there already. */
function ensureGraph(name: string, dtype: FloatDtype, build: (g: OnnxGraphBuilder) => void): Graph {
  const file = path.join(WORK_DIR, `${name}-${dtype}.onnx`);
  const stamp = `${file}.json`;
  const want = { version: GRAPH_VERSION, dtype };
  if (existsSync(stamp) && existsSync(file)) {
    const s = JSON.parse(readFileSync(stamp, 'utf8'));
    if (s.version === want.version && s.dtype === want.dtype) return { file, parameters: s.parameters, bytes: s.bytes };
  }
  const t0 = performance.now();
  const location = `${path.basename(file)}.data`;
  const g = new OnnxGraphBuilder(name, 1, { kind: 'external', path: path.join(WORK_DIR, `${location}.tmp`), location }, { compute: dtype });
  build(g);
  writeFileSync(`${file}.tmp`, g.finish());
  renameSync(path.join(WORK_DIR, `${location}.tmp`), path.join(WORK_DIR, location));
  renameSync(`${file}.tmp`, file);
  const bytes = g.parameterCount * (dtype === 'float16' ? 2 : 4);
  writeFileSync(stamp, JSON.stringify({ ...want, parameters: g.parameterCount, bytes }));
  log(`built ${path.relative(repoRoot, file)}: ${(g.parameterCount / 1e6).toFixed(1)} M parameters, ${(bytes / GIB).toFixed(2)} GiB, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { file, parameters: g.parameterCount, bytes };
}

interface Timing {
  readonly batch: number;
  readonly runs: number;
  /** Median wall time of one call. */
  readonly msPerCall: number;
  readonly msPerItem: number;
  /**
   * Process CPU time of that call. On a shared machine wall time includes waiting for cores; CPU time
   * divided by the threads used estimates the wall time on an idle machine (for CPU runs only).
   */
  readonly cpuMsPerCall: number;
  /** cpuMsPerCall / threads / batch: per-evaluation wall time this machine would give when idle. */
  readonly idleMsPerItem: number;
  /** Peak resident memory of the process so far. */
  readonly maxRssGiB: number;
}

/**
 * Times `runs` calls, after one untimed warm-up call when `warmUp`; @returns the run with the median wall time.
 */
async function time(model: OnnxModel, feeds: () => Record<string, ort.Tensor>, runs: number, batch: number, threads: number, warmUp = true): Promise<Timing> {
  if (warmUp) await model.run(feeds());
  const samples: Array<{ wall: number; cpu: number }> = [];
  for (let r = 0; r < runs; r++) {
    const f = feeds();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await model.run(f);
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    samples.push({ wall, cpu: (c.user + c.system) / 1000 });
  }
  samples.sort((a, b) => a.wall - b.wall);
  const m = samples[Math.floor(samples.length / 2)];
  const maxRssGiB = +(process.resourceUsage().maxRSS / 2 ** 20).toFixed(2);
  return { batch, runs, msPerCall: m.wall, msPerItem: m.wall / batch, cpuMsPerCall: m.cpu, idleMsPerItem: m.cpu / threads / batch, maxRssGiB };
}

/** Memory the kernel could give this process now (MemAvailable; os.freemem() leaves out the page cache). */
function availableMemory(): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(existsSync('/proc/meminfo') ? readFileSync('/proc/meminfo', 'utf8') : '');
  return m ? Number(m[1]) * 1024 : os.freemem();
}

const spec = (name: string, dtype: FloatDtype): TensorSpec => ({ name, dtype, shape: [] });
const noise = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.8);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ep: { type: 'string', default: 'cpu' },
      batches: { type: 'string', default: '1,2,8' },
      runs: { type: 'string' },
      evals: { type: 'string', default: '8' },
      fp16: { type: 'boolean', default: false },
      threads: { type: 'string' },
      'max-seconds': { type: 'string', default: '300' },
      out: { type: 'string' },
      'skip-vae': { type: 'boolean', default: false },
    },
  });
  const ep = values.ep as ProviderPreference;
  const dtype: FloatDtype = values.fp16 ? 'float16' : 'float32';
  const batches = values.batches.split(',').map(Number);
  const evals = Number(values.evals);
  const threads = values.threads ? Number(values.threads) : os.cpus().length;
  const maxSeconds = Number(values['max-seconds']);
  mkdirSync(WORK_DIR, { recursive: true });

  // Guard the machine: the fp32 UNet is 3.5 GB on disk and in memory, plus activations per batch item.
  const freeDisk = statfsSync(WORK_DIR).bavail * statfsSync(WORK_DIR).bsize;
  const needDisk = (dtype === 'float16' ? 2.2 : 4.2) * GIB;
  if (!existsSync(path.join(WORK_DIR, `unet-sd15-${dtype}.onnx`)) && freeDisk < needDisk + 2 * GIB) {
    throw new Error(`need ${((needDisk + 2 * GIB) / GIB).toFixed(1)} GiB free in ${WORK_DIR}, have ${(freeDisk / GIB).toFixed(1)}`);
  }
  const unet = ensureGraph('unet-sd15', dtype, (g) => buildUnetGraph(g, SD15_UNET));
  const encoder = ensureGraph('vae-encoder-sd15', dtype, (g) => buildVaeEncoderGraph(g, SD15_VAE));
  const decoder = ensureGraph('vae-decoder-sd15', dtype, (g) => buildVaeDecoderGraph(g, SD15_VAE));

  const choice = await chooseExecutionProvider(ep, encoder.file);
  const onGpu = choice.device !== 'cpu';
  const runs = values.runs ? Number(values.runs) : onGpu ? 10 : 1;
  const device = {
    executionProvider: choice.device,
    providerTrials: choice.trials,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    threads,
    memoryGiB: +(os.totalmem() / GIB).toFixed(1),
    onnxruntime: ort.env.versions.common,
    node: process.version,
  };
  log(`device: ${device.cpu}, ${device.cores} cores, ${threads} threads, ${device.memoryGiB} GiB; provider ${choice.device}${choice.trials.filter((t) => !t.ok).map((t) => ` (${t.device}: ${t.reason})`).join('')}`);
  const open = (file: string) => OnnxModel.create(file, { executionProviders: choice.providers, intraOpNumThreads: threads });

  const S = SD15_UNET.latentSize;
  const latentSize = SD15_UNET.latentChannels * S * S;
  const unetFeeds = (b: number) => () => ({
    [UNET_IO.sample]: feedTensor(spec(UNET_IO.sample, dtype), noise(b * latentSize), [b, SD15_UNET.latentChannels, S, S]),
    [UNET_IO.timestep]: feedTensor(spec(UNET_IO.timestep, dtype), Array.from({ length: b }, (_, i) => 981 - 10 * i), [b]),
    [UNET_IO.text]: feedTensor(spec(UNET_IO.text, dtype), noise(b * 77 * 768), [b, 77, 768]),
    [UNET_IO.identity]: feedTensor(spec(UNET_IO.identity, dtype), noise(b * 4 * 768), [b, 4, 768]),
  });

  const results: Timing[] = [];
  const skipped: Array<{ batch: number; reason: string }> = [];
  let t0 = performance.now();
  const model = await open(unet.file);
  const loadSeconds = (performance.now() - t0) / 1000;
  log(`UNet session ready in ${loadSeconds.toFixed(1)} s`);
  try {
    for (const b of batches) {
      // Memory per batch item: before any run, the self-attention scores and probabilities at 64×64 tokens
      // and 8 heads plus 0.6 GiB; after one, what that run's peak RSS beyond the weights implies (measured
      // 2.3 GiB at batch 1 here, fp32), counting the fixed overhead per item too, to err on the safe side.
      const attnBytes = 2 * 8 * (S * S) ** 2 * (dtype === 'float16' ? 2 : 4);
      const first = results[0];
      const perItem = first ? Math.max(0, (first.maxRssGiB * GIB - unet.bytes) / first.batch) : attnBytes + 0.6 * GIB;
      const needMem = unet.bytes + b * perItem;
      const freeMem = availableMemory();
      // On CPU only the session's first call warms up (later batches only grow the arena); GPUs warm up per shape.
      const warmUp = onGpu || results.length === 0;
      const calls = runs + (warmUp ? 1 : 0);
      const predicted = results.length ? (results[results.length - 1].msPerItem * b) / 1000 : 0;
      if (!onGpu && needMem > 0.8 * freeMem) {
        skipped.push({ batch: b, reason: `needs ~${(needMem / GIB).toFixed(1)} GiB, ${(freeMem / GIB).toFixed(1)} GiB available` });
      } else if (predicted * calls > maxSeconds) {
        skipped.push({ batch: b, reason: `predicted ${predicted.toFixed(0)} s per call × ${calls} calls > --max-seconds ${maxSeconds}` });
      } else {
        const r = await time(model, unetFeeds(b), runs, b, threads, warmUp);
        results.push(r);
        log(`UNet batch ${b}: ${r.msPerCall.toFixed(0)} ms per call, ${r.msPerItem.toFixed(0)} ms per evaluation (CPU time ${r.cpuMsPerCall.toFixed(0)} ms, peak RSS ${r.maxRssGiB} GiB)`);
        continue;
      }
      log(`UNet batch ${b}: skipped, ${skipped[skipped.length - 1].reason}`);
    }
  } finally {
    await model.dispose();
  }

  const vae: Record<string, Timing> = {};
  for (const [name, g, feeds] of [
    ['encode', encoder, () => ({ [VAE_IO.image]: feedTensor(spec(VAE_IO.image, dtype), noise(3 * 512 * 512), [1, 3, 512, 512]) })],
    ['decode', decoder, () => ({ [VAE_IO.latent]: feedTensor(spec(VAE_IO.latent, dtype), noise(latentSize), [1, 4, S, S]) })],
  ] as const) {
    if (values['skip-vae']) break;
    const m = await open(g.file);
    try {
      vae[name] = await time(m, feeds, runs, 1, threads);
      log(`VAE ${name} 512²: ${vae[name].msPerCall.toFixed(0)} ms (CPU time ${vae[name].cpuMsPerCall.toFixed(0)} ms)`);
    } finally {
      await m.dispose();
    }
  }

  const best = results.reduce<Timing | undefined>((a, r) => (!a || r.msPerItem < a.msPerItem ? r : a), undefined);
  const vaeMs = (vae.encode?.msPerCall ?? 0) + (vae.decode?.msPerCall ?? 0);
  const derived = best && vae.encode && vae.decode && {
    evalsPerFaceFrame: evals,
    batch: best.batch,
    unetMsPerFaceFrame: evals * best.msPerItem,
    faceFramesPerSecondUnetOnly: 1000 / (evals * best.msPerItem),
    /** One VAE encode and one decode per face-frame at batch 1. */
    faceFramesPerSecondWithVae: 1000 / (evals * best.msPerItem + vaeMs),
    /** The same from CPU time / threads: what an idle machine would give (CPU provider only). */
    ...(onGpu ? {} : { idleFaceFramesPerSecondWithVae: 1000 / (evals * best.idleMsPerItem + vae.encode.idleMsPerItem + vae.decode.idleMsPerItem) }),
  };
  const report = {
    date: new Date().toISOString(),
    note: 'SD 1.5-sized graphs with RANDOM weights: timings are real, outputs mean nothing.',
    device,
    dtype,
    graphs: { unet: { parameters: unet.parameters, loadSeconds: +loadSeconds.toFixed(1) }, vaeEncoder: { parameters: encoder.parameters }, vaeDecoder: { parameters: decoder.parameters } },
    unet: results,
    skipped,
    vae,
    derived,
  };
  const out = values.out ?? path.join(WORK_DIR, `results-${choice.device}-${dtype}.json`);
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

  const rows = [
    ['batch', 'ms / call', 'ms / eval', 'evals / s', 'CPU ms / call', 'idle-machine ms / eval'],
    ...results.map((r) => [String(r.batch), r.msPerCall.toFixed(0), r.msPerItem.toFixed(0), (1000 / r.msPerItem).toFixed(2), r.cpuMsPerCall.toFixed(0), onGpu ? '-' : r.idleMsPerItem.toFixed(0)]),
    ...skipped.map((s) => [String(s.batch), 'skipped', s.reason, '', '', '']),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(widths[c])).join(' | ')} |`;
  process.stdout.write(`\nSD 1.5 UNet (+IP-Adapter FaceID), ${dtype}, ${choice.device}, ${device.cpu}, ${threads} threads\n`);
  process.stdout.write(`${[line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n')}\n`);
  if (vae.encode && vae.decode) process.stdout.write(`VAE 512²: encode ${vae.encode.msPerCall.toFixed(0)} ms, decode ${vae.decode.msPerCall.toFixed(0)} ms\n`);
  if (derived) {
    process.stdout.write(
      `face-frames/s at ${evals} UNet evaluations per face-frame (batch ${derived.batch}): ${derived.faceFramesPerSecondUnetOnly.toFixed(3)} UNet only, ` +
        `${derived.faceFramesPerSecondWithVae.toFixed(3)} with one VAE encode + decode` +
        `${derived.idleFaceFramesPerSecondWithVae === undefined ? '' : ` (idle-machine estimate from CPU time: ${derived.idleFaceFramesPerSecondWithVae.toFixed(3)})`}\n`,
    );
  }
  process.stdout.write(`written to ${path.relative(process.cwd(), out)}\n`);
}

function log(line: string): void {
  process.stderr.write(`[bench:diffuse] ${line}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:diffuse failed: ${err.message.split('\n')[0]}\n`);
  process.exitCode = 1;
});
