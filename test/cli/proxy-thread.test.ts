/**
 * `nullcam proxy` runs on a worker thread with a capped young generation (src/cli/proxy-thread.ts): the
 * cap means what it says, the user's own semi-space size wins, a signal still stops the proxy cleanly
 * (exit 0, its ffmpeg children gone), and errors thrown on the thread keep their one line and exit code.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyThreadLimits, YOUNG_GENERATION_MB } from '../../src/cli/proxy-thread.js';
import { ffmpeg, media, tempDir } from '../fixtures/media.js';
import { CLI, freePort, hasGstRtspServer, QUICK, startCamera, startProxy, type Camera } from '../live/live-fixtures.js';

/** The largest young-generation ("new_space") size, in MB, a thread reaches while it churns objects some of which survive. */
function largestNewSpace(resourceLimits: object): Promise<number> {
  const churn = `
    const v8 = require('node:v8'); let keep = [], most = 0;
    for (let i = 0; i < 3e6; i++) {
      keep.push({ i, s: 'x' + i }); if (keep.length > 200000) keep = [];
      if (i % 10000 === 0) most = Math.max(most, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
    }
    require('node:worker_threads').parentPort.postMessage(most / 1048576);`;
  return new Promise((resolve, reject) => new Worker(churn, { eval: true, resourceLimits }).once('message', resolve).once('error', reject));
}

describe('the proxy thread', () => {
  it('caps the young generation at 8 MB semi-spaces (16 MB new space), which a thread left alone grows past', async () => {
    expect(proxyThreadLimits({}, [])).toEqual({ maxYoungGenerationSizeMb: YOUNG_GENERATION_MB });
    expect(await largestNewSpace(proxyThreadLimits({}, []))).toBe(16);
    expect(await largestNewSpace({})).toBeGreaterThan(16);
  });

  it("leaves the young generation to the user's --max-semi-space-size (NODE_OPTIONS or node's command line)", () => {
    expect(proxyThreadLimits({ NODE_OPTIONS: '--require x.cjs --max-semi-space-size=16' }, [])).toEqual({});
    expect(proxyThreadLimits({}, ['--max-semi-space-size', '4'])).toEqual({});
    expect(proxyThreadLimits({ NODE_OPTIONS: '--max-old-space-size=512' }, ['--v8-pool-size=1'])).toEqual({ maxYoungGenerationSizeMb: YOUNG_GENERATION_MB });
  });

  it('an error the proxy throws on its thread is one line with its exit code', () => {
    const run = spawnSync(process.execPath, [CLI, 'proxy', 'rtsp://127.0.0.1:9/none', '--serve', 'rtsp://127.0.0.1:9/x', '--mode', 'nullface'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('nullcam: --mode nullface is for files (nullcam anonymize); nullcam proxy serves blur, pixelate, solid or mask.\n');
  });
});

describe.skipIf(!hasGstRtspServer())('the proxy thread with a camera (skipped without GStreamer: run scripts/setup.sh)', () => {
  const tmp = tempDir('nullcam-proxy-thread-');
  let camera: Camera;
  beforeAll(async () => {
    const clip = path.join(tmp.dir, 'camera.mp4');
    ffmpeg(['-i', media('interview.mp4'), '-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', clip]);
    camera = await startCamera(await freePort(), clip);
  }, 60_000);
  afterAll(async () => {
    await camera?.stop();
    tmp.remove();
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('stops on %s: "stopping", exit 0, and its ffmpeg children are gone', async (signal) => {
    const proxy = startProxy([camera.url, '--serve', `rtsp://127.0.0.1:${await freePort()}/cam1`, ...QUICK]);
    try {
      await proxy.waitFor('[cam1] up');
      const children = execFileSync('pgrep', ['-P', String(proxy.child.pid)], { encoding: 'utf8' }).trim().split('\n').map(Number);
      expect(children.length).toBeGreaterThan(0);
      const exit = new Promise<number | null>((r) => proxy.child.once('exit', r));
      proxy.child.kill(signal);
      expect(await exit).toBe(0);
      expect(proxy.stderr()).toContain('nullcam: stopping');
      for (const pid of children) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      await proxy.stop();
    }
  }, 90_000);
});
