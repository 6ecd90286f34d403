import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One radosgw for the whole run; each integration test file makes its own bucket.
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // The memory test forces garbage collection to measure retained heap.
    execArgv: ['--expose-gc'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
