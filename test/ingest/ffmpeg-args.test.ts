import { describe, expect, it } from 'vitest';
import { decodeArgs, ffmpegProbeArgs, ffprobeArgs } from '../../src/ingest/ffmpeg-args.js';

describe('decodeArgs', () => {
  it('ffmpeg ≥ 5.1, yuv420p', () => {
    expect(decodeArgs({ source: '/v/in.mp4', streamIndex: 0, format: 'yuv420p', hasFpsMode: true })).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+info', '-err_detect', 'ignore_err',
      '-i', '/v/in.mp4', '-map', '0:0', '-vf', 'showinfo=checksum=0', '-fps_mode', 'passthrough',
      '-enc_time_base', '-1', '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1',
    ]);
  });

  it('2018 ffmpeg (no -fps_mode), rgb24, second stream', () => {
    expect(decodeArgs({ source: '/v/in.mkv', streamIndex: 2, format: 'rgb24', hasFpsMode: false })).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+info', '-err_detect', 'ignore_err',
      '-i', '/v/in.mkv', '-map', '0:2', '-vf', 'showinfo=checksum=0', '-vsync', 'passthrough',
      '-enc_time_base', '-1', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1',
    ]);
  });

  it('network source gets a read timeout', () => {
    expect(decodeArgs({ source: 'rtsp://cam/x', streamIndex: 0, format: 'yuv420p', hasFpsMode: true }).slice(7, 11)).toEqual([
      '-rw_timeout', '15000000', '-i', 'rtsp://cam/x',
    ]);
  });
});

describe('probe args', () => {
  it('ffprobe prints JSON', () => {
    expect(ffprobeArgs('/v/in.mp4')).toEqual(['-hide_banner', '-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '/v/in.mp4']);
  });

  it('ffmpeg -i fallback', () => {
    expect(ffmpegProbeArgs('http://h/x.mp4')).toEqual(['-hide_banner', '-nostdin', '-nostats', '-rw_timeout', '15000000', '-i', 'http://h/x.mp4']);
  });
});
