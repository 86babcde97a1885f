import { describe, expect, it } from 'vitest';
import { mediaInfoFromFfprobe, normalizeRotation, parseRational, plausibleFrameRate } from '../../src/ingest/media-info.js';

/** Trimmed real `ffprobe -show_format -show_streams -of json` output for interview.mp4. */
const INTERVIEW = JSON.stringify({
  streams: [
    { index: 0, codec_name: 'h264', codec_type: 'video', width: 640, height: 480, r_frame_rate: '25/1', time_base: '1/12800', nb_frames: '200', disposition: { attached_pic: 0 } },
    { index: 1, codec_name: 'aac', codec_type: 'audio', r_frame_rate: '0/0', time_base: '1/48000', nb_frames: '376', disposition: { attached_pic: 0 } },
  ],
  format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '8.000000' },
});

describe('mediaInfoFromFfprobe', () => {
  it('reads streams and the video stream', () => {
    const info = mediaInfoFromFfprobe(INTERVIEW);
    expect(info.format).toBe('mov,mp4,m4a,3gp,3g2,mj2');
    expect(info.durationSeconds).toBe(8);
    expect(info.streams.map((s) => [s.index, s.kind, s.codec])).toEqual([[0, 'video', 'h264'], [1, 'audio', 'aac']]);
    expect(info.video).toEqual({
      index: 0, kind: 'video', codec: 'h264', attachedPicture: false, width: 640, height: 480, rotation: 0,
      timeBase: { num: 1, den: 12800 }, frameRate: { num: 25, den: 1 }, frameCount: 200, color: {},
    });
  });

  it('swaps width and height for a portrait phone clip and keeps colour tags', () => {
    const json = JSON.stringify({
      streams: [{
        index: 0, codec_type: 'video', codec_name: 'hevc', width: 1920, height: 1080, time_base: '1/90000', r_frame_rate: '30/1',
        color_range: 'tv', color_space: 'bt709', color_transfer: 'bt709', color_primaries: 'unknown', side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }],
      }],
      format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2' },
    });
    expect(mediaInfoFromFfprobe(json).video).toMatchObject({ width: 1080, height: 1920, rotation: -90, frameCount: null, color: { range: 'tv', space: 'bt709', transfer: 'bt709' } });
  });

  it('never picks cover art as the video', () => {
    const json = JSON.stringify({
      streams: [
        { index: 0, codec_type: 'audio', codec_name: 'mp3' },
        { index: 1, codec_type: 'video', codec_name: 'mjpeg', width: 500, height: 500, disposition: { attached_pic: 1 } },
      ],
      format: { format_name: 'mp3' },
    });
    const info = mediaInfoFromFfprobe(json);
    expect(info.video).toBeNull();
    expect(info.streams[1]).toMatchObject({ kind: 'video', attachedPicture: true });
  });
});

describe('helpers', () => {
  it.each([
    ['1/12800', { num: 1, den: 12800 }],
    ['125/2997', { num: 125, den: 2997 }],
    ['0/0', null],
    [undefined, null],
    ['25', null],
  ])('parseRational(%s)', (text, expected) => expect(parseRational(text)).toEqual(expected));

  it.each([[-90, -90], [270, -90], [90, 90], [-180, 180], [360, 0], [Number.NaN, 0]])('normalizeRotation(%s) = %s', (deg, expected) => {
    expect(normalizeRotation(deg)).toBe(expected);
  });
});

describe('plausibleFrameRate', () => {
  it("keeps a video's rate and drops the time base ffmpeg and ffprobe give when they could not estimate one", () => {
    expect(plausibleFrameRate({ num: 30000, den: 1001 })).toEqual({ num: 30000, den: 1001 });
    expect(plausibleFrameRate({ num: 240, den: 1 })).toEqual({ num: 240, den: 1 });
    // "90k tbr": MPEG-TS joined between keyframes with a quick probe.
    expect(plausibleFrameRate({ num: 90000, den: 1 })).toBeNull();
    expect(plausibleFrameRate(null)).toBeNull();
  });

  it('is applied to what ffprobe reports', () => {
    const json = JSON.stringify({ streams: [{ index: 0, codec_type: 'video', codec_name: 'h264', width: 64, height: 48, r_frame_rate: '90000/1' }], format: { format_name: 'mpegts' } });
    expect(mediaInfoFromFfprobe(json).video?.frameRate).toBeNull();
  });
});
