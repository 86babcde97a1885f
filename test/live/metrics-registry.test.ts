import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../src/live/metrics-registry.js';

describe('MetricsRegistry', () => {
  it('renders counters, gauges and summaries in the Prometheus text format', () => {
    const m = new MetricsRegistry(4);
    const frames = m.counter('nullcam_frames_in_total', 'Frames read from cameras.');
    const clients = m.gauge('nullcam_clients', 'Connected RTSP clients.');
    const latency = m.summary('nullcam_stage_latency_seconds', 'Wall time per stage.');
    frames.inc({ camera: 'a' });
    frames.inc({ camera: 'a' }, 2);
    frames.inc({ camera: 'b"x' });
    clients.set({ camera: 'a' }, 3);
    // Window of 4: the first observation (100) falls out of the quantiles but stays in sum and count.
    for (const v of [100, 1, 2, 3, 4]) latency.observe({ camera: 'a', stage: 'detect' }, v);
    expect(m.render()).toBe(
      [
        '# HELP nullcam_frames_in_total Frames read from cameras.',
        '# TYPE nullcam_frames_in_total counter',
        'nullcam_frames_in_total{camera="a"} 3',
        'nullcam_frames_in_total{camera="b\\"x"} 1',
        '# HELP nullcam_clients Connected RTSP clients.',
        '# TYPE nullcam_clients gauge',
        'nullcam_clients{camera="a"} 3',
        '# HELP nullcam_stage_latency_seconds Wall time per stage.',
        '# TYPE nullcam_stage_latency_seconds summary',
        'nullcam_stage_latency_seconds{camera="a",stage="detect",quantile="0.5"} 3',
        'nullcam_stage_latency_seconds{camera="a",stage="detect",quantile="0.9"} 4',
        'nullcam_stage_latency_seconds{camera="a",stage="detect",quantile="0.99"} 4',
        'nullcam_stage_latency_seconds_sum{camera="a",stage="detect"} 110',
        'nullcam_stage_latency_seconds_count{camera="a",stage="detect"} 5',
        '',
      ].join('\n'),
    );
  });
});
