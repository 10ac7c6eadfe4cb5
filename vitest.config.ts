import { defineConfig } from 'vitest/config';

// Integration and sandbox tests spawn real processes; keep parallelism modest on 2-core machines.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
