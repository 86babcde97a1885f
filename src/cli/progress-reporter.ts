/**
 * Progress for long work: a one-line bar on a TTY (frames, fps, ETA, faces), JSON lines otherwise, so
 * scripts and CI logs get parseable events. The summary event is always printed in json mode.
 */
import type { Writable } from 'node:stream';

export type ProgressStyle = 'bar' | 'json' | 'none';

export interface ProgressUpdate {
  readonly frames: number;
  /** Expected frame count, when the container says. */
  readonly totalFrames?: number;
  /** Faces covered so far (face-frames). */
  readonly faces: number;
  readonly tracks: number;
}

export interface ProgressSummary extends ProgressUpdate {
  readonly seconds: number;
  readonly fps: number;
  readonly [extra: string]: unknown;
}

export class ProgressReporter {
  private readonly start = performance.now();
  private lastEmit = -Infinity;

  /**
   * @param minIntervalMs time between two updates: 100 ms keeps a bar smooth, 1000 ms keeps JSON logs short
   */
  constructor(
    private readonly style: ProgressStyle,
    private readonly out: Writable,
    private readonly minIntervalMs = style === 'json' ? 1000 : 100,
  ) {}

  update(p: ProgressUpdate): void {
    const now = performance.now();
    if (this.style === 'none' || now - this.lastEmit < this.minIntervalMs) return;
    this.lastEmit = now;
    const seconds = (now - this.start) / 1000;
    const fps = seconds > 0 ? p.frames / seconds : 0;
    if (this.style === 'json') {
      this.line({ event: 'progress', ...p, seconds: round(seconds), fps: round(fps) });
      return;
    }
    this.out.write(`\r${renderBar(p, fps)}\x1b[K`);
  }

  /** Final event; in bar mode, ends the bar's line. */
  done(summary: ProgressSummary): void {
    if (this.style === 'json') this.line({ event: 'done', ...summary });
    else if (this.style === 'bar') this.out.write(`\r${renderBar(summary, summary.fps)}\x1b[K\n`);
  }

  /** A warning event (json) or line (bar); silent with 'none'. */
  warn(message: string): void {
    if (this.style === 'json') this.line({ event: 'warning', message });
    else if (this.style === 'bar') this.out.write(`\r\x1b[Kwarning: ${message}\n`);
  }

  elapsedSeconds(): number {
    return (performance.now() - this.start) / 1000;
  }

  private line(event: Record<string, unknown>): void {
    this.out.write(`${JSON.stringify(event)}\n`);
  }
}

/** "  43% [#########...........] 86/200 frames  21.5 fps  ETA 5s  faces 86  tracks 1" */
export function renderBar(p: ProgressUpdate, fps: number, width = 24): string {
  const total = p.totalFrames && p.totalFrames > 0 ? p.totalFrames : undefined;
  const ratio = total ? Math.min(1, p.frames / total) : 0;
  const filled = Math.round(ratio * width);
  const bar = total ? `${String(Math.round(ratio * 100)).padStart(3)}% [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.frames}/${total}` : `${p.frames}`;
  const eta = total && fps > 0 ? `  ETA ${formatDuration((total - p.frames) / fps)}` : '';
  return `${bar} frames  ${fps.toFixed(1)} fps${eta}  faces ${p.faces}  tracks ${p.tracks}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
