import { defineConfig } from 'vitest/config';

// Two cores here: run test files in two forked workers; GDAL and tfjs keep native state per process.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
