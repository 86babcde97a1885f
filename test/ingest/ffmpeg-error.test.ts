import { describe, expect, it } from 'vitest';
import { NullcamError } from '../../src/errors.js';
import { FfmpegError, inputReadFailed, lastReason, stripLogPrefix } from '../../src/ingest/ffmpeg-error.js';

const failure = {
  argv: ['/usr/bin/ffmpeg', '-i', 'rtsp://cam:pw@10.0.0.5/live'],
  code: 1,
  signal: null,
  stderrTail: [
    '[tcp @ 0x55d1] [error] Connection to tcp://10.0.0.5:554?timeout=0 failed: Connection refused',
    '[error] rtsp://cam:pw@10.0.0.5/live: Connection refused',
  ],
  durationMs: 12,
};

describe('FfmpegError', () => {
  it('is a one-line NullcamError carrying argv, exit, stderr tail and duration, credentials redacted', () => {
    const error = new FfmpegError('Decoding rtsp://cam:***@10.0.0.5/live', 'check the camera', failure);
    expect(error).toBeInstanceOf(NullcamError);
    expect(error.message).toBe('Decoding rtsp://cam:***@10.0.0.5/live failed (ffmpeg exit 1: rtsp://cam:***@10.0.0.5/live: Connection refused); check the camera.');
    expect(error.argv).toEqual(['/usr/bin/ffmpeg', '-i', 'rtsp://cam:***@10.0.0.5/live']);
    expect(error.stderrTail[1]).toBe('[error] rtsp://cam:***@10.0.0.5/live: Connection refused');
    expect(error).toMatchObject({ code: 1, signal: null, durationMs: 12 });
  });

  it('names the signal, and a binary that could not start', () => {
    expect(new FfmpegError('Encoding a.mp4', 'retry', { ...failure, code: null, signal: 'SIGKILL', stderrTail: [] }).message).toBe(
      'Encoding a.mp4 failed (ffmpeg killed by SIGKILL); retry.',
    );
    const spawnError = new Error('spawn /opt/ffmpeg ENOENT');
    expect(new FfmpegError('Encoding a.mp4', 'retry', { ...failure, argv: ['/opt/ffmpeg'], code: null, stderrTail: [], spawnError }).message).toBe(
      'Encoding a.mp4 failed: cannot run /opt/ffmpeg (spawn /opt/ffmpeg ENOENT); reinstall ffmpeg or point NULLCAM_FFMPEG at a working one.',
    );
  });
});

describe('lastReason', () => {
  it('skips the generic closing lines and names the component', () => {
    expect(
      lastReason([
        '[libx264 @ 0x5600b421dc80] [error] width not divisible by 2 (33x17)',
        '[error] Error initializing output stream 0:0 -- Error while opening encoder for output stream #0:0 - maybe incorrect parameters',
        'Conversion failed!',
        '',
      ]),
    ).toBe('libx264: width not divisible by 2 (33x17)');
    expect(lastReason([])).toBe('');
  });

  it('prefers error lines: the size summary after an input read error is not the cause', () => {
    const tail = ['[info] Stream #0:0: Video: rawvideo', '[video4linux2,v4l2 @ 0x5641d2624880] [error] ioctl(VIDIOC_DQBUF): No such device', '[error] /dev/video0: No such device', '[info] video:23kB audio:0kB subtitle:0kB'];
    expect(lastReason(tail)).toBe('/dev/video0: No such device');
    expect(lastReason(['[error] Conversion failed!', '[warning] no frame'])).toBe('no frame');
    // "INPUT: Invalid argument" closes an option that did not fit; the line before it says which.
    const mjpeg = ["[video4linux2,v4l2 @ 0x5560351ba940] [error] Cannot find a proper format for codec 'mjpeg' (id 7), pixel format 'none' (id -1)", '[error] /dev/video0: Invalid argument'];
    expect(lastReason(mjpeg)).toBe("video4linux2: Cannot find a proper format for codec 'mjpeg' (id 7), pixel format 'none' (id -1)");
    expect(lastReason(mjpeg.slice(1))).toBe('/dev/video0: Invalid argument');
  });

  it('inputReadFailed: ffmpeg logged a read error for that input (and then exits 0, as at its end)', () => {
    const tail = ['[error] /dev/video0: No such device', '[info] video:23kB audio:0kB'];
    expect(inputReadFailed(tail, '/dev/video0')).toBe(true);
    expect(inputReadFailed(tail, '/dev/video1')).toBe(false);
    expect(inputReadFailed(['[info] /dev/video0: something'], '/dev/video0')).toBe(false);
  });

  it('stripLogPrefix drops context and level tags', () => {
    expect(stripLogPrefix('[mpeg4 @ 0x1] [error] ac-tex damaged at 6 14')).toBe('ac-tex damaged at 6 14');
    expect(stripLogPrefix('[warning] /tmp/a.avi: corrupt decoded frame')).toBe('/tmp/a.avi: corrupt decoded frame');
  });
});
