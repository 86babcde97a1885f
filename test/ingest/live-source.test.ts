/**
 * The live supervisor with fake connections and fake timers (virtual time), then once with a real ffmpeg
 * reading a short clip that "ends" twice: the timeline goes on across the reconnects.
 */
import { lastValueFrom, Observable, Subject, take, toArray } from 'rxjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { NullcamError } from '../../src/errors.js';
import type { Frame } from '../../src/frame.js';
import { locateFfmpeg, type FfmpegBinary } from '../../src/ingest/ffmpeg-binary.js';
import { FfmpegError } from '../../src/ingest/ffmpeg-error.js';
import { UnsupportedAudioError } from '../../src/ingest/flv-audio-reader.js';
import type { LiveDecodeOptions } from '../../src/ingest/live-decode.js';
import { liveSource, type LiveSourceOptions } from '../../src/ingest/live-source.js';
import { parseWebcamMode } from '../../src/ingest/webcam-mode.js';
import { ffmpeg, tempDir } from '../fixtures/media.js';

const tb = { num: 1, den: 1000 };
const frame = (pts: number): Frame => ({ source: 'fake', index: 0, pts, timeBase: tb, width: 2, height: 2, format: 'yuv420p', data: Buffer.alloc(6) });

function options(over: Partial<LiveSourceOptions>, log: string[]): LiveSourceOptions {
  return {
    binary: {} as FfmpegBinary,
    transport: 'tcp',
    connectMs: 1000,
    stallMs: 500,
    maxLagMs: 10_000,
    backoff: { initialMs: 100, maxMs: 400 },
    startAttempts: 3,
    log: (l) => log.push(l),
    now: () => Date.now(),
    ...over,
  };
}

const refused = () =>
  new FfmpegError('Reading rtsp://u:***@cam/x', 'check', {
    argv: ['ffmpeg'],
    code: 1,
    signal: null,
    stderrTail: ['[tcp @ 0x55] [error] Connection to tcp://cam:554?timeout=0 failed: Connection refused', '[error] rtsp://u:secret@cam/x: Connection refused'],
    durationMs: 5,
  });

afterEach(() => {
  vi.useRealTimers();
});

