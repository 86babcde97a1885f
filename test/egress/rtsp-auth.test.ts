/** Basic and Digest (MD5) authentication, server and client side. */
import { describe, expect, it } from 'vitest';
import { authorizationFor, digestResponse, parseAuthParams, RtspAuthenticator } from '../../src/egress/rtsp-auth.js';

describe('digestResponse', () => {
  it('matches the worked example of RFC 2617 §3.5 (qop=auth)', () => {
    expect(
      digestResponse({ username: 'Mufasa', password: 'Circle Of Life', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', method: 'GET', uri: '/dir/index.html', qop: 'auth', nc: '00000001', cnonce: '0a4f113b' }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });
});

describe('RtspAuthenticator', () => {
  const credentials = { username: 'admin', password: 's3cret' };

  it('accepts a Digest answer to its own challenge, with or without qop, and nothing else', () => {
    const auth = new RtspAuthenticator(credentials);
    const challenge = auth.challenge();
    expect(challenge).toMatch(/^Digest realm="nullcam", nonce="[0-9a-f]{56}", algorithm=MD5$/);
    const uri = 'rtsp://127.0.0.1:8554/cam';
    expect(auth.verify('DESCRIBE', authorizationFor(challenge, credentials, 'DESCRIBE', uri))).toBe(true);
    expect(auth.verify('DESCRIBE', authorizationFor(`${challenge}, qop="auth"`, credentials, 'DESCRIBE', uri))).toBe(true);
    expect(auth.verify('SETUP', authorizationFor(challenge, credentials, 'DESCRIBE', uri))).toBe(false); // method is signed
    expect(auth.verify('DESCRIBE', authorizationFor(challenge, { ...credentials, password: 'wrong' }, 'DESCRIBE', uri))).toBe(false);
    const forged = challenge.replace(/nonce="([0-9a-f]{24})/, 'nonce="000000000000000000000000');
    expect(auth.verify('DESCRIBE', authorizationFor(forged, credentials, 'DESCRIBE', uri))).toBe(false);
    expect(new RtspAuthenticator(credentials).verify('DESCRIBE', authorizationFor(challenge, credentials, 'DESCRIBE', uri))).toBe(false); // another server's nonce
    expect(auth.verify('DESCRIBE', undefined)).toBe(false);
    expect(auth.verify('DESCRIBE', `Basic ${Buffer.from('admin:s3cret').toString('base64')}`)).toBe(false); // no downgrade
  });

  it('checks Basic credentials', () => {
    const auth = new RtspAuthenticator({ ...credentials, scheme: 'basic' });
    expect(auth.challenge()).toBe('Basic realm="nullcam"');
    expect(auth.verify('PLAY', authorizationFor(auth.challenge(), credentials, 'PLAY', '*'))).toBe(true);
    expect(auth.verify('PLAY', `Basic ${Buffer.from('admin:s3cre').toString('base64')}`)).toBe(false);
  });

  it('parses quoted and bare parameters', () => {
    expect(parseAuthParams('realm="a \\"b\\"", nonce=xyz, QOP="auth,auth-int"')).toEqual({ realm: 'a "b"', nonce: 'xyz', qop: 'auth,auth-int' });
  });
});
