import { defineConfig, type Options } from 'tsup';

// One build for every public entry point ('s3kit', 's3kit/jobs', 's3kit/admin', 's3kit/versions'), split into shared chunks:
// `s3kit/jobs` and `s3kit` then load one copy of each module, so an error class from one is the
// same class (instanceof holds) in the other.
const shared: Options = {
  entry: { index: 'src/index.ts', jobs: 'src/jobs/index.ts', admin: 'src/admin/index.ts', versions: 'src/versions/index.ts' },
  splitting: true,
  dts: true,
  sourcemap: true,
  target: 'node20',
};

export default defineConfig([
  { ...shared, format: 'esm' },
  // p-queue (and its p-timeout) are ESM-only: the CommonJS build carries its own copy so that
  // `require('s3kit')` works on every Node 20 release, with or without require(esm).
  // keepNames: splitting CommonJS goes through a second transform that renames classes with
  // fields (`_class2`); the names are restored so errors print as `ConfigError: …`.
  { ...shared, format: 'cjs', noExternal: ['p-queue', 'p-timeout'], keepNames: true },
  // The command line imports the library by its package name, kept external, so it can use only
  // what the entry points export, like any user.
  { entry: { cli: 'src/cli/index.ts' }, format: 'esm', target: 'node20', sourcemap: true, dts: false, external: ['s3kit', 's3kit/jobs', 's3kit/admin', 's3kit/versions'] },
]);
