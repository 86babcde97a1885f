import { describe, expect, it } from 'vitest';
import { parseWebcamMode, webcamInputArgs, webcamModeMismatch } from '../../src/ingest/webcam-mode.js';

describe('parseWebcamMode', () => {
  it('reads size, rate and format, each optional', () => {
    expect(parseWebcamMode('1280x720@30:mjpeg')).toEqual({ width: 1280, height: 720, fps: '30', format: 'mjpeg' });
    expect(parseWebcamMode('1920x1080')).toEqual({ width: 1920, height: 1080, fps: null, format: null });
    expect(parseWebcamMode('@30000/1001')).toEqual({ width: null, height: null, fps: '30000/1001', format: null });
    expect(parseWebcamMode(':yuyv422')).toEqual({ width: null, height: null, fps: null, format: 'yuyv422' });
    expect(parseWebcamMode('640x480@29.97')).toEqual({ width: 640, height: 480, fps: '29.97', format: null });
  });

  it('refuses what is not a mode', () => {
    for (const bad of ['', 'hd', '1280x', '1280*720', '0x720', '@0', '@30/0', '1280x720@', '1280x720:MJPEG', '1280x720 @30']) expect(parseWebcamMode(bad), bad).toBeNull();
  });
});

describe('webcamInputArgs', () => {
  it("maps a mode to ffmpeg's v4l2 input options, and no mode to none (the device's current mode)", () => {
    expect(webcamInputArgs(parseWebcamMode('1280x720@30:mjpeg'))).toEqual(['-video_size', '1280x720', '-framerate', '30', '-input_format', 'mjpeg']);
    expect(webcamInputArgs(parseWebcamMode('@15'))).toEqual(['-framerate', '15']);
    expect(webcamInputArgs(null)).toEqual([]);
  });
});

describe('webcamModeMismatch', () => {
  it('says what the webcam gives instead of the mode asked for', () => {
    const mode = parseWebcamMode('1280x720@30:mjpeg');
    expect(webcamModeMismatch(mode, 1280, 720, { num: 30, den: 1 })).toBeNull();
    expect(webcamModeMismatch(mode, 640, 480, { num: 25, den: 1 })).toBe('640x480 at 25 fps, not the 1280x720 at 30 fps asked for');
    expect(webcamModeMismatch(parseWebcamMode('@30000/1001'), 640, 480, { num: 30000, den: 1001 })).toBeNull();
    expect(webcamModeMismatch(parseWebcamMode('@30'), 640, 480, { num: 15, den: 1 })).toBe('640x480 at 15 fps, not the 30 fps asked for');
    expect(webcamModeMismatch(parseWebcamMode(':mjpeg'), 640, 480, null)).toBeNull();
    expect(webcamModeMismatch(null, 640, 480, null)).toBeNull();
  });
});
