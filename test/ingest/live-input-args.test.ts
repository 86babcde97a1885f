import { describe, expect, it } from 'vitest';
import { initialLiveAudio, isCaptureDevice, liveDecodeArgs, liveInputArgs } from '../../src/ingest/live-input-args.js';
import { parseWebcamMode } from '../../src/ingest/webcam-mode.js';

describe('liveInputArgs', () => {
  it.each([
    ['rtsp://cam/1', 'tcp', ['-rtsp_transport', 'tcp', '-probesize', '32']],
    ['rtsps://cam/1', 'udp', ['-rtsp_transport', 'udp', '-probesize', '32']],
    ['/dev/video0', 'tcp', ['-f', 'v4l2']],
    ['rtmp://host/app/key', 'tcp', ['-rw_timeout', '15000000', '-probesize', '32']],
    ['srt://host:9000', 'tcp', ['-rw_timeout', '15000000', '-probesize', '32']],
    ['https://host/live.m3u8', 'tcp', ['-rw_timeout', '15000000', '-re', '-probesize', '32']],
    ['http://host/hls/cam.M3U8?token=x', 'tcp', ['-rw_timeout', '15000000', '-re', '-probesize', '32']],
    ['http://host/live.ts', 'tcp', ['-rw_timeout', '15000000', '-probesize', '32']],
    ['/tmp/clip.mp4', 'tcp', ['-probesize', '32']],
  ] as const)('%s over %s', (source, transport, args) => {
    expect(liveInputArgs(source, transport, 'quick')).toEqual(args);
  });

  it('probes in full when asked (streams whose parameters come later than their first bytes)', () => {
    expect(liveInputArgs('rtsp://cam/1', 'tcp', 'full')).toEqual(['-rtsp_transport', 'tcp']);
    expect(liveInputArgs('srt://host:9000', 'tcp', 'full')).toEqual(['-rw_timeout', '15000000']);
  });

  it("asks a webcam for the mode given (sizes, rate, format), and nothing of other sources", () => {
    const mode = parseWebcamMode('1280x720@30:mjpeg');
    expect(liveInputArgs('/dev/video0', 'tcp', 'quick', mode)).toEqual(['-f', 'v4l2', '-video_size', '1280x720', '-framerate', '30', '-input_format', 'mjpeg']);
    expect(liveInputArgs('rtsp://cam/1', 'tcp', 'quick', mode)).toEqual(['-rtsp_transport', 'tcp', '-probesize', '32']);
  });

  it('knows capture devices', () => {
    expect(isCaptureDevice('/dev/video12')).toBe(true);
    expect(isCaptureDevice('/dev/videox')).toBe(false);
  });
});

describe('liveDecodeArgs', () => {
  it('decodes the first video stream to raw yuv420p with showinfo timing, no frame delay', () => {
    expect(liveDecodeArgs('rtsp://cam/1', 'tcp', 'quick', true, 'none')).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+info', '-flags', 'low_delay',
      '-rtsp_transport', 'tcp', '-probesize', '32', '-i', 'rtsp://cam/1', '-map', '0:v:0', '-vf', 'showinfo=checksum=0',
      '-fps_mode', 'passthrough', '-enc_time_base', '-1', '-pix_fmt', 'yuv420p', '-threads', '1', '-flush_packets', '1', '-f', 'rawvideo', 'pipe:1',
    ]);
    expect(liveDecodeArgs('/dev/video0', 'tcp', 'quick', false, 'none')).toContain('-vsync');
  });

  it('writes the camera audio as FLV to fd 3: copied, or re-encoded to AAC; never the video in its place', () => {
    const video = liveDecodeArgs('rtsp://cam/1', 'tcp', 'quick', true, 'none');
    const tail = (audio: 'copy' | 'aac') => liveDecodeArgs('rtsp://cam/1', 'tcp', 'quick', true, audio).slice(video.length);
    expect(tail('copy')).toEqual(['-map', '0:a:0?', '-vn', '-sn', '-dn', '-c:a', 'copy', '-output_ts_offset', '1', '-flush_packets', '1', '-f', 'flv', 'pipe:3']);
    expect(tail('aac')).toEqual(['-map', '0:a:0?', '-vn', '-sn', '-dn', '-c:a', 'aac', '-b:a', '128k', '-output_ts_offset', '1', '-flush_packets', '1', '-f', 'flv', 'pipe:3']);
  });
});

describe('initialLiveAudio', () => {
  it('copies where the first bytes describe the audio, re-encodes MPEG-TS sources, and reads none from a webcam', () => {
    expect(['rtsp://cam/1', 'RTSPS://cam/1', 'rtmp://h/live/s'].map(initialLiveAudio)).toEqual(['copy', 'copy', 'copy']);
    expect(['srt://h:9000', 'udp://239.0.0.1:5000', 'http://h/live.ts', 'https://h/x.m3u8'].map(initialLiveAudio)).toEqual(['aac', 'aac', 'aac', 'aac']);
    expect(initialLiveAudio('/dev/video0')).toBe('none');
  });
});
