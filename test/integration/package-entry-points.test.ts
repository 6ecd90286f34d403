import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

// The built package as a user installs it: `node_modules/s3kit` → this repository (npm test builds
// first), loaded through package.json "exports", both as ES modules and with require().
const repository = fileURLToPath(new URL('../..', import.meta.url));
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 's3kit-entry-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(repository, join(project, 'node_modules', 's3kit'));
});

function run(file: string, code: string): unknown {
  writeFileSync(join(project, file), code);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' }));
}

const probe = (load: (specifier: string) => string): string => `
  const root = ${load('s3kit')};
  const jobs = ${load('s3kit/jobs')};
  const admin = ${load('s3kit/admin')};
  const versions = ${load('s3kit/versions')};
  let error;
  let timeError;
  try { versions.parsePointInTime('yesterday'); } catch (caught) { timeError = caught; }
  try { jobs.parseConfig('jobs: 3', 's3kit.yaml'); } catch (caught) { error = caught; }
  const result = {
    root: Object.keys(root).sort(),
    jobs: Object.keys(jobs).sort(),
    admin: Object.keys(admin).sort(),
    versions: Object.keys(versions).sort(),
    sameErrorClass: error instanceof root.ConfigError && timeError instanceof root.ConfigError,
    printed: require('node:util').inspect(new root.ConfigError('field', 'bad')).split('\\n')[0],
  };
  console.log(JSON.stringify(result));
`;

describe.each([
  ['ES modules', 'probe.mjs', (specifier: string) => `await import('${specifier}')`, `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);`],
  ['require()', 'probe.cjs', (specifier: string) => `require('${specifier}')`, ''],
])('the package entry points, loaded with %s', (_name, file, load, preamble) => {
  let result: { root: string[]; jobs: string[]; admin: string[]; versions: string[]; sameErrorClass: boolean; printed: string };
  beforeAll(() => {
    const body = probe(load);
    result = run(file, file.endsWith('.mjs') ? `${preamble}\n${body}` : `(async () => {${body}})();`) as typeof result;
  });

  it('s3kit/jobs serves the job runner, config, strategies, doctor and run history', () => {
    expect(result.jobs).toEqual(
      expect.arrayContaining(['runJobs', 'JobLog', 'readJobHistory', 'runDoctor', 'loadConfig', 'parseConfig', 'configJsonSchema', 'StrategyResolver', 'parseDay']),
    );
  });

  it('s3kit/admin serves the validators and templates', () => {
    expect(result.admin).toEqual(expect.arrayContaining(['validateLifecycle', 'validateBucketPolicy', 'listTemplates', 'renderTemplate', 'mergeBucketPolicy']));
    expect(result.root).not.toContain('validateLifecycle');
  });

  it('s3kit/versions serves the version listing and the restores', () => {
    expect(result.versions).toEqual(['listVersions', 'parsePointInTime', 'planRestore', 'readRestorePlanLines', 'restoreInBucket', 'restorePlanHeader', 'restoreToLocal', 'versionsAt']);
    expect(result.root).not.toContain('restoreToLocal');
  });

  it('the root keeps the sync API and no longer exports the jobs or the state-file layout', () => {
    expect(result.root).toEqual(expect.arrayContaining(['createSyncer', 'TransferManager', 'S3ToS3Copier', 'jsonFileStore', 'ConfigError']));
    for (const moved of ['runJobs', 'loadConfig', 'StrategyResolver', 'runDoctor', 'JobLog', 'parseDay']) expect(result.root).not.toContain(moved);
    for (const layout of ['uploadStateKey', 'downloadStateKey', 'jobStateKey', 'LAST_RUN_KEY']) expect(result.root).not.toContain(layout);
  });

  it('shares one copy of each class between the entry points (instanceof holds across them)', () => {
    expect(result.sameErrorClass).toBe(true);
  });

  it('prints errors by their class name', () => {
    expect(result.printed).toBe('ConfigError: bad');
  });
});
