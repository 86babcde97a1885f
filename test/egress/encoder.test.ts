import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { from, lastValueFrom, Observable, take, tap, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTo, toMicroseconds, type EncodeOptions } from '../../src/egress/encoder.js';
import { NullcamError } from '../../src/errors.js';
import type { Frame, PixelFormat, Rational } from '../../src/frame.js';
import { decodeFrames } from '../../src/ingest/decode-frames.js';
import { locateFfmpeg, type FfmpegBinary } from '../../src/ingest/ffmpeg-binary.js';
import { FfmpegError } from '../../src/ingest/ffmpeg-error.js';
import { openInput } from '../../src/ingest/open-input.js';
import { Credit } from '../../src/pipeline/credit.js';
import {
  fakeFfmpeg, ffmpeg, ffprobeFrames, ffprobeStreams, isRunning, knownFrames, makeVfrClip, media, sameInstant, tempDir, waitFor, type ProbedStream,
} from '../fixtures/media.js';

const tmp = tempDir();
let binary: FfmpegBinary;
beforeAll(async () => {
  binary = await locateFfmpeg({ searchPath: '/usr/bin' });
});
afterAll(() => tmp.remove());

/** Decodes `source` and encodes it to `output` with one shared Credit, as the pipeline does. */
async function transcode(source: string, output: string, extra: Partial<EncodeOptions> = {}) {
  const input = await openInput(source, { binary });
  const credit = new Credit(4);
  const summary = await lastValueFrom(decodeFrames(input, { binary, credit }).pipe(encodeTo({ binary, output, original: input, credit, ...extra })));
  return { input, summary };
}

const video = (streams: ProbedStream[]) => streams.find((s) => s.codec_type === 'video')!;
const audio = (streams: ProbedStream[]) => streams.filter((s) => s.codec_type === 'audio');
const ms = (seconds: string | undefined) => Math.round(Number(seconds) * 1000);

/** Every output frame at exactly the input frame's instant (rational comparison, no rounding). */
function expectSameInstants(input: { timeBase: Rational; pts: number[] }, output: { timeBase: Rational; pts: number[] }): void {
  expect(output.pts).toHaveLength(input.pts.length);
  const mismatches = input.pts.filter((pts, i) => !sameInstant(pts, input.timeBase, output.pts[i], output.timeBase));
  expect(mismatches).toEqual([]);
}

const dirEntries = (dir: string) => readdirSync(dir).filter((name) => name.includes('.nullcam-'));

