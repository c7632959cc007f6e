import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['sdk/src/**/*.test.ts', 'kernel-bridge/src/**/*.test.ts'],
          testTimeout: 60_000
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
