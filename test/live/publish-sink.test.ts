import { afterEach, describe, expect, it, vi } from 'vitest';
import type { H264AccessUnit } from '../../src/egress/h264-access-unit.js';
import type { LiveSink } from '../../src/egress/live-sink.js';
import type { PublishOptions } from '../../src/egress/rtsp-publisher.js';
import { NullcamError } from '../../src/errors.js';
import { resilientPublisher } from '../../src/live/publish-sink.js';

const au = (n: number): H264AccessUnit => ({ nalus: [Buffer.from([0x65, n])], pts90k: n * 3600, keyframe: true });

afterEach(() => {
  vi.useRealTimers();
});

describe('resilientPublisher (virtual time)', () => {
  it('reports a refused first attempt, retries with back-off, and publishes once the server answers', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const written: number[] = [];
    let attempts = 0;
    const connect = async (): Promise<LiveSink> => {
      if (++attempts < 3) throw new NullcamError('Cannot connect to rtsp://server:8554/x: connection refused');
      return { write: (a) => void written.push(a.pts90k), close: async () => {} };
    };
    const pub = resilientPublisher('rtsp://server:8554/x', { transport: 'tcp', backoff: { initialMs: 100, maxMs: 1000 }, log: (l) => log.push(l), connect });
    await expect(pub.firstAttempt).rejects.toThrow('connection refused');
    pub.write(au(1)); // dropped: not connected
    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(200);
    pub.write(au(2));
    expect(written).toEqual([7200]);
    expect(log).toEqual([
      'publishing: Cannot connect to rtsp://server:8554/x: connection refused; retrying in 0.1 s',
      'publishing: Cannot connect to rtsp://server:8554/x: connection refused; retrying in 0.2 s',
      'publishing again',
    ]);
    await pub.close();
  });

  it('reconnects when the connection fails later', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const errors: Array<(e: NullcamError) => void> = [];
    let opened = 0;
    const connect = async (_url: string, o: PublishOptions): Promise<LiveSink> => {
      opened++;
      errors.push(o.onError!);
      return { write: () => {}, close: async () => {} };
    };
    const pub = resilientPublisher('rtsp://server/x', { transport: 'tcp', backoff: { initialMs: 50, maxMs: 50 }, log: (l) => log.push(l), connect });
    await pub.firstAttempt;
    errors[0](new NullcamError('RTSP server closed the connection'));
    await vi.advanceTimersByTimeAsync(50);
    expect(opened).toBe(2);
    expect(log).toEqual(['publishing: RTSP server closed the connection; retrying in 0.05 s', 'publishing again']);
    await pub.close();
  });

  it('fails the attempt (no ReferenceError) when the connection errors before connect resolves', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const written: number[] = [];
    let attempts = 0;
    let sinksClosed = 0;
    const connect = async (_url: string, o: PublishOptions): Promise<LiveSink> => {
      if (++attempts === 1) o.onError!(new NullcamError('RTSP server closed the connection'));
      return { write: (a) => void written.push(a.pts90k), close: async () => void sinksClosed++ };
    };
    const pub = resilientPublisher('rtsp://server/x', { transport: 'tcp', backoff: { initialMs: 50, maxMs: 50 }, log: (l) => log.push(l), connect });
    await expect(pub.firstAttempt).rejects.toThrow('RTSP server closed the connection');
    expect(sinksClosed).toBe(1); // the half-open connection is not kept
    await vi.advanceTimersByTimeAsync(50);
    pub.write(au(3));
    expect(written).toEqual([10800]);
    expect(log).toEqual(['publishing: RTSP server closed the connection; retrying in 0.05 s', 'publishing again']);
    await pub.close();
  });
});
