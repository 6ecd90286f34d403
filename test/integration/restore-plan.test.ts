import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DeleteObjectCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { createS3Client, PlanMismatchError, type S3Location } from 's3kit';
import { listVersions, planRestore, restoreInBucket, restoreToLocal, type RestoreAction } from 's3kit/versions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/files.js';
import { runMain, stubTestCredentials } from '../helpers/in-process.js';
import { connection, createTestBucket, getObjectBytes, putObject, testClient } from '../helpers/s3.js';

/*
 * Restore plans: `planRestore` / `s3kit restore … --plan --json` save what a restore will do, and
 * a restore given that plan (`expectedPlan`, `s3kit apply`) runs only while a fresh plan equals
 * it. Each test writes a small history in its own versioned bucket: moment T, then changes.
 */

const client = () => createS3Client({ ...connection(), forcePathStyle: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let bucket: string;
let location: S3Location;
let at: Date;

beforeAll(() => stubTestCredentials());

beforeEach(async () => {
  bucket = await createTestBucket('restore-plan');
  await testClient().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  location = { kind: 's3', bucket, prefix: 'p/' };
  await putObject(bucket, 'p/a.txt', 'A1');
  await putObject(bucket, 'p/b.txt', 'B1');
  await putObject(bucket, 'p/same.txt', 'S1');
  await sleep(60);
  at = new Date();
  await sleep(60);
  await putObject(bucket, 'p/a.txt', 'A2 changed');
  await testClient().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'p/b.txt' }));
  await putObject(bucket, 'p/c.txt', 'C2 new');
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function* replay<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/** Every version and delete marker under the prefix: what must not change when a plan is refused. */
async function history(): Promise<string[]> {
  return (await collect(listVersions(client(), location))).map((v) => `${v.key} ${v.versionId} ${v.deleteMarker ? 'marker' : v.etag} ${v.isLatest}`);
}

/** Every file below a directory with its bytes and mtime. */
async function tree(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of await readdir(dir, { recursive: true })) {
    const path = join(dir, name);
    const stats = await stat(path);
    if (stats.isFile()) files[relative(dir, path)] = `${(await readFile(path)).toString('hex')} ${stats.mtimeMs}`;
  }
  return files;
}

describe('a restore plan in place', () => {
  it('lists each action with what it replaces, and leaves out keys already in their state', async () => {
    const actions = await collect(planRestore({ client: client(), source: location, target: location, at }));
    expect(actions.map((action) => `${action.type} ${action.key}`)).toEqual(['restore a.txt', 'restore b.txt', 'delete c.txt']);
    const [a, b, c] = actions as [Extract<RestoreAction, { type: 'restore' }>, Extract<RestoreAction, { type: 'restore' }>, Extract<RestoreAction, { type: 'delete' }>];
    expect(a.version.size).toBe(2);
    expect(a.replaces).toMatchObject({ size: 10 });
    expect(b.replaces).toMatchObject({ deleteMarker: true });
    expect(c.replaces).toMatchObject({ size: 6 });
    expect(await history()).toHaveLength(6); // planning changed nothing
  });

  it('runs a plan that still holds, byte for byte', async () => {
    const plan = await collect(planRestore({ client: client(), source: location, target: location, at }));
    const summary = await restoreInBucket({ client: client(), location, at, expectedPlan: replay(plan) });
    expect(summary).toMatchObject({ restored: 2, deleted: 1, unchanged: 1, failed: 0 });
    expect((await getObjectBytes(bucket, 'p/a.txt')).toString()).toBe('A1');
    expect((await getObjectBytes(bucket, 'p/b.txt')).toString()).toBe('B1');
    await expect(getObjectBytes(bucket, 'p/c.txt')).rejects.toThrow();
  });

  it.each([
    ['a key it restores was overwritten since', () => putObject(bucket, 'p/a.txt', 'A3 later'), 'a.txt'],
    ['a key it restores was deleted since', () => testClient().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'p/a.txt' })), 'a.txt'],
    ['a key it leaves alone was overwritten since', () => putObject(bucket, 'p/same.txt', 'S2'), 'same.txt'],
    ['a key appeared since', () => putObject(bucket, 'p/d.txt', 'D'), 'd.txt'],
    ['a key it deletes is already deleted', () => testClient().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'p/c.txt' })), 'c.txt'],
  ])('is refused whole, changing nothing, when %s', async (_what, change, key) => {
    const plan = await collect(planRestore({ client: client(), source: location, target: location, at }));
    await change();
    const before = await history();
    const refused = restoreInBucket({ client: client(), location, at, expectedPlan: replay(plan) });
    await expect(refused).rejects.toBeInstanceOf(PlanMismatchError);
    await expect(refused).rejects.toMatchObject({ key });
    expect(await history()).toEqual(before);
  });
});

describe('a restore plan to a local directory', () => {
  it('runs a plan that still holds, and refuses one whose local file changed since, changing nothing', async () => {
    const target = await tempDir('restore-plan-local');
    await writeFile(join(target, 'a.txt'), 'local edit');
    await writeFile(join(target, 'extra.txt'), 'not in the bucket then');
    const plan = await collect(planRestore({ client: client(), source: location, target, at, delete: true }));
    expect(plan.map((action) => `${action.type} ${action.key} ${JSON.stringify(action.replaces === null ? null : action.replaces.size)}`)).toEqual([
      'restore a.txt 10',
      'restore b.txt null',
      'delete extra.txt 22',
      'restore same.txt null',
    ]);

    // The file the plan replaces is rewritten with the same size and another mtime: refused.
    await writeFile(join(target, 'a.txt'), 'LOCAL EDIT');
    await utimes(join(target, 'a.txt'), new Date(), new Date(Date.now() - 3_600_000));
    const before = await tree(target);
    const refused = restoreToLocal({ client: client(), source: location, target, at, delete: true, expectedPlan: replay(plan) });
    await expect(refused).rejects.toMatchObject({ name: 'PlanMismatchError', key: 'a.txt' });
    expect(await tree(target)).toEqual(before);

    const again = await collect(planRestore({ client: client(), source: location, target, at, delete: true }));
    const summary = await restoreToLocal({ client: client(), source: location, target, at, delete: true, expectedPlan: replay(again) });
    expect(summary).toMatchObject({ restored: 3, deleted: 1, failed: 0 });
    expect(Object.keys(await tree(target)).sort()).toEqual(['a.txt', 'b.txt', 'same.txt']);
    expect(await readFile(join(target, 'a.txt'), 'utf8')).toBe('A1');
  });
});

