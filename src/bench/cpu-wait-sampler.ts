/**
 * Time spent waiting for a CPU, per second: by the proxy's threads (the scheduler's run-queue wait in
 * /proc/PID/task/TID/schedstat) and by the whole machine (the "some" line of /proc/pressure/cpu). A
 * detection that stalls while the proxy's threads waited for a core says the machine was short of CPU at
 * that moment; one that stalls without such a wait points inside the proxy. Linux only; absent files give
 * nulls. No thread is singled out: the proxy's own work runs on a worker thread (src/cli/proxy-thread.ts),
 * whose id /proc does not tell apart from the model workers'.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuWaitSample {
  /** Seconds since the first sample. */
  readonly s: number;
  /** ms the proxy's threads waited for a CPU in this interval, summed over threads. */
  readonly proxyMs: number | null;
  /** The most any one proxy thread waited, ms. */
  readonly proxyThreadMaxMs: number | null;
  /** ms in which at least one runnable task on the machine waited for a CPU (PSI "some"). */
  readonly machineMs: number | null;
}

export type Series = Exclude<keyof CpuWaitSample, 's'>;

export class CpuWaitSampler {
  readonly samples: CpuWaitSample[] = [];
  private last: { t: number; threads: Map<string, number> | null; pressureUs: number | null } | null = null;
  private t0 = 0;

  constructor(private readonly pid: number) {}

  /** Takes one reading; every call after the first records the interval since the one before, scaled to ms per second. */
  sample(): void {
    const t = performance.now();
    const threads = readThreadWaitNs(this.pid);
    const pressureUs = readPressureUs();
    const last = this.last;
    this.last = { t, threads, pressureUs };
    if (!last) {
      this.t0 = t;
      return;
    }
    const perSecond = 1000 / (t - last.t);
    let sum: number | null = null;
    let max: number | null = null;
    if (threads && last.threads) {
      sum = max = 0;
      for (const [tid, ns] of threads) {
        const ms = (ns - (last.threads.get(tid) ?? ns)) / 1e6;
        sum += ms;
        max = Math.max(max, ms);
      }
    }
    const round = (ms: number | null) => (ms === null ? null : Math.round(ms * perSecond));
    this.samples.push({
      s: Math.round((t - this.t0) / 1000),
      proxyMs: round(sum),
      proxyThreadMaxMs: round(max),
      machineMs: round(pressureUs !== null && last.pressureUs !== null ? (pressureUs - last.pressureUs) / 1000 : null),
    });
  }

  /** p50, p99 and max of each series over the run. */
  summary(): Record<Series, { p50: number; p99: number; max: number } | null> {
    const stats = (key: Series) => {
      const v = this.samples.map((x) => x[key]).filter((x): x is number => x !== null).sort((a, b) => a - b);
      return v.length ? { p50: v[v.length >> 1], p99: v[Math.min(v.length - 1, Math.floor(v.length * 0.99))], max: v.at(-1)! } : null;
    };
    return { proxyMs: stats('proxyMs'), proxyThreadMaxMs: stats('proxyThreadMaxMs'), machineMs: stats('machineMs') };
  }

  /** The samples of seconds (from, to]: what the run looked like just before a log line at `to`. */
  window(from: number, to: number): CpuWaitSample[] {
    return this.samples.filter((x) => x.s > from && x.s <= to);
  }
}

/** tid → run-queue wait in ns (schedstat's second field), or null where /proc has no schedstat. */
function readThreadWaitNs(pid: number): Map<string, number> | null {
  try {
    const waits = new Map<string, number>();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        waits.set(tid, Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]));
      } catch {
        // The thread ended between readdir and read.
      }
    }
    return waits;
  } catch {
    return null;
  }
}

/** Total µs of CPU pressure ("some"), or null without PSI. */
function readPressureUs(): number | null {
  try {
    const total = /^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1];
    return total === undefined ? null : Number(total);
  } catch {
    return null;
  }
}
