import { describe, expect, it } from 'vitest';
import { isUrl, redactUrl } from '../../src/ingest/redact-url.js';

describe('redactUrl', () => {
  it.each([
    ['rtsp://admin:hunter2@10.0.0.5:554/live', 'rtsp://admin:***@10.0.0.5:554/live'],
    ['rtsp://admin@10.0.0.5/live', 'rtsp://admin@10.0.0.5/live'],
    ['https://cdn.example/v.mp4?token=abc123&quality=hd', 'https://cdn.example/v.mp4?token=***&quality=hd'],
    ['http://u:p@h/x?password=s3cret', 'http://u:***@h/x?password=***'],
    ['/home/me/video.mp4', '/home/me/video.mp4'],
    // ffmpeg log lines echo the URL: the whole line is redacted.
    ['rtsp://cam:pw@127.0.0.1:9/x: Connection refused', 'rtsp://cam:***@127.0.0.1:9/x: Connection refused'],
    // A raw '@' in the password: the userinfo ends at the last '@' before the host, so none of it shows.
    ['rtsp://admin:p@ss@10.0.0.5/x', 'rtsp://admin:***@10.0.0.5/x'],
    ['rtsp://admin:p@s@s@cam:554/x?ch=1 and http://h/a@b', 'rtsp://admin:***@cam:554/x?ch=1 and http://h/a@b'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe('isUrl', () => {
  it.each([
    ['rtsp://h/x', true],
    ['https://h/x.mp4', true],
    ['file:///tmp/x.mp4', false],
    ['/tmp/x.mp4', false],
    ['clip.mp4', false],
  ])('%s → %s', (input, expected) => {
    expect(isUrl(input)).toBe(expected);
  });
});
