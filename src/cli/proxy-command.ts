/**
 * `nullcam proxy`: builds the components from config and runs one camera pipeline per camera, each feeding
 * its mount on nullcam's RTSP server and/or a publisher. With one camera, a camera that never answers or a
 * port in use is an error (exit 1); with several, the problem is logged and the others keep running.
 */
import type { Subscription } from 'rxjs';
import { isDiffusionMode } from '../anonymize/anonymize-mode.js';
import type { ClassicMode } from '../anonymize/classic-anonymizer.js';
import type { Config } from '../config/config-schema.js';
import type { LiveCamera } from '../config/live-camera-field.js';
import { buildConfig, readConfigFile } from '../config/load-config.js';
import type { LiveSink } from '../egress/live-sink.js';
import { RtspMount } from '../egress/rtsp-mount.js';
import { RtspServer } from '../egress/rtsp-server.js';
import { NullcamError } from '../errors.js';
import { locateFfmpeg } from '../ingest/ffmpeg-binary.js';
import { redactUrl } from '../ingest/redact-url.js';
import { cameraPipeline, runCamera, type LivePolicy } from '../live/camera-pipeline.js';
import { LiveMetrics } from '../live/live-metrics.js';
import { parseEndpoint, serveMetrics } from '../live/metrics-server.js';
import { resilientPublisher } from '../live/publish-sink.js';
import { parseServeUrl, type ServeTarget } from '../live/serve-url.js';
import { defaultModelCacheDir } from '../models/model-cache-dir.js';
import { ModelStore } from '../models/model-store.js';
import { classicFromConfig } from '../pipeline/anonymizer-from-config.js';
import { loadFaceAnalyzers } from '../pipeline/face-analyzers.js';
import type { FaceAnalyzers } from '../track/track-faces.js';
import { trackOptions, zoneOptions } from './anonymize-command.js';
import type { ProxyRequest } from './proxy-args.js';

/**
 * @param stopped resolves when the proxy should stop (SIGINT/SIGTERM, forwarded by runProxyOnThread)
 * @returns the exit code once stopped (0); throws NullcamError for anything the user can fix
 */
