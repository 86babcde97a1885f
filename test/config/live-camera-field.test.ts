import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load-config.js';

const cameras = (list: unknown) => buildConfig({ live: { cameras: list } }, []).live.cameras;

describe('live.cameras', () => {
  it('fills in names and leaves mode, transport, webcam and zones to the top-level settings', () => {
    expect(cameras([{ url: 'rtsp://u:p@cam/1', serve: 'rtsp://127.0.0.1:8554/door' }, { name: 'yard', url: '/dev/video0', publish: 'rtsp://mtx:8554/yard', mode: 'solid', transport: 'udp', webcam: '1280x720@30:mjpeg', zones: [[0, 0, 0.5, 0.25]] }])).toEqual([
      { name: 'cam1', url: 'rtsp://u:p@cam/1', serve: 'rtsp://127.0.0.1:8554/door', publish: null, mode: null, transport: null, webcam: null, zones: null },
      { name: 'yard', url: '/dev/video0', serve: null, publish: 'rtsp://mtx:8554/yard', mode: 'solid', transport: 'udp', webcam: { width: 1280, height: 720, fps: '30', format: 'mjpeg' }, zones: [[0, 0, 0.5, 0.25]] },
    ]);
    expect(buildConfig({ live: { webcam: '@15' } }, [['live.webcam', '1920x1080']]).live.webcam).toEqual({ width: 1920, height: 1080, fps: null, format: null });
  });

  it.each([
    ['not a list', { url: 'x' }, 'Expected an array of cameras ({"url": …, "serve": …}) for live.cameras but received [object Object] of type object'],
    ['no url', [{ serve: 'rtsp://h/p' }], 'live.cameras[0] has no "url"; give the camera\'s stream URL or /dev/videoN.'],
    ['no output', [{ url: 'rtsp://cam' }], 'live.cameras[0] has neither "serve" nor "publish"; say where the anonymized stream goes.'],
    ['bad serve', [{ url: 'rtsp://cam', serve: 'http://x/y' }], 'Expected an rtsp:// URL for live.cameras[0].serve but received "http://x/y" of type string'],
    ['unknown key', [{ url: 'rtsp://cam', serve: 'rtsp://h/p', fps: 5 }], 'Unknown key "fps" in live.cameras[0]; a camera has name, url, serve, publish, mode, transport, webcam, zones.'],
    ['bad webcam mode', [{ url: '/dev/video0', serve: 'rtsp://h/p', webcam: '720p' }], 'Expected a webcam mode such as "1280x720@30:mjpeg" (WIDTHxHEIGHT@FPS:FORMAT, each part optional) for live.cameras[0].webcam but received "720p" of type string'],
    ['bad mode', [{ url: 'rtsp://cam', serve: 'rtsp://h/p', mode: 'swirl' }], 'Expected one of blur, pixelate, solid, mask for live.cameras[0].mode but received "swirl" of type string'],
    ['a zone past the edge', [{ url: 'a', serve: 'rtsp://h/a', zones: [[0.8, 0, 0.5, 0.5]] }], 'for live.cameras[0].zones but received'],
    ['duplicate names', [{ url: 'a', serve: 'rtsp://h/a' }, { name: 'cam1', url: 'b', serve: 'rtsp://h/b' }], 'Two cameras in live.cameras are named "cam1"; give each a unique "name".'],
  ])('rejects %s with one line', (_what, list, message) => {
    expect(() => cameras(list)).toThrow(message);
  });
});
