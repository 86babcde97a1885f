/** The anonymization modes a user can pick (--mode): four classic CPU modes and two diffusion modes (src/diffuse/). */
export const ANONYMIZE_MODES = ['blur', 'pixelate', 'solid', 'mask', 'nullface', 'secure'] as const;
export type AnonymizeMode = (typeof ANONYMIZE_MODES)[number];

/** Modes that run on any CPU, fast enough for live video. */
export const CLASSIC_MODES = ['blur', 'pixelate', 'solid', 'mask'] as const satisfies readonly AnonymizeMode[];
export type ClassicMode = (typeof CLASSIC_MODES)[number];

/** Modes that run a diffusion model bundle. */
export const DIFFUSION_MODES = ['nullface', 'secure'] as const satisfies readonly AnonymizeMode[];
export type DiffusionMode = (typeof DIFFUSION_MODES)[number];

export function isDiffusionMode(mode: AnonymizeMode): mode is DiffusionMode {
  return (DIFFUSION_MODES as readonly string[]).includes(mode);
}
