import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['sdk/src/**/*.test.ts', 'kernel-bridge/src/**/*.test.ts'],
          testTimeout: 60_000,
          // vitest's default (cores - 1) is one worker on a 2-core CI machine: unit files wait on
          // module loading and child processes, so two in parallel took the project 112 s -> 79 s
          maxWorkers: Math.max(2, availableParallelism() - 1)
        }
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/setup/kafka.ts'],
          testTimeout: 180_000,
          hookTimeout: 240_000,
          fileParallelism: false
        }
      }
    ]
  }
});
