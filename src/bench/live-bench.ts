/**
 * `npm run bench:live [-- --seconds N] [--mode MODE] [--audio] [--set KEY=VALUE …] [--node-option OPT …]` (settings go to the proxy, node options to its node, e.g. --v8-pool-size=1 (a --max-semi-space-size there replaces the proxy thread's own cap); --audio: the camera sends AAC too): what nullcam proxy adds to a live camera. A
 * GStreamer RTSP camera plays a 720p25 clip with a moving face and a frame counter burned in; two ffmpeg
 * clients play at once, one straight from the camera and one through `nullcam proxy`; each frame's
 * arrival on the two paths is paired by its counter, and the difference is the added latency. Also:
 * frames the proxy dropped, its CPU (Node and its ffmpeg children) and its RSS over the run.
 * Goals (issue 5): p95 added latency <= 150 ms, 0 dropped frames at 720p25 blur, RSS flat within 10%.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { ChildCpuSampler } from './child-cpu-sampler.js';
import { CpuWaitSampler, type CpuWaitSample, type Series } from './cpu-wait-sampler.js';
import { COUNTER_LAYOUT, counterCrop, counterFilter, counterWidth, readCounter } from './frame-counter.js';

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE = path.join(repoRoot, 'samples', 'interview.mp4');
const CAMERA_SCRIPT = path.join(repoRoot, 'scripts', 'rtsp-test-camera.py');
const CLI = path.join(repoRoot, 'bin', 'nullcam.js');
const WORK_DIR = path.join(repoRoot, '.cache', 'bench-live');
const FPS = 25;
/** Seconds after the proxy is up before measuring: connections settle, the first keyframes arrive. */
const WARMUP_S = 5;
/** Seconds of each client's start-up left out of the comparison. */
const CLIENT_WARMUP_S = 5;
const GOALS = { p95Ms: 150, dropped: 0, rssGrowth: 0.1 };

