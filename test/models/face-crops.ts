/**
 * Model inputs from the real test photos: the whole picture for detectors, a hand-picked square around
 * the one face for landmark and embedding models, scaled into the range each model was trained on.
 */
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const MEDIA_DIR = fileURLToPath(new URL('../../../shared/media/', import.meta.url));

export interface Photo {
  readonly file: string;
  /** A square around the face in source pixels (picked by eye; generous on all sides). */
  readonly face: { readonly left: number; readonly top: number; readonly size: number };
}

export const PHOTOS: readonly Photo[] = [
  { file: 'grace_hopper_512x512.jpg', face: { left: 145, top: 95, size: 240 } },
  { file: 'astronaut.png', face: { left: 150, top: 40, size: 160 } },
  { file: 'messi5.jpg', face: { left: 195, top: 58, size: 80 } },
];

/** Pixel range a model expects: human scales detector input to [-1,1], facemesh/mobilefacenet to [0,1], faceres to [0,255]. */
export type Range = 'minus1to1' | '0to1' | '0to255';

/** The whole photo stretched to width×height as int32 RGB 0..255 (faceboxes' input). */
export async function photoPixels(photo: Photo, width: number, height: number): Promise<Int32Array> {
  const raw = await sharp(MEDIA_DIR + photo.file).removeAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer();
  return Int32Array.from(raw);
}

/**
 * An NHWC float tensor of `size`² RGB pixels from a photo.
 * @param crop 'face' for the face square, 'full' for the whole picture stretched
 */
export async function photoTensor(photo: Photo, size: number, range: Range, crop: 'face' | 'full'): Promise<Float32Array> {
  let img = sharp(MEDIA_DIR + photo.file).removeAlpha();
  if (crop === 'face') img = img.extract({ left: photo.face.left, top: photo.face.top, width: photo.face.size, height: photo.face.size });
  const raw = await img.resize(size, size, { fit: 'fill' }).raw().toBuffer();
  const out = new Float32Array(raw.length);
  for (let k = 0; k < raw.length; k++) {
    out[k] = range === 'minus1to1' ? raw[k] / 127.5 - 1 : range === '0to1' ? raw[k] / 255 : raw[k];
  }
  return out;
}
