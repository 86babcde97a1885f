import { afterEach, describe, expect, it } from 'vitest';
import { framePool } from '../../src/frame-pool.js';
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

  it('reports the frame buffer pool: allocated, free, and misuse (0)', () => {
    const b = framePool.take(64);
    framePool.hold(b);
    framePool.release(b);
    metrics = new LiveMetrics();
    expect(metrics.render()).toMatch(/^nullcam_frame_buffers\{kind="allocated"\} [1-9]\d*$/m);
    expect(metrics.render()).toMatch(/^nullcam_frame_buffers\{kind="free"\} [1-9]\d*$/m);
    expect(metrics.render()).toMatch(/^nullcam_frame_buffers\{kind="misused"\} 0$/m);
  });
});
