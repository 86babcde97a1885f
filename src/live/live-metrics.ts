/**
 * What `nullcam proxy` measures per camera, in one place: the metric families (names, help, labels) and
 * the camera state /healthz reports. Stage latencies are in seconds, as Prometheus expects.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { framePool } from '../frame-pool.js';
import type { LiveSourceState } from '../ingest/live-source.js';
import type { Health } from './metrics-server.js';
import { MetricsRegistry } from './metrics-registry.js';

export type DropStage = 'catch-up' | 'anonymize' | 'encode';

export class LiveMetrics {
  readonly registry = new MetricsRegistry();
  private readonly framesIn = this.registry.counter('nullcam_frames_in_total', 'Frames decoded from the camera.');
  private readonly framesOut = this.registry.counter('nullcam_frames_out_total', 'Frames encoded and sent to the outputs (covered and gap-filling frames included).');
  private readonly dropped = this.registry.counter('nullcam_frames_dropped_total', 'Frames dropped because a stage was behind (bounded latency), by stage.');
  private readonly covered = this.registry.counter('nullcam_frames_covered_total', 'Frames sent fully black because faces could not be known (detector late or failed, stage error).');
  private readonly filled = this.registry.counter('nullcam_frames_filled_total', 'Black frames sent while the camera was away.');
  private readonly repeated = this.registry.counter('nullcam_frames_repeated_total', 'Frames sent again in the slot of a frame dropped upstream, so the output keeps the camera\'s frame rate.');
  private readonly ahead = this.registry.counter('nullcam_frames_ahead_total', 'Frames sent anonymized from the tracks\' predictions while their own detection was still running (the detector is slower than the frame rate; see live.detectAheadFrames).');
  private readonly faces = this.registry.counter('nullcam_faces_total', 'Face regions anonymized.');
  private readonly audio = this.registry.counter('nullcam_audio_frames_total', 'Audio frames from the camera passed to the outputs (0 while a camera has none, or with --no-audio).');
  private readonly tracks = this.registry.gauge('nullcam_tracks', 'Face tracks on the last frame.');
  private readonly latency = this.registry.summary('nullcam_stage_latency_seconds', 'Wall time per stage and frame: detect, embed, landmarks, anonymize; total (arrival to departure of the anonymize stage); encode (frame in to access unit out); lag (how far frames arrive behind the camera\'s pace).');
  private readonly reconnects = this.registry.counter('nullcam_reconnects_total', 'Camera connections lost or refused.');
  private readonly up = this.registry.gauge('nullcam_camera_up', '1 while the camera delivers frames.');
  private readonly clients = this.registry.gauge('nullcam_clients', 'RTSP clients playing the served stream.');
  private readonly clientDrops = this.registry.counter('nullcam_client_frames_dropped_total', 'Video frames not sent to an RTSP client that had not taken the ones before (a slow reader), summed over clients; such a client resumes at the next keyframe.');
  private readonly loopDelay = this.registry.gauge('nullcam_event_loop_delay_seconds', 'Node event loop delay over the last 10 s (p50, p99, max): frames wait this long for the one thread that moves them.');
  private readonly memory = this.registry.gauge('nullcam_memory_bytes', 'Process memory, sampled every 10 s: rss (resident, all of it), heap_total (memory the JavaScript heap holds, used or not), heap_used (JavaScript objects), external (native memory held by JavaScript objects, frame buffers among it), array_buffers (the part of external in ArrayBuffers and Buffers), new_space_resident and old_space_resident (the pages of the heap\'s young and old generation actually in memory).');
  private readonly frameBuffers = this.registry.gauge('nullcam_frame_buffers', 'The frame buffer pool, sampled every 10 s: allocated (buffers it ever allocated: flat once the cameras are warm; a rise means frames that were never given back), free (waiting to be reused), misused (holds of a free buffer or releases of an unheld one since the start: 0 unless a stage has a bug; each one made harmless).');
  private readonly loopHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly loopTimer: NodeJS.Timeout;
  private readonly states = new Map<string, { up: boolean; why: string; covering: string | null }>();

  constructor() {
    this.loopHistogram.enable();
    this.loopTimer = setInterval(() => {
      const h = this.loopHistogram;
      for (const [q, v] of [['0.5', h.percentile(50)], ['0.99', h.percentile(99)], ['1', h.max]] as const) this.loopDelay.set({ quantile: q }, v / 1e9);
      h.reset();
      this.sampleMemory();
    }, 10_000);
    this.loopTimer.unref();
    this.sampleMemory();
  }

  private sampleMemory(): void {
    const m = process.memoryUsage();
    for (const [kind, bytes] of [['rss', m.rss], ['heap_total', m.heapTotal], ['heap_used', m.heapUsed], ['external', m.external], ['array_buffers', m.arrayBuffers]] as const) this.memory.set({ kind }, bytes);
    const pool = framePool.stats();
    for (const [kind, n] of [['allocated', pool.allocated], ['free', pool.free], ['misused', pool.misuse]] as const) this.frameBuffers.set({ kind }, n);
    for (const space of getHeapSpaceStatistics()) {
      if (space.space_name === 'new_space' || space.space_name === 'old_space') this.memory.set({ kind: `${space.space_name}_resident` }, space.physical_space_size);
    }
  }

  /** Stops sampling the event loop. */
  close(): void {
    clearInterval(this.loopTimer);
    this.loopHistogram.disable();
  }

  /** Registers a camera so its series exist (at 0) from the start. */
  camera(name: string): CameraMetrics {
    const l = { camera: name };
    this.states.set(name, { up: false, why: 'connecting', covering: null });
    this.framesIn.inc(l, 0);
    this.framesOut.inc(l, 0);
    for (const stage of ['catch-up', 'anonymize', 'encode'] as const) this.dropped.inc({ ...l, stage }, 0);
    this.covered.inc(l, 0);
    this.filled.inc(l, 0);
    this.repeated.inc(l, 0);
    this.ahead.inc(l, 0);
    this.faces.inc(l, 0);
    this.audio.inc(l, 0);
    this.reconnects.inc(l, 0);
    this.clientDrops.inc(l, 0);
    this.up.set(l, 0);
    const state = this.states.get(name)!;
    let clientDropsSeen = 0;
    return {
      frameIn: () => this.framesIn.inc(l),
      frameOut: () => this.framesOut.inc(l),
      audioFrame: () => this.audio.inc(l),
      faces: (count, trackCount) => {
        this.faces.inc(l, count);
        this.tracks.set(l, trackCount);
      },
      drop: (stage) => this.dropped.inc({ ...l, stage }),
      cover: () => this.covered.inc(l),
      fill: () => this.filled.inc(l),
      repeat: (count) => this.repeated.inc(l, count),
      ahead: () => this.ahead.inc(l),
      stage: (stage, ms) => this.latency.observe({ ...l, stage }, ms / 1000),
      state: (source, why) => {
        if (source === 'down') {
          this.reconnects.inc(l);
          state.why = why ?? 'unknown';
        }
        state.up = source === 'up';
        this.up.set(l, state.up ? 1 : 0);
      },
      covering: (why) => (state.covering = why),
      clients: (n) => this.clients.set(l, n),
      clientDrops: (total) => {
        if (total > clientDropsSeen) this.clientDrops.inc(l, total - clientDropsSeen);
        clientDropsSeen = Math.max(clientDropsSeen, total);
      },
    };
  }

  render(): string {
    return this.registry.render();
  }

  /** Healthy when every camera delivers frames and none is being covered black. */
  health(): Health {
    const problems: string[] = [];
    for (const [name, s] of this.states) {
      if (!s.up) problems.push(`${name}: down: ${s.why}`);
      else if (s.covering) problems.push(`${name}: covering every frame: ${s.covering}`);
    }
    return { ok: problems.length === 0, problems };
  }
}

export interface CameraMetrics {
  frameIn(): void;
  frameOut(): void;
  audioFrame(): void;
  faces(count: number, tracks: number): void;
  drop(stage: DropStage): void;
  cover(): void;
  fill(): void;
  repeat(count: number): void;
  ahead(): void;
  stage(stage: string, ms: number): void;
  /** The source's state; `why` says why it is down. */
  state(source: LiveSourceState, why?: string): void;
  /** Frames are being covered black (why), or no longer (null). */
  covering(why: string | null): void;
  clients(n: number): void;
  /** The outputs' running total of frames not sent to slow clients (only its increase is counted). */
  clientDrops(total: number): void;
}
