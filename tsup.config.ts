import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: { index: 'src/index.ts' },
  dts: true,
  sourcemap: true,
  target: 'node20',
};

export default defineConfig([
  { ...shared, format: 'esm' },
  // p-queue (and its p-timeout) are ESM-only: the CommonJS build carries its own copy so that
  // `require('s3kit')` works on every Node 20 release, with or without require(esm).
  { ...shared, format: 'cjs', noExternal: ['p-queue', 'p-timeout'] },
]);
