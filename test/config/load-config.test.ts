import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildConfig, defaultConfig, stripJsonComments } from '../../src/config/load-config.js';
import { renderDefaultConfig } from '../../src/config/render-config.js';

const shipped = new URL('../../config/default.jsonc', import.meta.url);

describe('config', () => {
  it('config/default.jsonc is exactly the rendered built-in defaults', () => {
    expect(readFileSync(shipped, 'utf8')).toBe(renderDefaultConfig());
  });

  it('config/default.jsonc parses to the built-in defaults', () => {
    const parsed = JSON.parse(stripJsonComments(readFileSync(shipped, 'utf8')));
    expect(buildConfig(parsed, [])).toEqual(defaultConfig());
  });

  it('is frozen', () => {
    expect(Object.isFrozen(defaultConfig().track)).toBe(true);
  });

  it('applies file values, then command-line overrides parsed from strings', () => {
    const c = buildConfig({ mode: 'pixelate', detect: { stride: 3 } }, [['detect.stride', '1'], ['encode.crf', '18']]);
    expect(c.mode).toBe('pixelate');
    expect(c.detect.stride).toBe(1);
    expect(c.encode.crf).toBe(18);
  });

  it.each([
    [{ mode: 'smudge' }, [], 'Expected one of blur, pixelate, solid, mask, nullface, secure for mode but received "smudge" of type string'],
    [{ detect: { strde: 2 } }, [], 'Unknown key "detect.strde" in config (known here: detect.minScore, detect.minFaceSize, detect.stride, detect.scanPeriod).'],
    [{ detect: 3 }, [], '"detect" in config must be an object of settings.'],
    [{ track: { dilate: -1 } }, [], 'Expected a number between 0 and 2 for track.dilate but received -1 of type number'],
    [{}, [['detect.stride', '2.5']], 'Expected an integer between 1 and 30 for detect.stride but received "2.5" of type string'],
    [{}, [['nope', '1']], 'Unknown setting "nope". Run "nullcam anonymize --help" for the list of settings.'],
    [{ anonymize: { colour: 'red' } }, [], 'Expected a string matching /^#[0-9a-fA-F]{6}$/ for anonymize.colour but received "red" of type string'],
    [{ detect: { stride: 10 }, track: { lookahead: 5 } }, [], 'track.lookahead (5) must be at least detect.stride x detect.scanPeriod (40), or a small face could go uncovered before the scan reaches it.'],
  ] as const)('rejects bad config %j %j', (file, overrides, message) => {
    expect(() => buildConfig(file as Record<string, unknown>, overrides as unknown as Array<[string, unknown]>)).toThrow(message);
  });

  it('strips comments but not comment-like text in strings', () => {
    expect(JSON.parse(stripJsonComments('{"a": "//x", /* c */ "b": 1 // d\n}'))).toEqual({ a: '//x', b: 1 });
  });
});
