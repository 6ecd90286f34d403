import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runMain, stubTestCredentials } from '../helpers/in-process.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { createTestBucket, getObjectBytes, listObjects, putObject, testClient } from '../helpers/s3.js';

/* `s3kit versions list` and `s3kit restore`, run in this process through main() (as test/cli/in-process.test.ts). */

async function cli(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runMain(argv);
}

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let bucket: string;
let plain: string;
/** Between the first write of a.txt and the second (with b.txt). */
let then: string;

beforeAll(async () => {
  stubTestCredentials();
  bucket = await createTestBucket('cli-versions');
  plain = await createTestBucket('cli-unversioned');
  await testClient().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  for (const prefix of ['p/', 'q/']) await putObject(bucket, `${prefix}a b.txt`, 'one');
  await sleep(60);
  then = new Date().toISOString().replace(/\.\d+Z$/, (ms) => `${ms.slice(0, -1)}+00:00`);
  await sleep(60);
  for (const prefix of ['p/', 'q/']) {
    await putObject(bucket, `${prefix}a b.txt`, 'two!');
    await putObject(bucket, `${prefix}b.txt`, 'b');
  }
  await putObject(plain, 'x/k', 'k');
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe('s3kit versions list', () => {
  it('prints every version, newest first, as text or JSON, and one key with --key', async () => {
    const text = await cli(['versions', 'list', `s3://${bucket}/p`]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT.*Z\s+4 B\s+latest\s+\S+\s+a b\.txt$/);
    expect(lines[1]).toMatch(/3 B\s+\S+\s+a b\.txt$/);
    const json = jsonLines((await cli(['versions', 'list', `s3://${bucket}/p/`, '--key', 'b.txt', '--json'])).stdout);
    expect(json).toEqual([expect.objectContaining({ key: 'b.txt', size: 1, isLatest: true, deleteMarker: false })]);
    expect((await cli(['versions', 'list', `s3://${bucket}/nothing`])).stdout).toMatch(/^No versions under s3:\/\/.*\/nothing\/\.\n$/);
  });

  it('refuses a local path (exit 2)', async () => {
    const result = await cli(['versions', 'list', './here']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/<s3-url> "\.\/here" must be an s3:\/\/bucket/);
  });
});

describe('s3kit restore', () => {
  it('downloads the state at --at, and with --delete removes what did not exist then', async () => {
    const dir = await tempDir('cli-restore');
    await writeTree(dir, { 'b.txt': 'b', 'extra.txt': 'mine' });
    const result = await cli(['restore', `s3://${bucket}/p`, dir, '--at', then]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^restore: a b\.txt \(3 B, version \S+ of .*Z\)\n/);
    expect(result.stdout).toMatch(/Restore to .*: 1 restored \(3 B\), 0 unchanged, 0 deleted, 0 failed/);
    expect(await readFile(join(dir, 'a b.txt'), 'utf8')).toBe('one');
    expect((await readdir(dir)).sort()).toEqual(['a b.txt', 'b.txt', 'extra.txt']);

    const dry = await cli(['restore', `s3://${bucket}/p`, dir, '--at', then, '--delete', '--dryrun', '--json']);
    expect(dry.code).toBe(0);
    expect(jsonLines(dry.stdout).map((line) => [line.event, line.key])).toEqual([
      ['delete', 'b.txt'],
      ['delete', 'extra.txt'],
      ['summary', undefined],
    ]);
    expect((await readdir(dir)).sort()).toEqual(['a b.txt', 'b.txt', 'extra.txt']);

    const deleted = await cli(['restore', `s3://${bucket}/p`, dir, '--at', then, '--delete']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('delete: extra.txt\n');
    expect(await readdir(dir)).toEqual(['a b.txt']);
  });

  it.each([
    [['--at', 'yesterday'], /option '--at <time>' argument 'yesterday' is invalid\. It is not a point in time: it is not ISO 8601/],
    [['--at', '2026-11-01T00:00'], /It is not a point in time: it has no zone/],
    [['--at', '2026-02-30T00:00Z'], /no such date or time/],
    [[], /required option '--at <time>' not specified/],
  ])('refuses --at %j with exit 2', async (flags, message) => {
    const dir = await tempDir('cli-restore');
    const result = await cli(['restore', `s3://${bucket}/p`, dir, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses an S3 target other than the source, --delete in place, and a local source (exit 2)', async () => {
    const at = ['--at', '2026-01-01T00:00Z'];
    const other = await cli(['restore', `s3://${bucket}/p`, `s3://${bucket}/q`, ...at]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/<target> s3:\/\/.*\/q\/ is not the source s3:\/\/.*\/p\/: a restore to S3 puts old versions back in place/);
    expect((await cli(['restore', `s3://${bucket}/p`, `s3://${plain}/p`, ...at])).code).toBe(2);
    const withDelete = await cli(['restore', `s3://${bucket}/p`, `s3://${bucket}/p/`, ...at, '--delete']);
    expect(withDelete.code).toBe(2);
    expect(withDelete.stderr).toMatch(/--delete applies to a local target/);
    const local = await cli(['restore', './here', `s3://${bucket}/p`, ...at]);
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/<source> "\.\/here" must be an s3:\/\/bucket/);
  });

  it('refuses to restore in place in a bucket without versioning, saying how to enable it (exit 2)', async () => {
    const result = await cli(['restore', `s3://${plain}/x`, `s3://${plain}/x`, '--at', '2026-01-01T00:00Z']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/does not have versioning enabled \(it is off\).*aws s3api put-bucket-versioning --bucket s3kit-cli-unversioned-\w+ --versioning-configuration Status=Enabled/);
    expect((await getObjectBytes(plain, 'x/k')).toString()).toBe('k');
  });

  it('restores in place: --dryrun shows and changes nothing, then the old version is current again', async () => {
    const dry = await cli(['restore', `s3://${bucket}/q`, `s3://${bucket}/q`, '--at', then, '--dryrun']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^\(dryrun\) restore: a b\.txt \(3 B, version \S+ of .*\)\n\(dryrun\) delete: b\.txt\n/);
    expect(dry.stdout).toMatch(/1 would be restored .* 1 would be deleted \(delete markers\), 0 failed.*\(dry run: nothing was changed\)/);
    expect([...(await listObjects(bucket, 'q/')).keys()]).toEqual(['q/a b.txt', 'q/b.txt']);
    expect((await getObjectBytes(bucket, 'q/a b.txt')).toString()).toBe('two!');

    const done = await cli(['restore', `s3://${bucket}/q`, `s3://${bucket}/q`, '--at', then, '--json']);
    expect(done.code).toBe(0);
    const summary = jsonLines(done.stdout).at(-1);
    expect(summary).toMatchObject({ event: 'summary', restored: 1, deleted: 1, failed: 0, dryRun: false });
    expect([...(await listObjects(bucket, 'q/')).keys()]).toEqual(['q/a b.txt']);
    expect((await getObjectBytes(bucket, 'q/a b.txt')).toString()).toBe('one');
  });
});
