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
  // The command line imports the library by its package name, kept external, so it can use only
  // what `src/index.ts` exports, like any user.
  { entry: { cli: 'src/cli/index.ts' }, format: 'esm', target: 'node20', sourcemap: true, dts: false, external: ['s3kit'] },
]);
