/**
 * The secure method on a batch of face latents (Labarbarie et al.; seed-methods.md §1.3): DDIM inversion
 * to z_T, the keyed sign flip inside the mask, and masked DDIM sampling that keeps the inversion trajectory
 * outside it. The same call with the same key, mask and warp on an anonymized latent is the (approximate)
 * inverse: K⊙K = 1, and only the DDIM inversion error stands between the two.
 *
 * The key is one per track (derived for the track's first frame) and video (from the video's secret, which
 * its random salt makes unique): a key per frame would give the face a new random identity at every
 * keyframe, and gains nothing, since one original frame of a track already reveals who it is.
 */
import { ddimInvert } from './ddim-inversion.js';
import { maskedDdimSample } from './masked-ddim-sampler.js';
import type { Conditioning, NoisePredictor } from './noise-predictor.js';
import type { SamplingSchedule } from './sampling-schedule.js';
import { signFlip, signFlipKey, type SignKeyId } from './sign-flip.js';

export interface SecureFace {
  /** Which key: the track and the frame its key is derived for. */
  readonly key: SignKeyId;
  readonly x0: Float32Array;
  /** Latent H×W, 1 = flip and regenerate. */
  readonly mask: Uint8Array;
}

export class SecureMethod {
  private readonly keys = new Map<string, Int8Array>();

  /**
   * @param conditioning what every UNet call attends to: the null condition (null-condition.ts)
   * @param secret the 32-byte secret the flip keys derive from: the video's (sign-flip.ts videoFlipSecret)
   */
  constructor(
    private readonly predictor: NoisePredictor,
    private readonly schedule: SamplingSchedule,
    private readonly conditioning: Promise<Conditioning>,
    private readonly secret: Uint8Array,
  ) {}

  async anonymize(faces: readonly SecureFace[]): Promise<Float32Array[]> {
    if (faces.length === 0) return [];
    const conditioning = await this.conditioning;
    const trajectories = await ddimInvert(this.predictor, this.schedule, faces.map((f) => f.x0), faces.map(() => conditioning));
    return maskedDdimSample(
      this.predictor,
      this.schedule,
      faces.map((f, i) => ({
        start: signFlip(trajectories[i][0], this.key(f.key, f.x0.length), f.mask),
        trajectory: trajectories[i],
        mask: f.mask,
        conditioning,
      })),
    );
  }

  forget(track: number): void {
    for (const k of this.keys.keys()) if (k.startsWith(`${track}:`)) this.keys.delete(k);
  }

  private key(id: SignKeyId, size: number): Int8Array {
    const name = `${id.track}:${id.frame}`;
    let key = this.keys.get(name);
    if (!key) this.keys.set(name, (key = signFlipKey(this.secret, id, size)));
    return key;
  }
}