describe('liveSource (virtual time)', () => {
  it('probes in full, at once and without counting a failure, when the quick probe finds no stream parameters', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const probes: Array<string | undefined> = [];
    const noParameters = new FfmpegError('Reading rtsp://cam/x', 'check', {
      argv: ['ffmpeg'],
      code: 1,
      signal: null,
      stderrTail: ['[rtsp @ 0x55] [error] Could not find codec parameters for stream 0 (Video: h264, none): unspecified size'],
      durationMs: 5,
    });
    const connect = (_: string, o: { probe?: string }) =>
      new Observable<Frame>((s) => {
        probes.push(o.probe);
        if (o.probe !== 'full') s.error(noParameters);
        else s.next(frame(0));
      });
    const got = lastValueFrom(liveSource('rtsp://cam/x', options({ connect, startAttempts: 1 }, log)).pipe(take(1)));
    await vi.advanceTimersByTimeAsync(0);
    expect((await got).pts).toBe(0);
    expect(probes).toEqual(['quick', 'full']);
    expect(log).toEqual(['the stream\'s first bytes do not say its parameters; probing it in full (one to five seconds of start-up delay)']);
  });

  it('learns the camera audio at once, without counting failures: none when it has none, AAC when FLV cannot carry it', async () => {
    vi.useFakeTimers();
    const failing = (line: string) => new FfmpegError('Reading rtsp://cam/x', 'check', { argv: ['ffmpeg'], code: 1, signal: null, stderrTail: [line], durationMs: 5 });
    const run = async (first: Error) => {
      const log: string[] = [];
      const asked: Array<string | undefined> = [];
      const connect = (_: string, o: { audio?: string }) =>
        new Observable<Frame>((s) => {
          asked.push(o.audio);
          if (asked.length === 1) s.error(first);
          else s.next(frame(0));
        });
      const got = lastValueFrom(liveSource('rtsp://cam/x', options({ connect, startAttempts: 1, audio: true }, log)).pipe(take(1)));
      await vi.advanceTimersByTimeAsync(0);
      await got;
      return { asked, log };
    };
    expect(await run(failing('[fatal] Output file #1 does not contain any stream'))).toEqual({ asked: ['copy', 'none'], log: ['the camera sends no audio; serving video only'] });
    expect(await run(failing('[flv @ 0x5] [error] Audio codec opus not compatible with flv'))).toEqual({ asked: ['copy', 'aac'], log: ["the camera's audio cannot be carried as it is; re-encoding it to AAC"] });
    expect(await run(new UnsupportedAudioError('mp3'))).toEqual({ asked: ['copy', 'aac'], log: ["the camera's audio (mp3) cannot be carried as it is; re-encoding it to AAC"] });
  });

  it('puts the audio on the frames\' timeline, sample-exact, from the connection\'s first frame on', async () => {
    const aac = { codec: 'aac' as const, sampleRate: 48_000, channels: 1 };
    const connect = (_: string, o: LiveDecodeOptions) =>
      new Observable<Frame>((s) => {
        o.onAudio!({ format: aac, data: Buffer.alloc(1), ms: 990, samples: 1024 }); // before the first frame: no mapping yet
        s.next({ ...frame(1000), timeBase: tb });
        for (const ms of [1000, 1021, 1043]) o.onAudio!({ format: aac, data: Buffer.alloc(1), ms, samples: 1024 });
      });
    const audio: number[] = [];
    const first = await lastValueFrom(liveSource('rtsp://cam/x', options({ connect, audio: true, onAudio: (u) => audio.push(u.pts90k) }, [])).pipe(take(1)));
    expect(audio).toEqual([first.pts, first.pts + 1920, first.pts + 3840]);
  });

  it('gives up with one line after startAttempts when the camera never answers, backing off in between', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const attemptsAt: number[] = [];
    const connect = () => new Observable<Frame>((s) => (attemptsAt.push(Date.now()), s.error(refused())));
    const t0 = Date.now();
    const result = lastValueFrom(liveSource('rtsp://u:secret@cam/x', options({ connect }, log))).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    const error = (await result) as NullcamError;
    expect(error).toBeInstanceOf(NullcamError);
    expect(error.message).toBe('Cannot read rtsp://u:***@cam/x: Connection refused (3 attempts); check the URL, the credentials and that the camera is reachable.');
    expect(attemptsAt.map((t) => t - t0)).toEqual([0, 100, 300]);
    expect(log).toEqual(['not reachable: Connection refused; reconnecting in 0.1 s (attempt 1)', 'not reachable: Connection refused; reconnecting in 0.2 s (attempt 2)']);
    expect(log.join('\n')).not.toContain('secret');
  });

  it('says what to check for a webcam that cannot be opened', async () => {
    vi.useFakeTimers();
    const connect = () => new Observable<Frame>((s) => s.error(new Error('No such file or directory')));
    const result = lastValueFrom(liveSource('/dev/video9', { ...options({ connect }, []), startAttempts: 1 })).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    expect(((await result) as NullcamError).message).toMatch(/^Cannot read \/dev\/video9: .*\(1 attempt\); check that the device exists \(ls \/dev\/video\*\) and that this user may read it \(group video\)\.$/);
    const mjpeg = lastValueFrom(liveSource('/dev/video9', { ...options({ connect }, []), startAttempts: 1, webcam: parseWebcamMode(':mjpeg') })).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    expect(((await mjpeg) as NullcamError).message).toMatch(
      /; check that the device exists \(ls \/dev\/video\*\), that this user may read it \(group video\) and that it offers mjpeg \(ffmpeg -f v4l2 -list_formats all -i \/dev\/video9\)\.$/,
    );
  });

  it('restarts a stalled connection, keeps pts increasing and indices counting, and never gives up once it was up', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const cameras: Array<Subject<Frame>> = [];
    let unsubscribed = 0;
    const connect = () =>
      new Observable<Frame>((s) => {
        const cam = new Subject<Frame>();
        cameras.push(cam);
        const sub = cam.subscribe(s);
        return () => (unsubscribed++, sub.unsubscribe());
      });
    const out: Frame[] = [];
    const sub = liveSource('rtsp://cam/x', options({ connect, startAttempts: 1 }, log)).subscribe({ next: (f) => out.push(f) });
    cameras[0].next(frame(0));
    await vi.advanceTimersByTimeAsync(40);
    cameras[0].next(frame(40));
    await vi.advanceTimersByTimeAsync(600); // stall: > 500 ms without a frame
    expect(unsubscribed).toBe(1);
    expect(log).toEqual(['down: no frame for 0.5 s (stalled); reconnecting in 0.1 s (attempt 1)']);
    await vi.advanceTimersByTimeAsync(100);
    expect(cameras).toHaveLength(2);
    cameras[1].next(frame(0)); // the new connection's clock starts again at 0
    cameras[1].next(frame(40));
    cameras[1].complete(); // ends: an outage too
    await vi.advanceTimersByTimeAsync(100);
    expect(cameras).toHaveLength(3);
    sub.unsubscribe();
    expect(out.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    const pts = out.map((f) => f.pts);
    expect(pts[1] - pts[0]).toBe(3600);
    expect(pts[2] - pts[1]).toBeGreaterThanOrEqual(600 * 90); // the outage's wall-clock length
    expect(pts[3] - pts[2]).toBe(3600);
    expect(out.every((f) => f.timeBase.den === 90_000)).toBe(true);
    expect(log[1]).toBe('down: the stream ended; reconnecting in 0.1 s (attempt 1)');
  });
});

