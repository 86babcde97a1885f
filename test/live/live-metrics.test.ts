import { afterEach, describe, expect, it } from 'vitest';
import { LiveMetrics } from '../../src/live/live-metrics.js';

describe('LiveMetrics', () => {
  let metrics: LiveMetrics | undefined;
  afterEach(() => metrics?.close());

  it("counts frames dropped for slow clients from the outputs' running total, only its increase", () => {
    metrics = new LiveMetrics();
    const cam = metrics.camera('door');
    expect(metrics.render()).toMatch(/^nullcam_client_frames_dropped_total\{camera="door"\} 0$/m);
    cam.clientDrops(3);
    cam.clientDrops(3);
    cam.clientDrops(5);
    expect(metrics.render()).toMatch(/^nullcam_client_frames_dropped_total\{camera="door"\} 5$/m);
  });

  it('reports the young and old generation of the heap in the memory account', () => {
    metrics = new LiveMetrics();
    expect(metrics.render()).toMatch(/^nullcam_memory_bytes\{kind="new_space_resident"\} [1-9]\d*$/m);
    expect(metrics.render()).toMatch(/^nullcam_memory_bytes\{kind="old_space_resident"\} [1-9]\d*$/m);
  });
});
