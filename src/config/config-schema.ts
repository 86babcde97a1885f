/**
 * Every setting nullcam reads, with its default, bounds and meaning. config/default.jsonc is this
 * table written out with comments (a test keeps the two equal); --help prints it.
 */
import { ANONYMIZE_MODES } from '../anonymize/anonymize-mode.js';
import {
  booleanField,
  enumField,
  nullableNumberField,
  nullableStringField,
  numberField,
  stringField,
  stringListField,
  webcamModeField,
  zoneListField,
  type Field,
} from './config-field.js';
import { LIVE_TRANSPORTS } from '../ingest/live-input-args.js';
import { liveCameraListField } from './live-camera-field.js';

export const CONFIG_SCHEMA = {
  mode: enumField(ANONYMIZE_MODES, 'blur', 'How faces are anonymized.'),
  anonymize: {
    shape: enumField(['ellipse', 'rect'] as const, 'ellipse', 'Region covered in blur, pixelate and solid modes: the ellipse inscribed in the dilated face box, or the whole box.'),
    blurStrength: numberField(0.2, 'Blur radius (about the Gaussian sigma) as a fraction of the face box; lower keeps more detail and risks recognition.', 0.05, 1),
    pixelBlocks: numberField(8, 'Pixelation blocks across the face box; more blocks keep more detail and risk recognition.', 2, 32, true),
    colour: stringField('#000000', 'Fill colour for solid mode and for mask mode with maskFill solid, as #rrggbb.', /^#[0-9a-fA-F]{6}$/),
    maskFill: enumField(['blur', 'solid'] as const, 'blur', 'What fills the face oval in mask mode (hair and background stay).'),
    zones: zoneListField('Privacy zones: rectangles filled with colour on every frame, faces or not, in every mode (a window, a screen), as [x, y, width, height] fractions of the frame (0–1), e.g. [[0, 0, 0.25, 0.2]]; on the command line --set anonymize.zones=0,0,0.25,0.2;0.5,0.5,0.1,0.1. nullcam reveal restores the faces (the part of a face inside a zone too), never the rest of a zone.'),
  },
  detect: {
    minScore: numberField(0.3, 'Detector score above which a face is covered; low on purpose, since a missed face is worse than an extra blur.', 0.05, 0.99),
    minFaceSize: numberField(24, 'Smallest face, in pixels, the detector must find; smaller values add tiles and cost time.', 12, 512, true),
    stride: numberField(2, 'Run the detector on every Nth frame; frames between are covered by tracking and interpolation.', 1, 30, true),
    scanPeriod: numberField(4, 'Detector runs over which the fine tiles (small faces) are spread; the whole-frame pass runs every time. stride x scanPeriod must not exceed track.lookahead.', 1, 30, true),
  },
  track: {
    lookahead: numberField(12, 'Frames held back so later detections can cover earlier misses (file mode); must be at least detect.stride.', 1, 120, true),
    holdFrames: numberField(12, 'Frames a face stays covered after its last detection.', 0, 250, true),
    backfillFrames: numberField(12, 'Frames before a face\'s first detection that are covered too (at most track.lookahead).', 0, 120, true),
    maxInterpolateGap: numberField(50, 'Longest detector gap, in frames, bridged by interpolating between two detections.', 1, 1000, true),
    dilate: numberField(0.2, 'Growth of every face box on each side, as a fraction of its size.', 0, 2),
    dilatePerFrame: numberField(0.02, 'Extra growth per frame away from the nearest detection (position is less certain there).', 0, 1),
    maxExtraDilate: numberField(0.3, 'Cap on that extra growth.', 0, 2),
    maxMisses: numberField(6, 'Detector runs a track may miss before it is considered gone (it can still come back by identity).', 0, 100, true),
    reid: booleanField(true, 'Re-identify faces that come back after an occlusion by identity embedding, so they keep their track id.'),
  },
  diffuse: {
    modelDir: nullableStringField('Model bundle directory for the nullface and secure modes (manifest.json + ONNX graphs; "nullcam models make-test-bundle DIR" writes a random-weight test bundle).'),
    steps: numberField(20, 'Nullface: timestep grid N; fewer steps are faster and coarser (paper: 100).', 2, 1000, true),
    tSkip: numberField(13, 'Nullface: grid steps skipped at the noisy end, so steps - tSkip are run; more keeps more of the input (pose, expression), fewer changes more. 13 of 20 starts at t = 301, close to the noise level of the paper\'s 70 of 100 (t = 291).', 0, 999, true),
    secureSteps: numberField(12, 'Secure: DDIM steps, each run twice (inversion to noise, then regeneration); more makes the inversion more exact (paper: 50).', 2, 1000, true),
    lambdaCfg: numberField(10, 'Nullface guidance scale away from the identity; higher anonymizes harder, 20 and up hurts realism (paper: 10).', 0, 50),
    lambdaId: numberField(1, 'Nullface: scale of the negated identity embedding (paper: 1).', 0, 5),
    maskDelay: numberField(2, 'Nullface: denoising steps guided over the whole crop before the face mask applies (paper: 10 of 30).', 0, 999, true),
    keyframeInterval: numberField(4, 'Frames between two full diffusion passes of a face track; frames between reuse the last result warped onto the current landmarks. 1 runs every frame.', 1, 250, true),
    maxBatch: numberField(16, 'Most latents in one UNet call (faces x CFG branches x steps are batched); lower it if the device runs out of memory.', 1, 256, true),
    seed: numberField(0, 'Seed of the per-track noise streams (nullface); the same input, settings and seed give the same output.', 0, 2 ** 32 - 1, true),
  },
  encode: {
    codec: stringField('libx264', 'ffmpeg video encoder (libx264, libx265, h264_nvenc, ffv1, ...).'),
    preset: nullableStringField('Encoder preset (libx264: ultrafast ... veryslow); null takes veryfast for libx264/libx265, a good speed/size balance, and none for other encoders.'),
    crf: nullableNumberField('Constant quality for x264/x265 (lower is better and larger); null takes 20 for libx264/libx265 unless bitrate is set.', 0, 63),
    bitrate: nullableStringField('Target video bitrate such as "4M"; overrides crf.'),
    pixFmt: stringField('yuv420p', 'Output pixel format; yuv420p plays everywhere.'),
    audio: enumField(['copy', 'none'] as const, 'copy', 'Audio streams: copy all of them unchanged, or drop them. `proxy` carries a camera\'s first audio stream (AAC and G.711 as sent, other codecs re-encoded to AAC), or none.'),
    extraArgs: stringListField('Extra ffmpeg output arguments, inserted before the output path (escape hatch).'),
  },
  live: {
    cameras: liveCameraListField('Cameras `nullcam proxy --config FILE` serves: [{"name": "door", "url": "rtsp://user:pass@cam/stream", "serve": "rtsp://127.0.0.1:8554/door", "publish": null, "mode": null, "transport": null, "webcam": null, "zones": null}]; mode, transport, webcam and zones (anonymize.zones) default to the settings here.'),
    transport: enumField(LIVE_TRANSPORTS, 'tcp', 'How RTSP cameras are read: tcp (interleaved, robust through NAT and firewalls) or udp (lower overhead, loses packets on busy links).'),
    webcam: webcamModeField('The mode webcams (/dev/videoN) capture in, "WIDTHxHEIGHT@FPS:FORMAT" with each part optional, e.g. "1280x720@30:mjpeg"; without it most USB webcams give 640x480 YUYV (720p and above at full rate only come as mjpeg). `ffmpeg -f v4l2 -list_formats all -i /dev/video0` lists the modes.'),
    connectSeconds: numberField(10, 'Seconds a (re)connection may take to deliver its first frame before it counts as failed.', 1, 300),
    stallSeconds: numberField(5, 'Seconds without a frame after which a camera connection is restarted.', 0.5, 300),
    catchUpLagMs: numberField(150, 'While frames arrive this many ms behind the camera\'s pace (CPU short), every other frame is dropped unprocessed until the backlog is gone.', 20, 10000, true),
    maxLagSeconds: numberField(2, 'A camera connection whose frames fall this many seconds behind real time (decoding cannot keep up) is restarted, dropping the backlog.', 0.5, 60),
    reconnectMinSeconds: numberField(0.5, 'First reconnect delay; it doubles after each failed attempt.', 0.1, 60),
    reconnectMaxSeconds: numberField(30, 'Longest reconnect delay.', 0.1, 3600),
    startAttempts: numberField(3, 'Attempts after which a camera that never delivered a frame is an error; only with a single camera (several cameras keep retrying).', 1, 1000, true),
    detectDeadlineMs: numberField(1000, 'A detection slower than this (ms) turns frames black until the detector answers again (fail closed).', 50, 60000, true),
    detectAheadFrames: numberField(3, 'Frames that may leave anonymized from tracking alone while a slow detection still runs, instead of dropping frames; a face that just entered can stay uncovered that many frames longer. 0 waits for every detection.', 0, 25, true),
    queueFrames: numberField(2, 'Frames that may wait while one is anonymized (a burst from the camera reader); more arriving drop the oldest (bounded latency).', 0, 50, true),
    gapFillSeconds: numberField(1, 'After this many seconds without camera frames, black frames keep the output stream going.', 0.2, 60),
    gopSeconds: numberField(1, 'Keyframe interval of the served stream in seconds; a client joining starts at the next keyframe.', 0.2, 10),
    preset: stringField('ultrafast', 'libx264 preset of the live encoder; slower presets cost CPU and latency.'),
    crf: numberField(23, 'libx264 constant quality of the live stream (lower is better and larger).', 0, 51),
    metrics: nullableStringField('HOST:PORT for GET /metrics (Prometheus) and GET /healthz, e.g. "127.0.0.1:9464"; null: off.'),
  },
  runtime: {
    executionProvider: enumField(['auto', 'cpu', 'cuda', 'webgpu'] as const, 'auto', 'onnxruntime execution provider for the face models; auto takes the fastest that loads.'),
    modelDir: nullableStringField('Where converted face models are cached (default $NULLCAM_MODEL_DIR, else ~/.cache/nullcam/models).'),
    ffmpeg: nullableStringField('Path to the ffmpeg binary (default $NULLCAM_FFMPEG, else ffmpeg on PATH, else the npm fallback).'),
  },
} as const;

type Section = { readonly [key: string]: Field<unknown> | Section };
type Resolve<S> = S extends Field<infer T> ? T : { readonly [K in keyof S]: Resolve<S[K]> };

/** The validated, frozen settings. */
export type Config = Resolve<typeof CONFIG_SCHEMA>;
export type ConfigSchema = Section;

/** Fields with their dotted keys, in schema order. */
export function schemaFields(schema: Section = CONFIG_SCHEMA, prefix = ''): Array<[string, Field<unknown>]> {
  return Object.entries(schema).flatMap(([k, v]) => (isField(v) ? [[prefix + k, v] as [string, Field<unknown>]] : schemaFields(v, `${prefix}${k}.`)));
}

export function isField(v: Field<unknown> | Section): v is Field<unknown> {
  return (v as Field<unknown>).kind === 'field';
}
