/**
 * CPU time of this process's ffmpeg children, read from /proc. The pipeline does not expose its child pids,
 * and Node gives no rusage for children, so the sampler polls /proc and keeps each child's last reading:
 * the time between the last sample and the child's exit is lost (at most one period).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux build Node supports. */
const CLK_TCK = 100;

export type ChildRole = 'decode' | 'encode' | 'other';

export class ChildCpuSampler {
  private readonly lastMs = new Map<number, { role: ChildRole; ms: number }>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param periodMs how often /proc is read; shorter loses less of each child's final stretch
   * @param parentPid whose children to sample, default this process
   */
  constructor(
    private readonly periodMs = 100,
    private readonly parentPid = process.pid,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), this.periodMs);
    this.timer.unref();
  }

  /** Stops sampling. @returns user+system CPU ms per role, summed over the children seen */
  stop(): Record<ChildRole, number> {
    this.sample();
    clearInterval(this.timer);
    const totals: Record<ChildRole, number> = { decode: 0, encode: 0, other: 0 };
    for (const { role, ms } of this.lastMs.values()) totals[role] += ms;
    return totals;
  }

  private sample(): void {
    if (process.platform !== 'linux') return;
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the parenthesised command name (which may contain spaces): state ppid … utime stime.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[1]) !== this.parentPid) continue;
        const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
        const known = this.lastMs.get(pid);
        const role = known?.role ?? roleOf(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'));
        this.lastMs.set(pid, { role, ms });
      } catch {
        // The process exited between readdir and read: its last sample stands.
      }
    }
  }
}

/** The decoder writes raw frames to stdout; the encoder reads a Matroska stream from stdin. */
function roleOf(argv: string[]): ChildRole {
  if (argv.includes('pipe:0')) return 'encode';
  if (argv.includes('pipe:1')) return 'decode';
  return 'other';
}