describe('encodeTo: round trips keep frames, timing and audio', () => {
  it('interview.mp4 → mp4: 200 frames, every pts, 25 fps, AAC copied', async () => {
    const output = path.join(tmp.dir, 'interview.mp4');
    const { summary } = await transcode(media('interview.mp4'), output);
    expect(summary).toMatchObject({ output, frames: 200, dropped: [] });
    expect(summary.kept.map((k) => [k.stream.codec, k.action.kind])).toEqual([['aac', 'copy']]);
    expectSameInstants(ffprobeFrames(media('interview.mp4')), ffprobeFrames(output));

    const [inStreams, outStreams] = [ffprobeStreams(media('interview.mp4')), ffprobeStreams(output)];
    expect(video(outStreams)).toMatchObject({ codec_name: 'h264', time_base: '1/12800', r_frame_rate: '25/1', avg_frame_rate: '25/1', nb_frames: '200', duration: '8.000000' });
    expect(audio(outStreams).map((s) => [s.codec_name, s.duration, s.nb_frames])).toEqual(audio(inStreams).map((s) => [s.codec_name, s.duration, s.nb_frames]));
    expect(dirEntries(tmp.dir)).toEqual([]);
  });

  it('Megamind.avi → mp4: 270 frames in 125/2997 ticks, the first at 1 tick (edit list exact), AC3 copied', async () => {
    const output = path.join(tmp.dir, 'megamind.mp4');
    const { input } = await transcode(media('Megamind.avi'), output);
    const decoded = await lastValueFrom(decodeFrames(input, { binary }).pipe(toArray()));
    expectSameInstants({ timeBase: { num: 125, den: 2997 }, pts: decoded.map((f) => f.pts) }, ffprobeFrames(output));
    const outStreams = ffprobeStreams(output);
    expect(video(outStreams)).toMatchObject({ r_frame_rate: '2997/125', avg_frame_rate: '2997/125', nb_frames: '270', start_time: '0.041708' });
    // ffmpeg's AC3 parser drops the clip's truncated first audio packet (729 of 768 bytes) on copy.
    expect(audio(outStreams).map((s) => [s.codec_name, s.start_time])).toEqual([['ac3', '0.032000']]);
  });

  it('a VFR clip with two audio tracks → mp4 stays VFR with identical timestamps', async () => {
    const clip = makeVfrClip(tmp.dir);
    const output = path.join(tmp.dir, 'vfr-out.mp4');
    const { summary } = await transcode(clip, output);
    expect(summary.kept.map((k) => k.stream.index)).toEqual([1, 2]);
    const [inFrames, outFrames] = [ffprobeFrames(clip), ffprobeFrames(output)];
    expectSameInstants(inFrames, outFrames);
    const gaps = new Set(outFrames.pts.slice(1).map((p, i) => p - outFrames.pts[i]));
    expect(gaps.size).toBeGreaterThan(1);
    const [inStreams, outStreams] = [ffprobeStreams(clip), ffprobeStreams(output)];
    expect(video(outStreams).avg_frame_rate).toBe(video(inStreams).avg_frame_rate); // 585/44, not 30/1
    expect(video(outStreams).duration).toBe(video(inStreams).duration);
    expect(audio(outStreams).map((s) => [s.codec_name, s.duration])).toEqual([['aac', '3.000000'], ['aac', '3.000000']]);
  });

  it('with the 2018 npm ffmpeg (-vsync, no -movie_timescale): interview.mp4 keeps all 200 frames and every pts', async () => {
    const npm = await locateFfmpeg({ searchPath: '' });
    const input = await openInput(media('interview.mp4'), { binary: npm });
    const credit = new Credit(4);
    const output = path.join(tmp.dir, 'interview-npm.mp4');
    const summary = await lastValueFrom(decodeFrames(input, { binary: npm, credit }).pipe(encodeTo({ binary: npm, output, original: input, credit })));
    expect(summary.frames).toBe(200);
    expectSameInstants(ffprobeFrames(media('interview.mp4')), ffprobeFrames(output));
    expect(video(ffprobeStreams(output))).toMatchObject({ avg_frame_rate: '25/1', duration: '8.000000' });
  });

  it('the same VFR clip → mkv: same frame times to the millisecond (Matroska stores ms)', async () => {
    const clip = path.join(tmp.dir, 'vfr.mp4');
    if (!existsSync(clip)) makeVfrClip(tmp.dir);
    const output = path.join(tmp.dir, 'vfr-out.mkv');
    await transcode(clip, output);
    const [inFrames, outFrames] = [ffprobeFrames(clip), ffprobeFrames(output)];
    expect(outFrames.timeBase).toEqual({ num: 1, den: 1000 });
    const inMs = inFrames.pts.map((p) => (p * 1000) / inFrames.timeBase.den);
    // Matroska cannot store AAC's negative priming timestamps, so ffmpeg shifts all tracks by the same amount.
    const shift = outFrames.pts[0] - inMs[0];
    expect(outFrames.pts.map((p, i) => Math.abs(p - shift - inMs[i]) <= 0.5)).toEqual(inMs.map(() => true));
    expect(audio(ffprobeStreams(output))).toHaveLength(2);
  });
});