describe('liveSource lag watchdog (virtual time)', () => {
  it('restarts a connection whose frames fall behind real time, not one that starts with a backlog', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const cameras: Array<Subject<Frame>> = [];
    const connect = () =>
      new Observable<Frame>((s) => {
        const cam = new Subject<Frame>();
        cameras.push(cam);
        return cam.subscribe(s);
      });
    liveSource('rtsp://cam/x', options({ connect, maxLagMs: 1000, stallMs: 60_000 }, log)).subscribe();
    // A probe backlog: 10 frames (0.4 s of camera time) at once, then real time.
    for (let i = 0; i < 10; i++) cameras[0].next(frame(i * 40));
    for (let i = 10; i < 60; i++) {
      await vi.advanceTimersByTimeAsync(40);
      cameras[0].next(frame(i * 40));
    }
    expect(log).toEqual([]);
    // Now the camera's time advances at half the wall clock's pace: decoding cannot keep up.
    for (let i = 60; i < 140; i++) {
      await vi.advanceTimersByTimeAsync(80);
      cameras[0]?.next(frame(i * 40));
    }
    expect(log[0]).toMatch(/^down: fell 1\.0 s behind real time \(CPU too busy\?\); reconnecting in 0\.1 s \(attempt 1\)$/);
  });
});

describe('liveSource with ffmpeg', () => {
  let binary: FfmpegBinary;
  const tmp = tempDir('nullcam-live-');
  beforeAll(async () => {
    binary = await locateFfmpeg();
  });

  it('reads a source that ends as an outage and continues its timeline after reconnecting', async () => {
    const clip = `${tmp.dir}/five.mp4`;
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=64x48:r=25', '-frames:v', '5', '-c:v', 'libx264', '-preset', 'ultrafast', clip]);
    const log: string[] = [];
    const infos: string[] = [];
    const frames = await lastValueFrom(
      liveSource(
        clip,
        options(
          {
            binary,
            connectMs: 10_000,
            stallMs: 10_000,
            backoff: { initialMs: 10, maxMs: 10 },
            startAttempts: 1,
            now: () => performance.now(),
            onStreamInfo: (i) => infos.push(`${i.codec} ${i.frameRate?.num}/${i.frameRate?.den}`),
          },
          log,
        ),
      ).pipe(take(12), toArray()),
    );
    expect(frames.map((f) => f.index)).toEqual([...Array(12).keys()]);
    for (let i = 1; i < frames.length; i++) expect(frames[i].pts).toBeGreaterThan(frames[i - 1].pts);
    expect(frames[1].pts - frames[0].pts).toBe(3600);
    expect(frames[0]).toMatchObject({ width: 64, height: 48, format: 'yuv420p' });
    expect(frames[0].data.length).toBe(64 * 48 * 1.5);
    expect(log).toEqual(['down: the stream ended; reconnecting in 0.01 s (attempt 1)', 'down: the stream ended; reconnecting in 0.01 s (attempt 1)']);
    expect(infos[0]).toBe('h264 25/1');
    tmp.remove();
  });
});
