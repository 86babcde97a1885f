import { describe, expect, it } from 'vitest';
import { checkFrameSize, DEFAULT_VIDEO_ENCODING, resolveVideoEncoding, type VideoEncodingOptions } from '../../src/egress/encode-options.js';
import { NullcamError } from '../../src/errors.js';

describe('resolveVideoEncoding', () => {
  it('defaults to libx264 veryfast CRF 20 yuv420p', () => {
    expect(resolveVideoEncoding()).toEqual({ encoder: 'libx264', preset: 'veryfast', crf: 20, pixFmt: 'yuv420p', extraArgs: [] });
    expect(resolveVideoEncoding()).toEqual(DEFAULT_VIDEO_ENCODING);
  });

  it('a bit rate replaces the default CRF', () => {
    expect(resolveVideoEncoding({ bitrate: '4M' })).toEqual({ encoder: 'libx264', preset: 'veryfast', bitrate: '4M', pixFmt: 'yuv420p', extraArgs: [] });
  });

  it('other encoders get no x264 preset or CRF unless asked', () => {
    expect(resolveVideoEncoding({ encoder: 'ffv1' })).toEqual({ encoder: 'ffv1', pixFmt: 'yuv420p', extraArgs: [] });
    expect(resolveVideoEncoding({ encoder: 'h264_nvenc', preset: 'p4', pixFmt: 'nv12', extraArgs: ['-rc', 'vbr'] })).toEqual({
      encoder: 'h264_nvenc', preset: 'p4', pixFmt: 'nv12', extraArgs: ['-rc', 'vbr'],
    });
  });

  it.each<[VideoEncodingOptions, string]>([
    [{ crf: 70 }, 'Expected a number between 0 and 63 for crf but received 70 of type number'],
    [{ crf: Number.NaN }, 'Expected a number between 0 and 63 for crf but received NaN of type number'],
    [{ bitrate: '4 Mbit' }, 'Expected a bit rate such as "800k" or "4M" for bitrate but received "4 Mbit" of type string'],
    [{ crf: 18, bitrate: '4M' }, 'Expected no bitrate when crf is set (choose one) for bitrate but received "4M" of type string'],
    [{ encoder: 'libx264; rm -rf /' }, 'Expected an ffmpeg encoder name for encoder but received "libx264; rm -rf /" of type string'],
    [{ preset: '' }, 'Expected an encoder preset name for preset but received "" of type string'],
    [{ pixFmt: 42 as unknown as string }, 'Expected an ffmpeg pixel format name for pixFmt but received 42 of type number'],
    [{ extraArgs: ['-tune', 3] as unknown as string[] }, 'Expected an array of strings for extraArgs but received -tune,3 of type object'],
  ])('rejects %o', (options, message) => {
    const error = (() => {
      try {
        resolveVideoEncoding(options);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NullcamError);
    expect((error as NullcamError).message).toBe(message);
  });
});

describe('checkFrameSize', () => {
  const x264 = resolveVideoEncoding({});
  it('passes even sizes, and odd ones in formats with full-resolution chroma', () => {
    expect(() => checkFrameSize(x264, 1920, 1080)).not.toThrow();
    expect(() => checkFrameSize(resolveVideoEncoding({ pixFmt: 'yuv444p' }), 321, 241)).not.toThrow();
    expect(() => checkFrameSize(resolveVideoEncoding({ pixFmt: 'yuv422p' }), 320, 241)).not.toThrow();
    expect(() => checkFrameSize(resolveVideoEncoding({ encoder: 'ffv1' }), 33, 17)).not.toThrow();
  });

  it('refuses an odd size in yuv420p with one line naming the size and the way out', () => {
    expect(() => checkFrameSize(x264, 321, 240)).toThrow(/^The video is 321x240, and yuv420p needs an even width; pass --set encode.pixFmt=yuv444p/);
    expect(() => checkFrameSize(x264, 320, 241)).toThrow(/needs an even height/);
  });
});