describe('encodeTo: subtitles', () => {
  it('text subtitles become mov_text in mp4 and stay subrip in mkv', async () => {
    const srt = path.join(tmp.dir, 'subs.srt');
    writeFileSync(srt, '1\n00:00:00,000 --> 00:00:00,500\nHello\n\n2\n00:00:00,500 --> 00:00:01,000\nWorld\n');
    const clip = path.join(tmp.dir, 'subs.mkv');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=64x48:r=10:d=1', '-i', srt, '-map', '0', '-map', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:s', 'subrip', clip]);
    const { summary } = await transcode(clip, path.join(tmp.dir, 'subs-out.mp4'));
    expect(summary.kept.map((k) => [k.stream.codec, k.action.kind === 'copy' ? 'copy' : k.action.codec])).toEqual([['subrip', 'mov_text']]);
    expect(ffprobeStreams(path.join(tmp.dir, 'subs-out.mp4')).map((s) => s.codec_name)).toEqual(['h264', 'mov_text']);
    await transcode(clip, path.join(tmp.dir, 'subs-out.mkv'));
    expect(ffprobeStreams(path.join(tmp.dir, 'subs-out.mkv')).map((s) => s.codec_name)).toEqual(['h264', 'subrip']);
  });
});

/** Frames from a list, as a source would emit them. */
function syntheticFrames(format: PixelFormat, width: number, height: number, pts: number[], timeBase: Rational): Frame[] {
  return knownFrames(format, width, height, pts.length).map((data, index) => ({ source: 'synthetic', index, pts: pts[index], timeBase, width, height, format, data }));
}

describe('encodeTo: lossless path is byte exact', () => {
  it.each<[PixelFormat, string]>([
    ['yuv420p', 'yuv420p'],
    ['rgb24', 'gbrp'],
  ])('%s 33x17 frames through FFV1/mkv come back identical, VFR times intact', async (format, pixFmt) => {
    const frames = syntheticFrames(format, 33, 17, [0, 40, 80, 200, 210, 500], { num: 1, den: 1000 });
    const output = path.join(tmp.dir, `lossless-${format}.mkv`);
    const summary = await lastValueFrom(from(frames).pipe(encodeTo({ binary, output, video: { encoder: 'ffv1', pixFmt } })));
    expect(summary.frames).toBe(6);
    const decoded = await lastValueFrom(decodeFrames(await openInput(output, { binary }), { binary, format }).pipe(toArray()));
    expect(decoded.map((f) => f.pts)).toEqual([0, 40, 80, 200, 210, 500]);
    expect(decoded.map((f) => f.data.equals(frames[f.index].data))).toEqual(frames.map(() => true));
  });
});

