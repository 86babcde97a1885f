import { describe, expect, it } from 'vitest';
import { parseProxyArgs } from '../../src/cli/proxy-args.js';
import { parseServeUrl } from '../../src/live/serve-url.js';

describe('parseProxyArgs', () => {
  it('turns flags into settings', () => {
    expect(parseProxyArgs(['rtsp://cam/1', '--serve', 'rtsp://127.0.0.1:8554/cam1', '--mode', 'solid', '--transport', 'udp', '--metrics', ':9464', '--set', 'live.gopSeconds=2'])).toEqual({
      url: 'rtsp://cam/1',
      serve: 'rtsp://127.0.0.1:8554/cam1',
      overrides: [['mode', 'solid'], ['live.transport', 'udp'], ['live.metrics', ':9464'], ['live.gopSeconds', '2']],
      debug: false,
    });
    expect(parseProxyArgs(['--config', 'cams.jsonc'])).toMatchObject({ configFile: 'cams.jsonc' });
    expect(parseProxyArgs(['rtsp://cam/1', '--serve', 'rtsp://h:1/p', '--no-audio']).overrides).toEqual([['encode.audio', 'none']]);
    expect(parseProxyArgs(['/dev/video0', '--serve', 'rtsp://h:1/p', '--webcam', '1280x720@30:mjpeg']).overrides).toEqual([['live.webcam', '1280x720@30:mjpeg']]);
  });

  it.each([
    [[], 'Missing camera URL. Usage: nullcam proxy URL --serve rtsp://127.0.0.1:8554/cam1, or nullcam proxy --config FILE with live.cameras.'],
    [['rtsp://cam/1'], 'Say where the anonymized stream goes: --serve rtsp://127.0.0.1:8554/cam1 and/or --publish rtsp://server/path.'],
    [['a', 'b', '--serve', 'rtsp://h/p'], 'Expected one camera URL, got 2: list several cameras in live.cameras of a --config file.'],
    [['rtsp://cam/1', '--serv', 'x'], /^Unknown option '--serv'.* Run "nullcam proxy --help" for the options\.$/],
  ] as Array<[string[], string | RegExp]>)('%j is a usage error', (argv, message) => {
    expect(() => parseProxyArgs(argv)).toThrow(message);
  });
});

describe('parseServeUrl', () => {
  it('reads host, port, path and credentials', () => {
    expect(parseServeUrl('rtsp://viewer:pw@0.0.0.0:8554/cam1')).toEqual({ host: '0.0.0.0', port: 8554, path: '/cam1', auth: { username: 'viewer', password: 'pw' } });
    expect(parseServeUrl('rtsp://127.0.0.1/door')).toEqual({ host: '127.0.0.1', port: 554, path: '/door' });
  });
  it('rejects other URLs without showing a password', () => {
    expect(() => parseServeUrl('http://u:secret@h/x')).toThrow('Expected an rtsp://HOST:PORT/PATH URL for --serve but received "http://u:***@h/x" of type string');
    expect(() => parseServeUrl('rtsp://h:8554')).toThrow(/rtsp:\/\/HOST:PORT\/PATH/);
  });
});