describe('s3kit restore --plan and s3kit apply', () => {
  async function savePlan(target: string, extra: string[] = []): Promise<string> {
    const planned = await runMain(['restore', `s3://${bucket}/p`, target, '--at', at.toISOString(), '--plan', '--json', ...extra]);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const file = join(await tempDir('restore-plan-file'), 'plan.ndjson');
    await writeFile(file, planned.stdout);
    return file;
  }

  it('prints a readable plan, changing nothing', async () => {
    const before = await history();
    const shown = await runMain(['restore', `s3://${bucket}/p`, `s3://${bucket}/p`, '--at', at.toISOString(), '--plan']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^restore +2 B {2}a\.txt {2}\(version \S+ of \S+; replaces version \S+\)$/m);
    expect(shown.stdout).toMatch(/^restore +2 B {2}b\.txt .*deleted now\)$/m);
    expect(shown.stdout).toMatch(/^delete +c\.txt \(a delete marker\)$/m);
    expect(shown.stdout).toContain('Restore plan to ');
    expect(shown.stdout).toContain('2 to restore (4 B), 1 to delete (delete markers). Nothing was changed.');
    expect(await history()).toEqual(before);
  });

  it('applies a saved plan in place (a dry run first changes nothing)', async () => {
    const file = await savePlan(`s3://${bucket}/p`);
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(lines.map((line) => line.type)).toEqual(['restore-plan', 'action', 'action', 'action', 'summary']);
    expect(await readFile(file, 'utf8')).not.toMatch(/secret|testsecret/i);

    const before = await history();
    const dry = await runMain(['apply', file, '--dryrun']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('(dryrun) restore: a.txt');
    expect(await history()).toEqual(before);

    const applied = await runMain(['apply', file]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/2 restored .* 1 deleted \(delete markers\), 0 failed/);
    expect((await getObjectBytes(bucket, 'p/a.txt')).toString()).toBe('A1');
    expect((await getObjectBytes(bucket, 'p/b.txt')).toString()).toBe('B1');
  });

  it('refuses to apply a plan against another endpoint than the one it was made against', async () => {
    const file = await savePlan(`s3://${bucket}/p`);
    const elsewhere = await runMain(['apply', file, '--endpoint-url', 'http://127.0.0.1:9']);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/the plan was made against http:\/\/127\.0\.0\.1:\d+, but this apply would run against http:\/\/127\.0\.0\.1:9/);
  });

  it('refuses a stale plan with exit 2, naming the key, and changes nothing', async () => {
    const file = await savePlan(`s3://${bucket}/p`);
    await putObject(bucket, 'p/a.txt', 'A3 after the plan');
    const before = await history();
    const refused = await runMain(['apply', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('The plan is out of date at "a.txt"');
    expect(await history()).toEqual(before);
  });

  it('refuses a plan edited by hand: another version to restore, or a line that is no action', async () => {
    const file = await savePlan(`s3://${bucket}/p`);
    const text = await readFile(file, 'utf8');
    const lines = text.split('\n');
    const b = JSON.parse(lines[2]!) as { action: { key: string; version: { versionId: string } } };
    expect(b.action.key).toBe('b.txt');
    b.action.version.versionId = 'not-the-version';
    await writeFile(file, [lines[0], lines[1], JSON.stringify(b), ...lines.slice(3)].join('\n'));
    const before = await history();
    const edited = await runMain(['apply', file]);
    expect(edited.code).toBe(2);
    expect(edited.stderr).toMatch(/out of date at "b\.txt": the plan restores version not-the-version/);

    await writeFile(file, [lines[0], '{"type":"action","action":{"type":"restore","key":"a.txt"}}', ...lines.slice(2)].join('\n'));
    const malformed = await runMain(['apply', file]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/restore plan line 2: "action\.version" is invalid/);
    expect(await history()).toEqual(before);
  });

  it('applies a saved plan to a local directory, --delete included', async () => {
    const target = await tempDir('restore-plan-cli-local');
    await writeFile(join(target, 'extra.txt'), 'x');
    const file = await savePlan(target, ['--delete']);
    const applied = await runMain(['apply', file, '--json']);
    expect(applied.code).toBe(0);
    const events = applied.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; key?: string });
    const done = events.filter((event) => event.event !== 'summary').map((event) => `${event.event} ${event.key}`);
    // Restores run a few at a time; the delete comes after every one of them succeeded.
    expect(done.slice(0, 3).sort()).toEqual(['restore a.txt', 'restore b.txt', 'restore same.txt']);
    expect(done.slice(3)).toEqual(['delete extra.txt']);
    expect(Object.keys(await tree(target)).sort()).toEqual(['a.txt', 'b.txt', 'same.txt']);
    expect(await readFile(join(target, 'b.txt'), 'utf8')).toBe('B1');
  });
});