describe('encodeTo: failures leave nothing behind', () => {
  it('an encoder error reports ffmpeg’s reason, removes the temp file and leaves the existing output alone', async () => {
    const output = path.join(tmp.dir, 'keep.mp4');
    writeFileSync(output, 'precious');
    const frames = syntheticFrames('yuv420p', 32, 16, [0, 1, 2], { num: 1, den: 25 });
    const error = await lastValueFrom(from(frames).pipe(encodeTo({ binary, output, overwrite: true, video: { preset: 'bogus' } }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).message).toMatch(new RegExp(`^Encoding ${output} failed \\(ffmpeg exit 1: .*bogus.*\\); check the encoder options and the free disk space\\.$`));
    expect((error as FfmpegError).argv).toContain('libx264');
    expect(readFileSync(output, 'utf8')).toBe('precious');
    expect(dirEntries(tmp.dir)).toEqual([]);
  });

  it('an odd size libx264 cannot take fails in one line before ffmpeg starts, leaving nothing', async () => {
    const output = path.join(tmp.dir, 'odd.mp4');
    const frames = syntheticFrames('yuv420p', 33, 17, [0, 1, 2], { num: 1, den: 25 });
    let spawned = false;
    const error = await lastValueFrom(from(frames).pipe(encodeTo({ binary, output, onSpawn: () => void (spawned = true) }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NullcamError);
    expect((error as Error).message).toMatch(/^The video is 33x17, and yuv420p needs an even width; pass --set encode.pixFmt=yuv444p/);
    expect(spawned).toBe(false);
    expect(dirEntries(tmp.dir)).toEqual([]);
  });

  it('a missing output directory fails before the source is subscribed', async () => {
    let subscribed = false;
    const source = new Observable<Frame>(() => {
      subscribed = true;
    });
    const missing = path.join(tmp.dir, 'missing');
    await expect(lastValueFrom(source.pipe(encodeTo({ binary, output: path.join(missing, 'x.mp4') })))).rejects.toThrow(
      `Output directory ${missing} does not exist; create it first.`,
    );
    expect(subscribed).toBe(false);
  });

  it('an empty input is an error, not an empty file', async () => {
    const output = path.join(tmp.dir, 'empty.mp4');
    await expect(lastValueFrom(from([] as Frame[]).pipe(encodeTo({ binary, output })))).rejects.toThrow(NullcamError);
    expect(existsSync(output)).toBe(false);
    expect(dirEntries(tmp.dir)).toEqual([]);
  });

  it('bad options throw when the operator is built', () => {
    expect(() => encodeTo({ binary, output: 'x.avi' })).toThrow('unsupported extension ".avi"');
    expect(() => encodeTo({ binary, output: 'x.mp4', video: { crf: 99 } })).toThrow('Expected a number between 0 and 63 for crf');
  });

  it('unsubscribing mid-encode (Ctrl-C) stops ffmpeg and removes the temp file', async () => {
    const input = await openInput(media('interview.mp4'), { binary });
    const output = path.join(tmp.dir, 'interrupted.mp4');
    const credit = new Credit(2);
    let pid = 0;
    let written = 0;
    const subscription = decodeFrames(input, { binary, credit })
      .pipe(tap(() => written++), encodeTo({ binary, output, original: input, credit, onSpawn: (p) => (pid = p.pid!) }))
      .subscribe();
    expect(await waitFor(() => written >= 20, 10_000)).toBe(true);
    expect(dirEntries(tmp.dir)).toHaveLength(1); // the temp file, being written
    subscription.unsubscribe();
    expect(await waitFor(() => !isRunning(pid), 3000)).toBe(true);
    expect(await waitFor(() => dirEntries(tmp.dir).length === 0, 2000)).toBe(true);
    expect(existsSync(output)).toBe(false);
  });
});

describe('encodeTo: backpressure', () => {
  it('returns credit only once stdin takes the frame: an encoder that stops reading stops the source', async () => {
    // A stand-in encoder that never reads stdin: the pipe fills and writes start reporting backpressure.
    const stuck = fakeFfmpeg(tmp.dir, 'stuck-ffmpeg', 'exec sleep 30');
    const credit = new Credit(3);
    let emitted = 0;
    const [w, h] = [1024, 512]; // 768 KiB per yuv420p frame, far over the pipe and stream buffers
    const frame = syntheticFrames('yuv420p', w, h, [0], { num: 1, den: 25 })[0];
    const source = new Observable<Frame>((subscriber) => {
      let stopped = false;
      void (async () => {
        for (let i = 0; i < 100 && !stopped; i++) {
          await credit.take();
          if (stopped) return;
          emitted++;
          subscriber.next({ ...frame, index: i, pts: i });
        }
        subscriber.complete();
      })();
      return () => (stopped = true);
    });
    let pid = 0;
    const output = path.join(tmp.dir, 'stuck.mp4');
    const subscription = source.pipe(encodeTo({ binary: { ...binary, ffmpeg: stuck }, output, credit, onSpawn: (p) => (pid = p.pid!), killTimeoutMs: 500 })).subscribe();
    await new Promise((r) => setTimeout(r, 800));
    expect(emitted).toBe(3);
    expect(credit.inFlight).toBe(3);
    subscription.unsubscribe();
    expect(await waitFor(() => !isRunning(pid), 3000)).toBe(true);
    expect(await waitFor(() => dirEntries(tmp.dir).length === 0, 2000)).toBe(true);
  });
});

describe('toMicroseconds', () => {
  it.each([
    [512, { num: 1, den: 12800 }, 40000],
    [1, { num: 125, den: 2997 }, 41708], // 41708.375
    [3, { num: 1, den: 90000 }, 33], // 33.33
    [-1024, { num: 1, den: 44100 }, -23220], // -23219.95
    [2 ** 40, { num: 1, den: 1_000_000 }, 2 ** 40], // beyond 2^53 once multiplied by 10^6
  ])('%d × %o → %d µs', (pts, timeBase, us) => expect(toMicroseconds(pts, timeBase)).toBe(us));
});
