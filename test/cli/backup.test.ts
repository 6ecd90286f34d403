import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runMain, stubTestCredentials } from '../helpers/in-process.js';
import { cliEnv } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { createTestBucket, listObjects, testClient } from '../helpers/s3.js';

/* `s3kit backup`: a sync into a versioned bucket, run in this process through main(). */

async function cli(argv: readonly string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runMain(argv, { env: { ...cliEnv(), ...env } });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => stubTestCredentials());
afterAll(() => vi.unstubAllEnvs());

describe('s3kit backup', () => {
  it('refuses a bucket without versioning, saying how to turn it on, and uploads nothing', async () => {
    const bucket = await createTestBucket('backup-plain');
    const dir = await tempDir('backup-plain');
    await writeTree(dir, { 'a.txt': 'a' });
    const result = await cli(['backup', dir, `s3://${bucket}/docs`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`s3://${bucket} keeps no history (versioning was never turned on)`);
    expect(result.stderr).toContain(`s3kit bucket setup s3://${bucket} --versioning`);
    expect((await listObjects(bucket)).size).toBe(0);
  });

  it('refuses a local target', async () => {
    const dir = await tempDir('backup-local');
    const result = await cli(['backup', dir, join(dir, 'elsewhere')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the target must be s3:\/\/bucket\/prefix/);
  });

  it('syncs into a versioned bucket, prints the restore command for that moment, records it, and the command restores it', async () => {
    const bucket = await createTestBucket('backup-versioned');
    await testClient().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const dir = await tempDir('backup-src');
    const stateFile = join(await tempDir('backup-state'), 'state.json');
    await writeTree(dir, { 'a.txt': 'first a', 'b.txt': 'only b' });
    const first = await cli(['backup', dir, `s3://${bucket}/docs`, '--state-file', stateFile]);
    expect(first.code).toBe(0);
    const restoreLine = /^ {2}(s3kit restore s3:\/\/\S+ \.\/restored --at (\S+))$/m.exec(first.stdout);
    expect(restoreLine, first.stdout).not.toBeNull();
    const firstMoment = restoreLine![2]!;

    // The next backup overwrites a.txt and, with --delete, removes b.txt: both stay in the history.
    await sleep(60);
    await writeFile(join(dir, 'a.txt'), 'second a, longer');
    await rm(join(dir, 'b.txt'));
    const second = await cli(['backup', dir, `s3://${bucket}/docs`, '--delete', '--max-delete', '100%', '--state-file', stateFile, '--json']);
    expect(second.code).toBe(0);
    const last = JSON.parse(second.stdout.trim().split('\n').at(-1)!) as { type: string; restoreCommand: string; finishedAt: string };
    expect(last).toMatchObject({ type: 'backup', restoreCommand: `s3kit restore s3://${bucket}/docs ./restored --at ${last.finishedAt}` });
    expect([...(await listObjects(bucket)).keys()]).toEqual(['docs/a.txt']);

    const restored = await tempDir('backup-restored');
    const back = await cli(['restore', `s3://${bucket}/docs`, restored, '--at', firstMoment]);
    expect(back.code).toBe(0);
    expect(await readFile(join(restored, 'a.txt'), 'utf8')).toBe('first a');
    expect(await readFile(join(restored, 'b.txt'), 'utf8')).toBe('only b');

    const state = JSON.parse(await readFile(stateFile, 'utf8')) as { entries?: Record<string, unknown> } & Record<string, unknown>;
    expect(JSON.stringify(state)).toContain(firstMoment);
    expect(JSON.stringify(state)).toContain(last.finishedAt);
  });

  it('a dry run checks versioning and changes nothing, with no restore line', async () => {
    const bucket = await createTestBucket('backup-dry');
    await testClient().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const dir = await tempDir('backup-dry');
    await writeTree(dir, { 'a.txt': 'a' });
    const result = await cli(['backup', dir, `s3://${bucket}/docs`, '--dryrun']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('s3kit restore');
    expect((await listObjects(bucket)).size).toBe(0);
  });
});
