import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests import 's3kit' as users and the CLI do; in-process they run the source (the CLI tests
    // spawn bin/s3kit.js, which runs the build).
    alias: [
      { find: /^s3kit$/, replacement: new URL('./src/index.ts', import.meta.url).pathname },
      { find: /^s3kit\/jobs$/, replacement: new URL('./src/jobs/index.ts', import.meta.url).pathname },
      { find: /^s3kit\/admin$/, replacement: new URL('./src/admin/index.ts', import.meta.url).pathname },
      { find: /^s3kit\/versions$/, replacement: new URL('./src/versions/index.ts', import.meta.url).pathname },
    ],
  },
  test: {
    // The SDK's notice about its future Node requirement is noise in test logs.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    pool: 'forks',
    // The memory test forces garbage collection to measure retained heap.
    execArgv: ['--expose-gc'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two tiers: `vitest run --project unit` (npm run test:unit) needs no S3 server and answers
    // in seconds; `integration` starts radosgw once (or uses S3KIT_TEST_ENDPOINT).
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // The public API's types, checked by tsc (expectTypeOf) as part of the unit tier.
          typecheck: { enabled: true, include: ['test/unit/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          // Everything outside the unit tier: integration, cli, faults, properties…
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**'],
          // One radosgw for the whole run; each integration test file makes its own bucket.
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
    // `npm test` runs with --coverage. Spawned CLI processes are not measured (v8 sees this
    // process only); test/cli/in-process.test.ts runs the CLI's main() here for that reason.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
      // The floor, about a point under the full suite's measure on main (full run of 2026-11-22,
      // after the restructure and the subpaths: lines 92.4 %, statements 89.4 %, functions
      // 92.7 %, branches 81.6 %; timing-dependent paths move it by half a point; 66 % lines before
      // the in-process CLI tests): raise it as tests are added, never lower it.
      thresholds: { lines: 91, statements: 88, functions: 91, branches: 80 },
    },
  },
});
