/** RTSP messages and interleaved frames, split from a connection's bytes however they arrive. */
import { describe, expect, it } from 'vitest';
import { interleavedFrame } from '../../src/egress/rtsp-interleaved.js';
import { formatRequest, formatResponse, RtspReader } from '../../src/egress/rtsp-message.js';
import { mountPath } from '../../src/egress/rtsp-connection.js';

describe('RtspReader', () => {
  it('splits requests with bodies, responses and $ frames, byte by byte', () => {
    const bytes = Buffer.concat([
      formatRequest('ANNOUNCE', 'rtsp://h/cam', { CSeq: 1, 'Content-Type': 'application/sdp' }, 'v=0\r\n'),
      interleavedFrame(1, Buffer.from([1, 2, 3])),
      formatResponse(200, { CSeq: 2, Session: 'abc;timeout=60' }),
    ]);
    const reader = new RtspReader();
    const out = [...bytes].flatMap((b) => reader.push(Buffer.from([b])));
    expect(out.map((m) => m.kind)).toEqual(['request', 'interleaved', 'response']);
    expect(out[0]).toMatchObject({ method: 'ANNOUNCE', url: 'rtsp://h/cam', body: Buffer.from('v=0\r\n') });
    expect(out[0].kind === 'request' && out[0].headers.get('content-type')).toBe('application/sdp');
    expect(out[1]).toEqual({ kind: 'interleaved', channel: 1, data: Buffer.from([1, 2, 3]) });
    expect(out[2]).toMatchObject({ status: 200, reason: 'OK' });
    expect(out[2].kind === 'response' && out[2].headers.get('session')).toBe('abc;timeout=60');
  });

  it('rejects what is not RTSP', () => {
    expect(() => new RtspReader().push(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(/not an RTSP message/);
  });
});

describe('mountPath', () => {
  it.each([
    ['rtsp://127.0.0.1:8554/cam', '/cam'],
    ['rtsp://127.0.0.1:8554/a/b/', '/a/b'],
    ['rtsp://127.0.0.1:8554/a/b/trackID=0', '/a/b'],
    ['rtsp://127.0.0.1/cam?x=1', '/cam'],
  ])('%s → %s', (url, path) => expect(mountPath(url)).toBe(path));
});
