/**
 * The capture and seal stages around the anonymize stage, mode-independent: what is sealed is the
 * original pixels under the regions the anonymizer declares, plus its `extra`, per face and frame; an
 * anonymizer that cannot declare its regions cannot write recovery data.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, expect, it } from 'vitest';
import { anonymizeFaces } from '../../src/anonymize/anonymize-faces.js';
import type { Anonymizer } from '../../src/anonymize/anonymizer.js';
import { classicAnonymizer } from '../../src/anonymize/classic-anonymizer.js';
import { NullcamError } from '../../src/errors.js';
import { keyFingerprint } from '../../src/keys/key-derivation.js';
import { newVideoId } from '../../src/keys/recovery-header.js';
import { masterKeyring } from '../../src/keys/recovery-keyring.js';
import { openRecoveryFile } from '../../src/keys/recovery-reader.js';
import { RecoveryVerifier } from '../../src/keys/recovery-verifier.js';
import { RecoveryWriter } from '../../src/keys/recovery-writer.js';
import { packRegion } from '../../src/keys/region-pixels.js';
import { captureOriginals, sealOriginals } from '../../src/pipeline/capture-originals.js';
import type { FaceFrame } from '../../src/track/face.js';
import { tempDir } from '../fixtures/media.js';
import { stillFrame } from '../track/face-fixtures.js';

const tmp = tempDir('nullcam-capture-');
afterAll(() => tmp.remove());

it('seals the original pixels of every declared region, with the mode\'s extra', async () => {
  const still = await stillFrame('grace_hopper_512x512.jpg', 'yuv420p');
  const frames: FaceFrame[] = [0, 1, 2].map((index) => ({
    ...still,
    index,
    pts: index * 40,
    timeBase: { num: 1, den: 1000 },
    data: Buffer.from(still.data),
    faces: index === 1 ? [] : [{ trackId: 7, box: { x: 150 + index, y: 100, width: 230, height: 230 }, score: 0.9, origin: 'detected' as const }],
  }));
  const blur = classicAnonymizer({ mode: 'blur', shape: 'ellipse', blurStrength: 0.2, pixelBlocks: 8, colour: { r: 0, g: 0, b: 0 }, maskFill: 'blur' });
  const anonymizer: Anonymizer = { ...blur, recoveryExtra: (frame, faceIndex) => Uint8Array.from([frame.index, faceIndex, 42]) };
  const master = randomBytes(32);
  const video = path.join(tmp.dir, 'v.mp4');
  const writer = await RecoveryWriter.create(video, false, {
    format: 'nullcam-recovery', version: 1, cipher: 'aes-256-gcm', compression: 'med+deflate', videoId: newVideoId(),
    video: { width: still.width, height: still.height, format: 'yuv420p', timeBase: { num: 1, den: 1000 } },
    key: { fingerprint: keyFingerprint(master), kdf: 'key-file' }, createdBy: 'test',
  }, master);
  const out = await lastValueFrom(from(frames).pipe(captureOriginals(anonymizer), anonymizeFaces(anonymizer), sealOriginals(writer, anonymizer), toArray()));
  expect(out.map((f) => f.index)).toEqual([0, 1, 2]);
  expect(out[0].data.equals(still.data)).toBe(false);
  writeFileSync(video, 'the video');
  await writer.commit(video);

  const file = await openRecoveryFile(video);
  const verifier = new RecoveryVerifier(file, masterKeyring(master, file.fingerprint));
  const opened = [];
  for await (const r of verifier.openRegions()) opened.push(r);
  expect(verifier.problems).toEqual([]);
  expect(verifier.end).toMatchObject({ frames: 3, regions: 2, tracks: [7] });
  expect(opened.map((r) => [r.header.frameIndex, r.header.trackId, r.header.ptsUs])).toEqual([[0, 7, 0], [2, 7, 80_000]]);
  for (const r of opened) {
    expect(Buffer.from(r.payload.pixels).equals(packRegion(still, r.payload.mask))).toBe(true);
    expect([...r.payload.extra!]).toEqual([r.header.frameIndex, 0, 42]);
  }
});

it('an anonymizer that does not declare its regions cannot write recovery data', () => {
  const opaque: Anonymizer = { name: 'opaque', anonymizeInPlace: () => {} };
  expect(() => captureOriginals(opaque)).toThrow(NullcamError);
  expect(() => captureOriginals(opaque)).toThrow(/Mode opaque cannot write recovery data/);
});
