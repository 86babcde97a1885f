/**
 * NullFace on a batch of face latents (Kung et al.; seed-methods.md §2.3): edit-friendly DDPM inversion
 * under the null condition, then guided DDPM sampling away from each face's own identity inside its mask.
 * Caches what does not change along a track: the track's inversion noise
 * ε_τ (a keyed stream per track, so a track keeps the same noise on every keyframe) and its projected
 * identity tokens (recomputed only when the track's identity estimate changes).
 */
import { editFriendlyInvert } from './edit-friendly-inversion.js';
import type { Conditioning, IdentityProjector, NoisePredictor } from './noise-predictor.js';
import { gaussianNoise } from './gaussian-noise.js';
import { nullfaceSample, type NullFaceGuidance } from './nullface-sampler.js';
import type { SamplingSchedule } from './sampling-schedule.js';

export interface NullFaceFace {
  readonly track: number;
  /** Clean latent of the aligned crop. */
  readonly x0: Float32Array;
  /** Latent H×W, 1 = anonymize. */
  readonly mask: Uint8Array;
  /** −λ_id·ê for the track (identity-condition.ts); the same array object while the estimate is unchanged. */
  readonly identity: Float32Array;
}

export class NullFaceMethod {
  private readonly noise = new Map<number, Float32Array[]>();
  private readonly tokens = new Map<number, { identity: Float32Array; condition: Promise<Conditioning> }>();

  /**
   * @param nullCondition empty text + the projected zero identity (null-condition.ts)
   * @param seed noise seed bytes; the same seed, input and settings give bit-identical output
   */
  constructor(
    private readonly predictor: NoisePredictor,
    private readonly projector: IdentityProjector,
    private readonly nullCondition: Promise<Conditioning>,
    private readonly schedule: SamplingSchedule,
    private readonly guidance: NullFaceGuidance,
    private readonly seed: Uint8Array,
  ) {}

  /** @returns the anonymized clean latents, in order */
  async anonymize(faces: readonly NullFaceFace[]): Promise<Float32Array[]> {
    if (faces.length === 0) return [];
    const nullCondition = await this.nullCondition;
    const conditions = await Promise.all(faces.map((f) => this.identityCondition(f)));
    const inversions = await editFriendlyInvert(
      this.predictor,
      this.schedule,
      faces.map((f) => f.x0),
      faces.map((f) => this.trackNoise(f.track, f.x0.length)),
      faces.map(() => nullCondition),
    );
    return nullfaceSample(
      this.predictor,
      this.schedule,
      faces.map((f, i) => ({ inversion: inversions[i], mask: f.mask, nullCondition, identityCondition: conditions[i] })),
      this.guidance,
    );
  }

  /** Drops a finished track's caches. */
  forget(track: number): void {
    this.noise.delete(track);
    this.tokens.delete(track);
  }

  private identityCondition(face: NullFaceFace): Promise<Conditioning> {
    const cached = this.tokens.get(face.track);
    if (cached?.identity === face.identity) return cached.condition;
    const condition = Promise.all([this.nullCondition, this.projector.project(face.identity)]).then(([n, identity]) => ({ ...n, identity }));
    this.tokens.set(face.track, { identity: face.identity, condition });
    return condition;
  }

  private trackNoise(track: number, size: number): Float32Array[] {
    let maps = this.noise.get(track);
    if (!maps) {
      const all = gaussianNoise(this.seed, `track ${track}`, this.schedule.length * size);
      maps = Array.from({ length: this.schedule.length }, (_, i) => all.subarray(i * size, (i + 1) * size));
      this.noise.set(track, maps);
    }
    return maps;
  }
}
