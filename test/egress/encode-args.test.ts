import { describe, expect, it } from 'vitest';
import { encodeArgs, formatMicroseconds, type EncodeArgsInput } from '../../src/egress/encode-args.js';
import { DEFAULT_VIDEO_ENCODING } from '../../src/egress/encode-options.js';
import { planStreams } from '../../src/egress/stream-plan.js';

const base: EncodeArgsInput = {
  hasFpsMode: true,
  hasMovieTimescale: true,
  container: 'mp4',
  output: '/out/.a.nullcam-1f2e3d4c.mp4',
  frameFormat: 'yuv420p',
  timeBase: { num: 1, den: 12800 },
  startOffsetUs: 0,
  video: DEFAULT_VIDEO_ENCODING,
  color: {},
};

describe('encodeArgs', () => {
  it('video only, mp4, defaults', () => {
    expect(encodeArgs(base)).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+warning',
      '-f', 'matroska', '-i', 'pipe:0',
      '-map', '0:v:0',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p',
      '-enc_time_base:v', '1:12800', '-fps_mode:v', 'passthrough',
      '-map_metadata', '-1',
      '-video_track_timescale', '12800', '-movie_timescale', '64000',
      '-f', 'mp4', '-y', '/out/.a.nullcam-1f2e3d4c.mp4',
    ]);
  });

  it('with the original: kept streams mapped by index, copied or re-encoded per output stream', () => {
    const plan = planStreams(
      [
        { index: 0, kind: 'audio', codec: 'pcm_s16le', attachedPicture: false },
        { index: 1, kind: 'video', codec: 'h264', attachedPicture: false },
        { index: 2, kind: 'audio', codec: 'aac', attachedPicture: false },
        { index: 3, kind: 'subtitle', codec: 'subrip', attachedPicture: false },
        { index: 4, kind: 'data', codec: 'bin_data', attachedPicture: false },
      ],
      'mp4',
      1,
    );
    expect(encodeArgs({ ...base, original: { source: '/in/a.mov', plan }, startOffsetUs: 41708, timeBase: { num: 125, den: 2997 } })).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+warning',
      '-itsoffset', '0.041708',
      '-f', 'matroska', '-i', 'pipe:0',
      '-i', '/in/a.mov',
      '-map', '0:v:0', '-map', '1:0', '-map', '1:2', '-map', '1:3',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p',
      '-enc_time_base:v', '125:2997', '-fps_mode:v', 'passthrough',
      '-c:1', 'aac', '-b:1', '192k', '-c:2', 'copy', '-c:3', 'mov_text',
      '-map_metadata', '-1',
      '-video_track_timescale', '2997', '-movie_timescale', '2997000',
      '-f', 'mp4', '-y', '/out/.a.nullcam-1f2e3d4c.mp4',
    ]);
  });

  it('2018 ffmpeg, mkv, rgb24 frames tagged bt709, bit rate and extra args', () => {
    expect(
      encodeArgs({
        ...base,
        hasFpsMode: false,
        hasMovieTimescale: false,
        container: 'matroska',
        output: '/o/.b.nullcam-00000000.mkv',
        frameFormat: 'rgb24',
        timeBase: { num: 1, den: 90000 },
        color: { range: 'tv', space: 'bt709', primaries: 'bt709', transfer: 'bt709' },
        video: { encoder: 'libx265', preset: 'fast', bitrate: '4M', pixFmt: 'yuv420p', extraArgs: ['-tune', 'film'] },
      }),
    ).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+warning',
      '-f', 'matroska', '-i', 'pipe:0',
      '-map', '0:v:0',
      '-c:v', 'libx265', '-preset', 'fast', '-b:v', '4M', '-pix_fmt', 'yuv420p',
      '-vf', 'scale=out_color_matrix=bt709:out_range=tv',
      '-color_range', 'tv', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709',
      '-vsync', 'passthrough',
      '-map_metadata', '-1',
      '-tune', 'film',
      '-f', 'matroska', '-y', '/o/.b.nullcam-00000000.mkv',
    ]);
  });

  it('mov without -movie_timescale support keeps only the track timescale', () => {
    const args = encodeArgs({ ...base, container: 'mov', hasMovieTimescale: false });
    expect(args.slice(-8)).toEqual(['-map_metadata', '-1', '-video_track_timescale', '12800', '-f', 'mov', '-y', '/out/.a.nullcam-1f2e3d4c.mp4']);
  });
});

describe('formatMicroseconds', () => {
  it.each([
    [0, '0.000000'],
    [41708, '0.041708'],
    [12345678, '12.345678'],
    [-23220, '-0.023220'],
  ])('%d µs → %s', (us, text) => expect(formatMicroseconds(us)).toBe(text));
});