export async function runProxy(req: ProxyRequest, env: NodeJS.ProcessEnv, stopped: Promise<void>): Promise<number> {
  const config = buildConfig(req.configFile ? readConfigFile(req.configFile) : {}, req.overrides, req.configFile ?? 'config');
  const cameras = resolveCameras(req, config);
  for (const c of cameras) {
    const mode = c.mode ?? config.mode;
    // Live output cannot wait for a diffusion pass (seconds per face on CPU): the policy would black out
    // every frame. Refuse at start instead.
    if (isDiffusionMode(mode)) throw new NullcamError(`--mode ${mode} is for files (nullcam anonymize); nullcam proxy serves blur, pixelate, solid or mask.`, 2);
  }
  const single = cameras.length === 1;
  const targets = new Map(cameras.map((c) => [c.name, c.serve ? parseServeUrl(c.serve, `the serve URL of ${c.name}`) : null]));
  const ffmpegOverride = config.runtime.ffmpeg ?? env.NULLCAM_FFMPEG;
  const binary = await locateFfmpeg(ffmpegOverride ? { override: ffmpegOverride } : {});
  const log = (line: string): void => void process.stderr.write(`nullcam: ${line}\n`);

  const metrics = new LiveMetrics();
  const closers: Array<() => Promise<void>> = [async () => metrics.close()];
  const subscriptions: Subscription[] = [];
  let fatal: ((error: unknown) => void) | undefined;
  const failed = new Promise<never>((_, reject) => (fatal = reject));
  failed.catch(() => {});
  try {
    const servers = await startServers([...targets.values()].filter((t): t is ServeTarget => t !== null), single, log);
    for (const server of servers.values()) if (server) closers.push(() => server.close());
    const metricsServer = config.live.metrics ? await serveMetrics(parseEndpoint(config.live.metrics, 'live.metrics'), () => metrics.render(), () => metrics.health()) : undefined;
    if (metricsServer) {
      closers.push(() => metricsServer.close());
      log(`metrics on http://${config.live.metrics}/metrics and /healthz`);
    }
    const store = new ModelStore({ cacheDir: config.runtime.modelDir ?? defaultModelCacheDir(env) });
    const needsLandmarks = cameras.some((c) => (c.mode ?? config.mode) === 'mask');
    const analyzers = await loadFaceAnalyzers(store, needsLandmarks ? { ...config, mode: 'mask' } : config, { workers: true });
    closers.push(() => analyzers.dispose());
    const policy = livePolicy(config, single);

    for (const camera of cameras) {
      const tag = (line: string) => log(`[${camera.name}] ${line}`);
      const mode = (camera.mode ?? config.mode) as ClassicMode;
      const sinks: LiveSink[] = [];
      const target = targets.get(camera.name) ?? null;
      const server = target ? servers.get(endpointKey(target)) : undefined;
      if (target && server) {
        const mount = server.mount(target.path);
        sinks.push(mount);
        closers.push(() => mount.close());
      }
      if (camera.publish) {
        const publisher = resilientPublisher(camera.publish, { transport: 'tcp', backoff: policy.backoff, log: tag });
        closers.push(() => publisher.close());
        try {
          await publisher.firstAttempt;
        } catch (error) {
          // Several cameras: the publisher keeps retrying in the background (it said so in one line).
          if (single) throw error;
        }
        sinks.push(publisher);
      }
      const cameraMetrics = metrics.camera(camera.name);
      if (sinks.length === 0) {
        tag('no output could be opened; this camera is not served');
        cameraMetrics.state('down', 'no output could be opened');
        continue;
      }
      const mounts = sinks.filter((s): s is RtspMount => s instanceof RtspMount);
      const clientsPoll = setInterval(() => {
        cameraMetrics.clients(mounts.reduce((n, s) => n + s.clients, 0));
        cameraMetrics.clientDrops(mounts.reduce((n, s) => n + s.clientDrops, 0));
      }, 1000);
      closers.push(async () => clearInterval(clientsPoll));
      const units = cameraPipeline({
        name: camera.name,
        url: camera.url,
        transport: camera.transport ?? config.live.transport,
        webcam: camera.webcam ?? config.live.webcam,
        audio: config.encode.audio !== 'none',
        onAudioExpected: () => sinks.forEach((s) => s.expectAudio()),
        binary,
        analyzers: analyzersFor(analyzers, mode),
        anonymizer: classicFromConfig(config, mode),
        zones: zoneOptions(camera.zones ?? config.anonymize.zones, config),
        policy,
        metrics: cameraMetrics,
        log: tag,
      });
      tag(`${redactUrl(camera.url)} → ${[camera.serve && `rtsp://${target!.host}:${target!.port}${target!.path}`, camera.publish && redactUrl(camera.publish)].filter(Boolean).join(' and ')} (${mode})`);
      subscriptions.push(
        runCamera(units, sinks, (error) => {
          if (single) return fatal!(error);
          tag(`${error instanceof Error ? error.message : String(error)}; the other cameras keep running`);
        }),
      );
    }
    if (subscriptions.length === 0) throw new NullcamError('No camera could be started; see the lines above.', 1);

    await Promise.race([stopped, failed]);
    log('stopping');
    return 0;
  } finally {
    for (const s of subscriptions) s.unsubscribe();
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}

function resolveCameras(req: ProxyRequest, config: Config): readonly LiveCamera[] {
  if (req.url !== undefined) {
    const name = req.serve ? (/\/([^/?#]+)\/?(?:[?#].*)?$/.exec(req.serve)?.[1] ?? 'cam1') : 'cam1';
    return [{ name, url: req.url, serve: req.serve ?? null, publish: req.publish ?? null, mode: null, transport: null, webcam: null, zones: null }];
  }
  if (config.live.cameras.length === 0) {
    throw new NullcamError(`No cameras: ${req.configFile} has no live.cameras; add [{"url": …, "serve": "rtsp://127.0.0.1:8554/cam1"}] or pass a URL.`, 2);
  }
  return config.live.cameras;
}

function endpointKey(t: Pick<ServeTarget, 'host' | 'port'>): string {
  return `${t.host}:${t.port}`;
}

/** One RTSP server per host:port (cameras share it by path). A port that cannot be bound is logged, or fatal with one camera. */
async function startServers(targets: readonly ServeTarget[], single: boolean, log: (line: string) => void): Promise<Map<string, RtspServer | null>> {
  const servers = new Map<string, RtspServer | null>();
  for (const t of targets) {
    const key = endpointKey(t);
    if (servers.has(key)) continue;
    try {
      servers.set(key, await RtspServer.listen({ host: t.host, port: t.port, ...(t.auth ? { auth: t.auth } : {}) }));
    } catch (error) {
      if (single || !(error instanceof NullcamError)) {
        for (const s of servers.values()) await s?.close();
        throw error;
      }
      log(`${error.message} Cameras served on ${key} are not served.`);
      servers.set(key, null);
    }
  }
  return servers;
}

/** The face models a mode needs: landmarks only for mask. */
function analyzersFor(all: FaceAnalyzers, mode: Config['mode']): FaceAnalyzers {
  if (mode === 'mask' || !all.landmarks) return all;
  return { detect: all.detect, ...(all.embed ? { embed: all.embed } : {}) };
}

export function livePolicy(config: Config, single: boolean): LivePolicy {
  const l = config.live;
  const track = trackOptions(config);
  return {
    connectMs: l.connectSeconds * 1000,
    stallMs: l.stallSeconds * 1000,
    maxLagMs: l.maxLagSeconds * 1000,
    catchUpLagMs: l.catchUpLagMs,
    backoff: { initialMs: l.reconnectMinSeconds * 1000, maxMs: l.reconnectMaxSeconds * 1000 },
    startAttempts: single ? l.startAttempts : null,
    gapFillMs: l.gapFillSeconds * 1000,
    gopSeconds: l.gopSeconds,
    preset: l.preset,
    crf: l.crf,
    anonymize: {
      stride: track.stride,
      tracker: track.tracker,
      // No look-ahead live: nothing is backfilled; holdFrames and dilation cover the misses.
      timeline: { ...track.timeline, backfillFrames: 0 },
      detectDeadlineMs: l.detectDeadlineMs,
      aheadFrames: l.detectAheadFrames,
      queueFrames: l.queueFrames,
    },
  };
}
