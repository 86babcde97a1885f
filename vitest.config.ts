import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real media and model tests: a 2-core CI machine needs generous limits.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