interface Arrivals {
  /** counter → ms (performance.now) the client had the frame decoded */
  readonly at: Map<number, number>;
  /** Frames whose counter had been read before: the proxy's repeats over its drops, or a strip misread as a neighbour's counter. */
  readonly readTwice: number[];
  /** Every frame in the order it arrived: its counter, or null where the strip could not be read. */
  readonly order: Array<number | null>;
  stop(): void;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '600' }, mode: { type: 'string', default: 'blur' }, audio: { type: 'boolean', default: false }, set: { type: 'string', multiple: true }, 'node-option': { type: 'string', multiple: true } } });
  const seconds = Number(values.seconds);
  if (!(seconds >= 10)) throw new Error('--seconds must be at least 10');
  if (spawnSync('/usr/bin/python3', ['-c', "import gi; gi.require_version('GstRtspServer', '1.0')"]).status !== 0) {
    throw new Error('GStreamer RTSP server missing (python3-gi, gir1.2-gst-rtsp-server-1.0): run scripts/setup.sh');
  }
  mkdirSync(WORK_DIR, { recursive: true });
  const clip = await makeClip(seconds + WARMUP_S + 30, values.audio!);
  const [cameraPort, servePort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const camera = spawn('/usr/bin/python3', [CAMERA_SCRIPT, String(cameraPort), '/cam', clip, 'h264', values.audio ? 'aac' : 'none'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await waitForOutput(camera, 'ready');
  const cameraUrl = `rtsp://127.0.0.1:${cameraPort}/cam`;
  const servedUrl = `rtsp://127.0.0.1:${servePort}/cam`;
  const proxy = spawn(process.execPath, [...(values['node-option'] ?? []), CLI, 'proxy', cameraUrl, '--serve', servedUrl, '--mode', values.mode!, '--metrics', `127.0.0.1:${metricsPort}`, ...(values.set ?? []).flatMap((kv) => ['--set', kv])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let proxyLog = '';
  /** The proxy's drop summaries (each says why its first drop happened), by second of the run. */
  const drops: Array<{ s: number; line: string }> = [];
  let measuringSince: number | null = null;
  /** A line the last chunk ended inside of. */
  let partial = '';
  proxy.stderr!.on('data', (d: Buffer) => {
    const text = d.toString();
    proxyLog += text;
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.includes('dropped') && measuringSince !== null) drops.push({ s: Math.round((performance.now() - measuringSince) / 1000), line: line.replace(/^nullcam: /, '') });
  });
  try {
    await waitFor(() => proxyLog.includes('] up'), 60_000, () => `proxy did not come up:\n${proxyLog}`);
    process.stderr.write(`bench:live: camera ${cameraUrl} (720p${FPS}, ${values.mode}), proxy pid ${proxy.pid}, ${seconds} s\n`);
    await sleep(WARMUP_S * 1000);
    const direct = playCounters(cameraUrl, path.join(WORK_DIR, 'client-direct.log'));
    const proxied = playCounters(servedUrl, path.join(WORK_DIR, 'client-proxied.log'));
    // The clients' own start-up is not measured (see summarize); run that much longer.
    await sleep(CLIENT_WARMUP_S * 1000);
    const cpu = new ChildCpuSampler(500, proxy.pid!);
    cpu.start();
    const nodeCpu0 = cpuMs(proxy.pid!);
    const rss: number[] = [];
    /** The proxy's own account of its memory (nullcam_memory_bytes), once a minute: which part grows. */
    const memory: Array<Record<string, number>> = [];
    const cpuWait = new CpuWaitSampler(proxy.pid!);
    cpuWait.sample();
    const t0 = performance.now();
    measuringSince = t0;
    for (let s = 0; s < seconds; s++) {
      await sleep(1000);
      rss.push(rssMb(proxy.pid!));
      cpuWait.sample();
      if (s % 60 === 59) {
        memory.push(memoryMb(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()));
        process.stderr.write(`bench:live: ${s + 1} s, RSS ${rss.at(-1)} MB\n`);
      }
    }
    const elapsedS = (performance.now() - t0) / 1000;
    const nodeCpuMs = cpuMs(proxy.pid!) - nodeCpu0;
    const children = cpu.stop();
    direct.stop();
    proxied.stop();
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    // Each summary covers the 10 s before it: what waiting for a CPU looked like then.
    const dropLog = drops.map(({ s, line }) => `${s} s: ${line}; ${describeCpuWait(cpuWait.window(s - 10, s))}`);
    const result = { audio: values.audio, ...summarize(direct, proxied, rss, { nodeCpuMs, decodeCpuMs: children.decode, encodeCpuMs: children.encode, elapsedS }, metrics, seconds), cpuWaitMsPerSecond: cpuWait.summary(), memoryMbPerMinute: memory, dropLog };
    writeFileSync(path.join(WORK_DIR, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(path.join(WORK_DIR, 'proxy.log'), proxyLog);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    proxy.kill('SIGTERM');
    camera.kill('SIGTERM');
  }
}

function summarize(direct: Arrivals, proxied: Arrivals, rss: number[], cpu: { nodeCpuMs: number; decodeCpuMs: number; encodeCpuMs: number; elapsedS: number }, metrics: string, seconds: number) {
  const latencies: number[] = [];
  /** Per 10 s of camera frames: latencies, to see whether a run settles or drifts. */
  const windows: number[][] = [];
  let missing = 0;
  /** Pairs more than 10 s apart: a counter misread on one path (a damaged strip), not latency. */
  let misread = 0;
  // A client's first seconds are its own start-up (probing, then decoding the backlog faster than real
  // time: two direct clients differ by up to ~2.5 s there, and by 0 ms after); the last second may still
  // be in flight on the proxied path.
  const firstCounter = Math.min(...direct.at.keys(), ...proxied.at.keys()) + CLIENT_WARMUP_S * FPS;
  const lastCounter = Math.max(...direct.at.keys()) - FPS;
  for (const [counter, t] of direct.at) {
    if (counter < firstCounter || counter > lastCounter) continue;
    const p = proxied.at.get(counter);
    if (p === undefined) missing++;
    else if (Math.abs(p - t) > 10_000) misread++;
    else {
      latencies.push(p - t);
      (windows[Math.floor(counter / (10 * FPS))] ??= []).push(p - t);
    }
  }
  latencies.sort((a, b) => a - b);
  const lostOnProxiedPath = lostFrames(proxied.order, firstCounter, lastCounter);
  // A frame the camera itself skipped steps both paths alike.
  const lostOnDirectPath = lostFrames(direct.order, firstCounter, lastCounter);
  // Each path against the camera's own schedule (counter c leaves the camera at T0 + c frame intervals):
  // when the added latency steps, this says which client or hop took the step.
  const schedule = (arrivals: Arrivals) => {
    const perMinute: number[][] = [];
    for (const [counter, t] of arrivals.at) if (counter >= firstCounter && counter <= lastCounter) (perMinute[Math.floor(counter / (60 * FPS))] ??= []).push(t - (counter * 1000) / FPS);
    return perMinute.filter(Boolean).map((w) => w.sort((a, b) => a - b)[w.length >> 1]);
  };
  const [directSchedule, proxiedSchedule] = [schedule(direct), schedule(proxied)];
  const origin = directSchedule[0] ?? 0;
  const q = (x: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(x * latencies.length))] ?? NaN);
  const steady = rss.slice(Math.min(rss.length - 1, 10));
  const rssFirst = steady[0], rssLast = steady.at(-1)!;
  const metric = (name: string) => [...metrics.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
  const pct = (ms: number) => Math.round((ms / 10 / cpu.elapsedS) * 10) / 10;
  const result = {
    seconds,
    // Other work on the machine inflates every number here; the load average says how much there was.
    loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
    cpus: os.cpus().length,
    framesCompared: latencies.length,
    addedLatencyMs: { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: Math.round(latencies.at(-1) ?? NaN) },
    addedLatencyP50MsPer10s: windows.filter(Boolean).map((w) => Math.round(w.sort((a, b) => a - b)[w.length >> 1])),
    /** p50 arrival per minute on each path, ms after the camera's schedule, relative to the direct path's first minute. */
    pathP50MsPerMinute: { direct: directSchedule.map((v) => Math.round(v - origin)), proxied: proxiedSchedule.map((v) => Math.round(v - origin)) },
    framesMissingAtClient: missing,
    framesUnreadableAtClient: proxied.order.filter((c) => c === null).length,
    framesLostAtClient: Math.max(0, lostOnProxiedPath.count - lostOnDirectPath.count),
    /** The first counter the proxied client read after each loss, to look the frames up in the camera clip. */
    framesLostBefore: lostOnProxiedPath.at,
    framesLostOnDirectPath: lostOnDirectPath.count,
    countersMisread: misread,
    // Beyond proxyRepeated, each one is a strip misread as a counter the client also got.
    countersReadTwice: proxied.readTwice.filter((c) => c >= firstCounter && c <= lastCounter).length,
    proxyDropped: metric('nullcam_frames_dropped_total'),
    proxyDroppedByStage: Object.fromEntries([...metrics.matchAll(/^nullcam_frames_dropped_total\{camera="[^"]*",stage="([\w-]+)"\} (\S+)$/gm)].map((m) => [m[1], Number(m[2])])),
    proxyClientDropped: metric('nullcam_client_frames_dropped_total'),
    proxyCovered: metric('nullcam_frames_covered_total'),
    proxyRepeated: metric('nullcam_frames_repeated_total'),
    proxyAhead: metric('nullcam_frames_ahead_total'),
    proxyAudioFrames: metric('nullcam_audio_frames_total'),
    proxyReconnects: metric('nullcam_reconnects_total'),
    // Pooled frame buffers at the end: allocated stays a handful once warm; misused is 0 unless a stage has a bug (frame-pool.ts).
    proxyFrameBuffers: Object.fromEntries([...metrics.matchAll(/^nullcam_frame_buffers\{kind="(\w+)"\} (\S+)$/gm)].map((m) => [m[1], Number(m[2])])),
    cpuPercentOfOneCore: { node: pct(cpu.nodeCpuMs), ffmpegDecode: pct(cpu.decodeCpuMs), ffmpegEncode: pct(cpu.encodeCpuMs), total: pct(cpu.nodeCpuMs + cpu.decodeCpuMs + cpu.encodeCpuMs) },
    proxyStageMsP50: Object.fromEntries(
      [...metrics.matchAll(/^nullcam_stage_latency_seconds\{camera="[^"]*",stage="(\w+)",quantile="0.5"\} (\S+)$/gm)].map((m) => [m[1], Math.round(Number(m[2]) * 10000) / 10]),
    ),
    eventLoopDelayMs: Object.fromEntries(
      [...metrics.matchAll(/^nullcam_event_loop_delay_seconds\{quantile="([\d.]+)"\} (\S+)$/gm)].map((m) => [m[1], Math.round(Number(m[2]) * 10000) / 10]),
    ),
    rssMb: { afterWarmup: rssFirst, end: rssLast, min: Math.min(...steady), max: Math.max(...steady), growth: Math.round(((rssLast - rssFirst) / rssFirst) * 1000) / 1000 },
    goals: {} as Record<string, boolean>,
  };
  result.goals = {
    [`p95 <= ${GOALS.p95Ms} ms`]: result.addedLatencyMs.p95 <= GOALS.p95Ms,
    '0 dropped frames': result.proxyDropped === 0 && result.framesLostAtClient === 0,
    'RSS flat within 10%': (result.rssMb.max - result.rssMb.min) / result.rssMb.min <= GOALS.rssGrowth,
  };
  return result;
}

/**
 * Frames a client never got, from the order they arrived in: each frame's counter minus its arrival index
 * stays constant while every frame arrives (a frame whose strip a face's blur covers still takes its
 * place), and steps up by one for each frame lost. A strip misread as another counter is one odd value,
 * which the running median over 9 reads ignores. A repeat over a dropped frame (the proxy's) fills the
 * slot and is not counted here; the proxy counts the drop itself.
 * @returns frames lost between `firstCounter` and `lastCounter`, and the counter after each loss
 */
function lostFrames(order: ReadonlyArray<number | null>, firstCounter: number, lastCounter: number): { count: number; at: number[] } {
  const offsets: number[] = [];
  const counters: number[] = [];
  order.forEach((c, i) => {
    if (c === null || c < firstCounter || c > lastCounter) return;
    offsets.push(c - i);
    counters.push(c);
  });
  const smooth = offsets.map((_, k) => {
    const window = offsets.slice(Math.max(0, k - 4), k + 5).sort((a, b) => a - b);
    return window[window.length >> 1];
  });
  let count = 0;
  const at: number[] = [];
  for (let k = 1; k < smooth.length; k++) {
    if (smooth[k] === smooth[k - 1]) continue;
    count += smooth[k] - smooth[k - 1];
    at.push(counters[k]);
  }
  return { count, at };
}

/** "CPU wait in those 10 s, ms/s: proxy threads up to 180 (one thread 90, the main thread 60), machine up to 400" */
function describeCpuWait(window: readonly CpuWaitSample[]): string {
  const max = (key: Series) => {
    const v = window.map((x) => x[key]).filter((x): x is number => x !== null);
    return v.length ? String(Math.max(...v)) : 'n/a';
  };
  return `CPU wait in those 10 s, ms/s: proxy threads up to ${max('proxyMs')} (one thread ${max('proxyThreadMaxMs')}), machine up to ${max('machineMs')}`;
}

/** nullcam_memory_bytes by kind, in MB. */
function memoryMb(metrics: string): Record<string, number> {
  return Object.fromEntries([...metrics.matchAll(/^nullcam_memory_bytes\{kind="(\w+)"\} (\S+)$/gm)].map((m) => [m[1], Math.round(Number(m[2]) / 1e5) / 10]));
}

/** Plays `url` with ffmpeg, keeps only the counter strip, and records when each counter value arrived. */
function playCounters(url: string, log: string): Arrivals {
  // Verbose, to a file: what the client saw of the stream (decoder warnings, reconnects).
  // `-threads 1` after the input: a frame-threaded rawvideo encoder holds one or two frames, a different
  // number per client and per run, which would be measured as the proxy's latency.
  const logFd = openSync(log, 'w');
  const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-nostats', '-v', 'level+verbose', '-rtsp_transport', 'tcp', '-flags', 'low_delay', '-i', url, '-vf', `${counterCrop()},format=gray`, '-fps_mode', 'passthrough', '-threads', '1', '-flush_packets', '1', '-f', 'rawvideo', '-'], { stdio: ['ignore', 'pipe', logFd] });
  closeSync(logFd); // the child has its own copy
  const size = counterWidth() * COUNTER_LAYOUT.block;
  const arrivals: Arrivals = { at: new Map<number, number>(), readTwice: [], order: [], stop: () => child.kill('SIGTERM') };
  const at = arrivals.at;
  let pending: Buffer = Buffer.alloc(0);
  child.stdout!.on('data', (chunk: Buffer) => {
    const now = performance.now();
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= size) {
      const counter = readCounter(pending.subarray(0, size));
      // null: a face's blur over the strip, a black cover or filler
      arrivals.order.push(counter);
      if (counter !== null && !at.has(counter)) at.set(counter, now);
      else if (counter !== null) arrivals.readTwice.push(counter);
      pending = pending.subarray(size);
    }
  });
  return arrivals;
}

/**
 * The camera clip (cached): 720p, a blurred copy of the sample as background with the sample at 2/3 height
 * sliding over it (a face that moves), the frame counter at the bottom-left, H.264 with a 1 s GOP and no
 * B-frames, like an IP camera; with `audio`, a 440 Hz tone as AAC (48 kHz mono) beside it.
 */
async function makeClip(seconds: number, audio: boolean): Promise<string> {
  const file = path.join(WORK_DIR, `camera-720p${FPS}-${seconds}s${audio ? '-aac' : ''}.mp4`);
  if (existsSync(file)) return file;
  process.stderr.write(`bench:live: making a ${seconds} s 720p camera clip (once)…\n`);
  const graph =
    `[0:v]fps=${FPS},split[a][b];[a]scale=1280:720,boxblur=20[bg];[b]scale=640:480[fg];` +
    `[bg][fg]overlay=x='(W-w)*(0.5+0.5*sin(t/3))':y='(H-h)/2-20',${counterFilter()},format=yuv420p[v]`;
  const tmp = `${file}.tmp.mp4`;
  await execFileAsync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', '-1', '-i', SOURCE,
    ...(audio ? ['-f', 'lavfi', '-i', `sine=f=440:sample_rate=48000:d=${seconds}`] : []),
    '-filter_complex', graph, '-map', '[v]', ...(audio ? ['-map', '1:a', '-c:a', 'aac', '-ac', '1'] : []), '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-crf', '23', '-g', String(FPS), tmp,
  ]);
  renameSync(tmp, file);
  return file;
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round(kb / 1024);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes(text) && resolve());
    child.once('exit', (code) => reject(new Error(`camera exited ${code}`)));
  });
}

async function waitFor(predicate: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(message());
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

main().catch((error: unknown) => {
  process.stderr.write(`bench:live: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
