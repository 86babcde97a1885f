/**
 * The diffusion modes through the file pipeline on real media (the first 2 s of interview.mp4), with the
 * fake JS bundle (test/diffuse/fake-bundle.ts): real detection, tracking, landmarks, alignment, blending and
 * encoding, closed-form "models". This proves the plumbing (frame count, audio, every face handled, cost
 * counted), not image quality: the fake bundle's faces are 32 px block averages.
 */
import path from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { trackOptions, videoOptions } from '../../src/cli/anonymize-command.js';
import { buildConfig } from '../../src/config/load-config.js';
import { decodeFrames } from '../../src/ingest/decode-frames.js';
import { locateFfmpeg } from '../../src/ingest/ffmpeg-binary.js';
import { openInput } from '../../src/ingest/open-input.js';
import { defaultModelCacheDir } from '../../src/models/model-cache-dir.js';
import { ModelStore } from '../../src/models/model-store.js';
import { anonymizeFile } from '../../src/pipeline/anonymize-file.js';
import { anonymizerFromConfig } from '../../src/pipeline/anonymizer-from-config.js';
import { loadFaceAnalyzers, type LoadedAnalyzers } from '../../src/pipeline/face-analyzers.js';
import { fakeBundle } from '../diffuse/fake-bundle.js';
import { ffmpeg, ffprobeStreams, media, tempDir } from '../fixtures/media.js';

const tmp = tempDir('nullcam-diffuse-');
let clip: string;
let analyzers: LoadedAnalyzers;

beforeAll(async () => {
  clip = path.join(tmp.dir, 'interview-2s.mp4');
  ffmpeg(['-i', media('interview.mp4'), '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', clip]);
  analyzers = await loadFaceAnalyzers(new ModelStore({ cacheDir: defaultModelCacheDir(process.env) }), buildConfig({ mode: 'nullface' }, []));
}, 120_000);
afterAll(async () => {
  await analyzers?.dispose();
  tmp.remove();
});

describe.each(['nullface', 'secure'] as const)('--mode %s on interview.mp4 (2 s) with the fake JS bundle', (mode) => {
  it('keeps frame count and audio, diffuses every face on keyframes, reports evaluations per face-frame', async () => {
    const config = buildConfig({ mode, diffuse: { modelDir: '/fake' } }, []);
    const built = await anonymizerFromConfig(config, async () => fakeBundle(), new Uint8Array(32).fill(5));
    const startVideo = vi.spyOn(built.anonymizer, 'startVideo');
    const binary = await locateFfmpeg();
    const out = path.join(tmp.dir, `${mode}.mp4`);
    let frames = 0, faces = 0;
    await lastValueFrom(
      anonymizeFile({
        binary,
        input: await openInput(clip, { binary }),
        output: out,
        overwrite: false,
        analyzers,
        anonymizer: built.anonymizer,
        track: trackOptions(config),
        video: videoOptions(config),
        audio: true,
        onFrame(f) {
          frames++;
          faces += f.faces.length;
        },
      }),
    );
    expect(startVideo).toHaveBeenCalledTimes(1); // per-track state starts over with every video
    const summary = built.summary();
    await built.anonymizer.dispose?.();
    const decoded = await lastValueFrom(decodeFrames(await openInput(out, { binary }), { binary }).pipe(toArray()));
    expect(decoded).toHaveLength(50);
    expect(frames).toBe(50);
    expect(ffprobeStreams(out).filter((s) => s.codec_type === 'audio')).toHaveLength(1);
    expect(faces).toBeGreaterThanOrEqual(45);
    expect(summary.diffusion_fallback_faces).toBe(0);
    // Keyframes every 4 frames: nullface 7 + 13, secure 12 + 12 evaluations each.
    const perKeyframe = mode === 'nullface' ? 20 : 24;
    expect(summary.unet_evals).toBe(perKeyframe * (summary.diffusion_keyframes as number));
    expect(summary.unet_evals_per_face_frame).toBeLessThanOrEqual(8);
  }, 120_000);
});
