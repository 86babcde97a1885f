/**
 * Counters, gauges and sliding-window summaries, rendered in the Prometheus text exposition format
 * (version 0.0.4). Memory is fixed: a summary keeps its last `window` observations per label set, and label
 * sets are the cameras and stages the process was built with.
 */

export type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'summary';
  readonly series: Map<string, { labels: Labels; value: number; window?: SlidingWindow }>;
}

/** Quantiles each summary reports. */
const QUANTILES = [0.5, 0.9, 0.99] as const;

class SlidingWindow {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;
  count = 0;
  sum = 0;

  constructor(size: number) {
    this.values = new Float64Array(size);
  }

  add(v: number): void {
    this.values[this.next] = v;
    this.next = (this.next + 1) % this.values.length;
    this.filled = Math.min(this.filled + 1, this.values.length);
    this.count++;
    this.sum += v;
  }

  quantile(q: number): number {
    if (this.filled === 0) return NaN;
    const sorted = Array.from(this.values.subarray(0, this.filled)).sort((a, b) => a - b);
    return sorted[Math.min(this.filled - 1, Math.floor(q * this.filled))];
  }
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  /** @param window observations each summary series keeps for its quantiles */
  constructor(private readonly window = 1024) {}

  counter(name: string, help: string) {
    const family = this.family(name, help, 'counter');
    return { inc: (labels: Labels = {}, by = 1) => (this.series(family, labels).value += by) };
  }

  gauge(name: string, help: string) {
    const family = this.family(name, help, 'gauge');
    return { set: (labels: Labels, value: number) => (this.series(family, labels).value = value) };
  }

  summary(name: string, help: string) {
    const family = this.family(name, help, 'summary');
    return { observe: (labels: Labels, value: number) => this.series(family, labels).window!.add(value) };
  }

  /** The exposition text: HELP and TYPE per family, then one line per series (and per quantile). */
  render(): string {
    const lines: string[] = [];
    for (const f of this.families.values()) {
      lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      for (const { labels, value, window } of f.series.values()) {
        if (!window) {
          lines.push(`${f.name}${formatLabels(labels)} ${formatNumber(value)}`);
          continue;
        }
        for (const q of QUANTILES) lines.push(`${f.name}${formatLabels({ ...labels, quantile: String(q) })} ${formatNumber(window.quantile(q))}`);
        lines.push(`${f.name}_sum${formatLabels(labels)} ${formatNumber(window.sum)}`, `${f.name}_count${formatLabels(labels)} ${window.count}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  private family(name: string, help: string, type: Family['type']): Family {
    const existing = this.families.get(name);
    if (existing) return existing;
    const family: Family = { name, help, type, series: new Map() };
    this.families.set(name, family);
    return family;
  }

  private series(family: Family, labels: Labels) {
    const key = JSON.stringify(labels);
    let s = family.series.get(key);
    if (!s) {
      s = { labels, value: 0, ...(family.type === 'summary' ? { window: new SlidingWindow(this.window) } : {}) };
      family.series.set(key, s);
    }
    return s;
  }
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(Math.round(v * 1e6) / 1e6);
}
