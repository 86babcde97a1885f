/** manifest.json parsing: a table of broken manifests and their exact one-line messages. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBundleManifest } from '../../../src/diffuse/bundle/bundle-manifest.js';
import { makeTestBundle } from '../../../src/diffuse/bundle/make-test-bundle.js';
import { tempDir } from '../../fixtures/media.js';

const tmp = tempDir('nullcam-manifest-');
afterAll(() => tmp.remove());
makeTestBundle(path.join(tmp.dir, 'b'));
const good = () => JSON.parse(readFileSync(path.join(tmp.dir, 'b', 'manifest.json'), 'utf8'));

describe('parseBundleManifest', () => {
  it('accepts the test bundle and freezes it', () => {
    const m = parseBundleManifest(good(), 'm.json');
    expect(m.unet.inputs.identity).toEqual({ name: 'identity', dtype: 'float32', shape: ['batch', 4, 64] });
    expect(Object.isFrozen(m.unet.inputs)).toBe(true);
  });

  it.each([
    ['unknown key', (m: any) => (m.unet.extra = 1), 'm.json: unet.extra: expected one of the keys file, inputs, outputs but found "extra"'],
    ['wrong format', (m: any) => (m.format = 'x'), 'm.json: format: expected "nullcam-model-bundle" but found "x"'],
    ['bad checksum text', (m: any) => (m.files['unet.onnx'] = 'abc'), 'm.json: files["unet.onnx"]: expected a sha256 as 64 lowercase hex digits but found "abc"'],
    ['file without checksum', (m: any) => (m.vaeDecoder.file = 'dec.onnx'), 'm.json: vaeDecoder.file: expected a file listed in "files" with its sha256 but found "dec.onnx"'],
    ['missing role', (m: any) => delete m.vaeEncoder.outputs.latent, 'm.json: vaeEncoder.outputs.latent: expected a tensor {name, dtype, shape} but found nothing'],
    ['bad dtype', (m: any) => (m.unet.inputs.sample.dtype = 'float64'), 'm.json: unet.inputs.sample.dtype: expected one of float32, float16, int64 but found "float64"'],
    ['latent disagrees', (m: any) => (m.latent.height = 16), 'm.json: unet.inputs.sample.shape: expected [batch,4,16,8] but found ["batch",4,8,8]'],
    ['fixed batch', (m: any) => (m.vaeDecoder.inputs.latent.shape[0] = 1), 'm.json: vaeDecoder.inputs.latent.shape: expected [batch,4,8,8] but found [1,4,8,8]'],
    ['text without null text', (m: any) => delete m.nullText, 'm.json: nullText: expected the empty-prompt context, since unet.inputs.text exists but found nothing'],
    ['identity without projector', (m: any) => delete m.projector, 'm.json: projector: expected the identity projection (or nullIdentity tokens), since unet.inputs.identity exists but found nothing'],
    ['null identity of the wrong shape', (m: any) => (m.nullIdentity = { file: 'null-text.npy', dtype: 'float32', shape: [4, 32] }), 'm.json: nullIdentity.shape: expected [4,64] (unet.inputs.identity) but found [4,32]'],
    ['projector disagrees with encoder', (m: any) => (m.projector.inputs.embedding.shape = ['batch', 256]), 'm.json: projector.inputs.embedding.shape: expected [batch,512] but found ["batch",256]'],
    ['template of 4 points', (m: any) => m.identityEncoder.template.pop(), 'm.json: identityEncoder.template: expected an array of 5 but found [[38.2946,51.6963],[73.5318,51.5014],[56.0252,71.7366],[41.5493,92.3655]]'],
  ])('%s', (_name, edit, message) => {
    const m = good();
    edit(m);
    expect(() => parseBundleManifest(m, 'm.json')).toThrow(message);
  });
});
