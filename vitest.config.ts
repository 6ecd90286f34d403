import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests import 's3kit' as users and the CLI do; in-process they run the source (the CLI tests
    // spawn bin/s3kit.js, which runs the build).
    alias: { s3kit: new URL('./src/index.ts', import.meta.url).pathname },
  },
  test: {
    // The SDK's notice about its future Node requirement is noise in test logs.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
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
