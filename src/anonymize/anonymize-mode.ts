/** The anonymization modes a user can pick (--mode). The diffusion modes join this list when they land. */
export const ANONYMIZE_MODES = ['blur', 'pixelate', 'solid', 'mask'] as const;
export type AnonymizeMode = (typeof ANONYMIZE_MODES)[number];
