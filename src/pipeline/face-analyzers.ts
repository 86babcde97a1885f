/**
 * Builds the track stage's models from config: the detector always, facemesh when the mode draws from
 * landmarks, the identity embedder when re-identification is on. One place owns their sessions.
 */
import { isDiffusionMode } from '../anonymize/anonymize-mode.js';
import type { Config } from '../config/config-schema.js';
import type { Frame } from '../frame.js';
import { chooseExecutionProvider } from '../models/execution-provider.js';
import type { ModelStore } from '../models/model-store.js';
import type { OnnxModel } from '../models/onnx-session.js';
import { OnnxWorkerModel } from '../models/onnx-worker-model.js';
import { FACE_EMBEDDER_MODEL, FaceEmbedder } from '../track/face-embedder.js';
import { FACE_DETECTOR_MODEL, FaceDetector } from '../track/face-detector.js';
import { FaceLandmarker } from '../track/face-landmarks.js';
import { onnxModelRunner } from '../track/model-runner.js';
import type { FaceAnalyzers } from '../track/track-faces.js';

/** The detector nullcam runs, chosen by measured recall (docs/detector-eval.md). */
export const DETECTOR_MODEL = FACE_DETECTOR_MODEL;
export const LANDMARK_MODEL = 'facemesh';
/** facemesh's face-presence score under which its mesh is not trusted (the box's ellipse is used instead). */
const MIN_MESH_SCORE = 0.5;

export type LoadedAnalyzers = FaceAnalyzers & {
  /** Execution provider the models run on. */
  readonly device: string;
  dispose(): Promise<void>;
};

/**
 * @param options.workers run each model on its own worker thread (live: onnxruntime-node's inference
 *   blocks the calling thread, and the main thread must keep moving frames), and run each model once
 *   before returning, so a camera's first frame does not pay the first calls' set-up (the first frame
 *   waits for its detection while frames arrive). The detector runs twice, on a frame with fine tiles:
 *   after one 256² call the first 720p detection took 50–69 ms and later ones 29–41; after two 640×360
 *   calls 35–42 in 5 of 6 starts (2-core box); default false
 */
export async function loadFaceAnalyzers(store: ModelStore, config: Config, options: { readonly workers?: boolean } = {}): Promise<LoadedAnalyzers> {
  const detectorPath = (await store.ensure(DETECTOR_MODEL)).path;
  const { device, providers } = await chooseExecutionProvider(config.runtime.executionProvider, detectorPath);
  const sessions: Array<OnnxModel | OnnxWorkerModel> = [];
  const load = async (name: string): Promise<OnnxModel | OnnxWorkerModel> => {
    const model = options.workers
      ? await OnnxWorkerModel.create((await store.ensure(name)).path, { executionProviders: providers })
      : await store.load(name, { executionProviders: providers });
    sessions.push(model);
    return model;
  };
  const detector = new FaceDetector(onnxModelRunner(await load(DETECTOR_MODEL)), {
    minScore: config.detect.minScore,
    minFaceSize: config.detect.minFaceSize,
    scanPeriod: config.detect.scanPeriod,
  });
  // Mask mode draws the face oval; the diffusion modes align every face to their crop by it.
  const landmarker = config.mode === 'mask' || isDiffusionMode(config.mode) ? new FaceLandmarker(onnxModelRunner(await load(LANDMARK_MODEL))) : undefined;
  const embedder = config.track.reid ? new FaceEmbedder(onnxModelRunner(await load(FACE_EMBEDDER_MODEL))) : undefined;
  if (options.workers) {
    // Big enough for the detector's fine tiles; the face box fits the landmarker's and embedder's crops.
    // The detector's second call is the one that leaves its first real frame as fast as the rest.
    const frame = grey(640, 360);
    const face = { box: { x: 64, y: 64, width: 128, height: 128 }, score: 1, keypoints: [] };
    await Promise.all([detector.detect(frame).then(() => detector.detect(frame)), landmarker?.landmarks(frame, face), embedder?.embed(frame, face)]);
  }
  return {
    device,
    detect: (frame, hints) => detector.detect(frame, hints),
    ...(landmarker
      ? {
          async landmarks(frame, detection) {
            const mesh = await landmarker.landmarks(frame, detection);
            return mesh.score >= MIN_MESH_SCORE ? mesh.points : undefined;
          },
        }
      : {}),
    ...(embedder ? { embed: (frame, detection) => embedder.embed(frame, detection) } : {}),
    async dispose() {
      await Promise.all(sessions.map((s) => s.dispose()));
    },
  };
}

/** A mid-grey yuv420p frame, for warm-up calls (its own source: no camera's detector state is touched). */
function grey(width: number, height: number): Frame {
  return { source: '(warm-up)', index: 0, pts: 0, timeBase: { num: 1, den: 1 }, width, height, format: 'yuv420p', data: Buffer.alloc((width * height * 3) / 2, 128) };
}
