import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { runMain, stubTestCredentials } from '../helpers/in-process.js';
import { cliEnv } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { createTestBucket, putObject, testClient } from '../helpers/s3.js';

/*
 * `s3kit check` run in this process through main(argv, context), as test/cli/in-process.test.ts
 * runs the other commands: exit codes, the human and the JSON output, and nothing written.
 */

const printed: string[] = [];

async function cli(argv: readonly string[], signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  return runMain(argv, { signal, printed });
}

async function snapshotDir(root: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of (await readdir(root, { recursive: true })).sort()) {
    const path = join(root, name);
    const stats = await lstat(path);
    result[name] = stats.isDirectory() ? `dir ${stats.mtimeMs}` : `${stats.size} ${stats.mtimeMs} ${createHash('sha256').update(await readFile(path)).digest('hex')}`;
  }
  return result;
}

async function snapshotBucket(bucket: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for await (const page of paginateListObjectsV2({ client: testClient() }, { Bucket: bucket })) {
    for (const object of page.Contents ?? []) result[object.Key!] = `${object.Size} ${object.ETag} ${object.LastModified?.toISOString()}`;
  }
  return result;
}

beforeAll(() => {
  stubTestCredentials();
});
afterAll(() => {
  vi.unstubAllEnvs();
  expect(printed.some((text) => text.includes(inject('s3').secretAccessKey))).toBe(false);
});

describe('s3kit check', () => {
  let bucket: string;
  let root: string;

  beforeAll(async () => {
    bucket = await createTestBucket('cli-check');
    root = await tempDir('cli-check');
    await writeTree(root, { 'a.txt': 'alpha', 'dir/b b.txt': 'bravo', 'ключ.txt': 'unicode' });
    const sync = await cli(['sync', root, `s3://${bucket}/site`, '--no-progress', '--quiet']);
    expect(sync.code).toBe(0);
  });

  it('exits 0 with a summary line when both sides hold the same contents, and writes nothing', async () => {
    const before = [await snapshotDir(root), await snapshotBucket(bucket)];
    const result = await cli(['check', root, `s3://${bucket}/site`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Check: 3 equal \(3 by MD5\), 0 only in path1, 0 only in path2, 0 differ, 0 could not be compared; 17 B read, \d+ requests, in [\d.]+ m?s: identical\.\n$/);
    const json = await cli(['check', `s3://${bucket}/site`, root, '--json']);
    expect(json.code).toBe(0);
    const lines = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event: 'summary', identical: true, equal: { count: 3, bytes: 17 }, path1: `s3://${bucket}/site/`, path2: root });
    expect([await snapshotDir(root), await snapshotBucket(bucket)]).toEqual(before);
  });

  it('exits 1 and lists each difference, names escaped, with --json one line per difference and a summary', async () => {
    const dir = await tempDir('cli-check-diff');
    await writeTree(dir, { 'a.txt': 'alpha', 'dir/b b.txt': 'bravo', 'ключ.txt': 'unicode' });
    expect((await cli(['sync', dir, `s3://${bucket}/diff`, '--no-progress', '--quiet'])).code).toBe(0);
    await putObject(bucket, 'diff/evil\nDone: fake.txt', 'there');
    await writeFile(join(dir, 'a.txt'), 'ALPHA, longer');
    // Same size, new content, mtime put back: only reading the content finds it.
    const stats = await stat(join(dir, 'dir/b b.txt'));
    await writeFile(join(dir, 'dir/b b.txt'), 'BRAVO');
    await utimes(join(dir, 'dir/b b.txt'), stats.atimeMs / 1000, stats.mtimeMs / 1000);
    await writeFile(join(dir, 'local only.txt'), 'here');

    const before = [await snapshotDir(dir), await snapshotBucket(bucket)];
    const result = await cli(['check', dir, `s3://${bucket}/diff`]);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      'differs               13 B  a.txt  (size: 13 B in path1, 5 B in path2)',
      'differs                5 B  dir/b b.txt  (content: MD5 differs)',
      'only in path2          5 B  evil\\nDone: fake.txt',
      expect.stringMatching(/^only in path1 +4 B {2}local only\.txt$/),
      expect.stringMatching(/^Check: 1 equal \(1 by MD5\), 1 only in path1, 1 only in path2, 2 differ, 0 could not be compared; .*: the locations differ\.$/),
      '',
    ]);

    const json = await cli(['check', dir, `s3://${bucket}/diff`, '--json']);
    expect(json.code).toBe(1);
    const lines = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line.event, line.type, line.key, line.reason])).toEqual([
      ['difference', 'differs', 'a.txt', 'size-differs'],
      ['difference', 'differs', 'dir/b b.txt', 'content-differs'],
      ['difference', 'only-in-path2', 'evil\nDone: fake.txt', undefined],
      ['difference', 'only-in-path1', 'local only.txt', undefined],
      ['summary', undefined, undefined, undefined],
    ]);
    expect(lines[1]).toMatchObject({ evidence: 'md5' });
    expect(lines[4]).toMatchObject({ identical: false, equal: { count: 1 }, differ: { count: 2 }, onlyInPath1: { count: 1 }, onlyInPath2: { count: 1 } });
    expect([await snapshotDir(dir), await snapshotBucket(bucket)]).toEqual(before);

    // Filters apply to both sides: with the one-sided keys and the edited files excluded, equal.
    const filtered = await cli(['check', dir, `s3://${bucket}/diff`, '--exclude', '*.txt', '--include', 'ключ.txt']);
    expect(filtered.code).toBe(0);
    expect(filtered.stdout).toMatch(/^Check: 1 equal/);
  });

  it.each([
    [['check', './a'], /missing required argument 'path2'/],
    [['check', './a', 's3://b', '--delete'], /unknown option '--delete'/],
    [['check', './a', 's3://b', '--concurrency', '0'], /"0" is not a positive whole number/],
    [['check', '/tmp', '/var'], /path1 and path2 are both local directories/],
    [['check', 's3://', '/tmp'], /s3:\/\//],
  ])('exits 2 on a usage error: %j', async (argv, message) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^s3kit: /);
    expect(result.stdout).toBe('');
  });

  it('exits 2 when a bucket does not exist or a directory is missing', async () => {
    const missingBucket = await cli(['check', root, `s3://s3kit-no-such-bucket-${Date.now()}/x`]);
    expect(missingBucket.code).toBe(2);
    expect(missingBucket.stderr).toMatch(/\(path2\): the bucket .* does not exist/);
    const missingDir = await cli(['check', join(root, 'nope'), `s3://${bucket}/site`]);
    expect(missingDir.code).toBe(2);
    expect(missingDir.stderr).toMatch(/path1 directory .*nope does not exist/);
  });

  it('exits 130 when interrupted', async () => {
    const result = await cli(['check', root, `s3://${bucket}/site`], AbortSignal.abort(new Error('SIGINT')));
    expect(result.code).toBe(130);
  });

  it('--help names the exit codes of check', async () => {
    const help = await cli(['check', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: s3kit check \[options\] <path1> <path2>/);
    expect(help.stdout).toMatch(/1 {4}a difference/);
  });
});
