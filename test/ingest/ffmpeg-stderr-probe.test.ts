import { describe, expect, it } from 'vitest';
import { mediaInfoFromFfmpegStderr } from '../../src/ingest/ffmpeg-stderr-probe.js';

/** Real `ffmpeg -hide_banner -i` dumps from the 2018 npm build and from ffmpeg 5.1. */
const NPM_MEGAMIND = `Input #0, avi, from '/work/shared/media/Megamind.avi':
  Metadata:
    encoder         : VirtualDubMod 1.5.10.2 (build 2542/release)
  Duration: 00:00:11.26, start: 0.000000, bitrate: 844 kb/s
    Stream #0:0: Video: mpeg4 (Advanced Simple Profile) (XVID / 0x44495658), yuv420p, 720x528 [SAR 1:1 DAR 15:11], 638 kb/s, 23.98 fps, 23.98 tbr, 23.98 tbn, 23.98 tbc
    Stream #0:1: Audio: ac3 ([0] [0][0] / 0x2000), 48000 Hz, stereo, fltp, 192 kb/s
At least one output file must be specified`;

const FFMPEG51_INTERVIEW = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'interview.mp4':
  Metadata:
    major_brand     : isom
  Duration: 00:00:08.00, start: 0.000000, bitrate: 306 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 640x480 [SAR 1:1 DAR 4:3], 234 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
    Metadata:
      handler_name    : VideoHandler
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, mono, fltp, 64 kb/s (default)
At least one output file must be specified`;

const PORTRAIT = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'phone.mov':
  Duration: N/A, bitrate: N/A
    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709), 1920x1080, 30 fps, 30 tbr, 90k tbn, 180k tbc (default)
    Metadata:
      rotate          : 90
    Side data:
      displaymatrix: rotation of -90.00 degrees
    Stream #0:1(und): Video: mjpeg, yuvj420p(pc), 300x300, 90k tbr, 90k tbn (attached pic)`;

describe('mediaInfoFromFfmpegStderr', () => {
  it('reads the 2018 layout; a rounded time base is left unknown', () => {
    const info = mediaInfoFromFfmpegStderr(NPM_MEGAMIND)!;
    expect(info.format).toBe('avi');
    expect(info.durationSeconds).toBeCloseTo(11.26, 6);
    expect(info.streams.map((s) => [s.index, s.kind, s.codec])).toEqual([[0, 'video', 'mpeg4'], [1, 'audio', 'ac3']]);
    expect(info.video).toMatchObject({ width: 720, height: 528, timeBase: null, frameRate: { num: 24000, den: 1001 }, frameCount: null });
  });

  it('reads the 5.1 layout with stream ids and languages', () => {
    const info = mediaInfoFromFfmpegStderr(FFMPEG51_INTERVIEW)!;
    expect(info.format).toBe('mov,mp4,m4a,3gp,3g2,mj2');
    expect(info.durationSeconds).toBe(8);
    expect(info.video).toMatchObject({ index: 0, codec: 'h264', width: 640, height: 480, timeBase: { num: 1, den: 12800 }, frameRate: { num: 25, den: 1 } });
    expect(info.streams[1]).toMatchObject({ index: 1, kind: 'audio', codec: 'aac' });
  });

  it('applies rotation, reads "90k", skips cover art', () => {
    const info = mediaInfoFromFfmpegStderr(PORTRAIT)!;
    expect(info.durationSeconds).toBeNull();
    expect(info.video).toMatchObject({ index: 0, width: 1080, height: 1920, rotation: -90, timeBase: { num: 1, den: 90000 } });
    expect(info.streams[1]).toMatchObject({ attachedPicture: true });
  });

  it('leaves the rate unknown where ffmpeg prints the time base for it (90k tbr)', () => {
    const dump = `Input #0, mpegts, from 'rtsp://cam/stream':
  Duration: N/A, start: 1.400000, bitrate: N/A
  Stream #0:0[0x100]: Video: h264 (High) ([27][0][0][0] / 0x001B), yuv420p(progressive), 1280x720, 90k tbr, 90k tbn`;
    expect(mediaInfoFromFfmpegStderr(dump)!.video).toMatchObject({ width: 1280, frameRate: null, timeBase: { num: 1, den: 90000 } });
  });

  it('returns null when ffmpeg could not open the input', () => {
    expect(mediaInfoFromFfmpegStderr('/tmp/x.mp4: No such file or directory')).toBeNull();
  });
});
