import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

/*
 * Start-up: each command loads only what it uses. Runs the built bin (npx tsup first) with a
 * module hook that records every module loaded, and asserts on the recorded URLs.
 */

const RECORDER = join(import.meta.dirname, '..', 'helpers', 'record-imports.mjs');
const run = promisify(execFile);

async function loadedBy(args: readonly string[]): Promise<{ readonly stdout: string; readonly modules: readonly string[] }> {
  const file = join(mkdtempSync(join(tmpdir(), 's3kit-imports-')), 'modules.txt');
  const { stdout } = await run(process.execPath, ['--import', RECORDER, BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: '/nonexistent-s3kit-home', S3KIT_RECORD_IMPORTS: file },
    timeout: 20_000,
  });
  return { stdout, modules: readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') };
}

const heavy = (modules: readonly string[], name: string): readonly string[] => modules.filter((url) => url.includes(`/node_modules/${name}/`));

describe('start-up', () => {
  it('--version prints the version without loading the library, the SDK or any command', async () => {
    const { stdout, modules } = await loadedBy(['--version']);
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(stdout.trim()).toBe(version);
    for (const name of ['@aws-sdk', 'zod', 'yaml', 'cli-progress', 'date-fns']) expect(heavy(modules, name)).toEqual([]);
    expect(modules.filter((url) => /\/dist\/(index|jobs|admin|versions)\.js$/.test(url))).toEqual([]);
  });

  it('sync --help loads neither the jobs nor the admin entry point, nor yaml, zod, date-fns or cli-progress', async () => {
    const { stdout, modules } = await loadedBy(['sync', '--help']);
    expect(stdout).toContain('Usage: s3kit sync [options] <source> <target>');
    for (const name of ['zod', 'yaml', 'cli-progress', 'date-fns']) expect(heavy(modules, name)).toEqual([]);
    expect(modules.filter((url) => /\/dist\/(jobs|admin|versions)\.js$/.test(url))).toEqual([]);
  });

  it('--help still lists every command', async () => {
    const { stdout } = await loadedBy(['--help']);
    for (const name of ['sync', 'plan', 'apply', 'check', 'presign', 'run', 'status', 'doctor', 'clear-logs', 'schema', 'strategies', 'uploads', 'bucket', 'lifecycle', 'policy', 'templates', 'backup', 'versions', 'restore']) {
      expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });
});
