import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { cliEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { Capture, runMain, stubTestCredentials } from '../helpers/in-process.js';
import { createTestBucket, getObjectBytes, listObjects, putObject } from '../helpers/s3.js';

/*
 * `s3kit bisync` in this process: the lines, JSON events, exit codes and the `ask` prompt a user
 * sees (the rules themselves are tested through the library in test/integration/bisync.test.ts).
 */

beforeAll(() => stubTestCredentials());

async function pair(label: string): Promise<{ dir: string; bucket: string; state: string; argv: (...extra: string[]) => string[] }> {
  const dir = await tempDir(`bisync-cli-${label}`);
  const bucket = await createTestBucket(`bisync-cli-${label}`);
  const state = await tempDir(`bisync-cli-${label}-state`);
  return { dir, bucket, state, argv: (...extra) => ['bisync', dir, `s3://${bucket}/p`, '--state-dir', state, ...extra] };
}

describe('s3kit bisync', () => {
  it('asks for --resync first, then merges, propagates and reports a conflict kept both ways', async () => {
    const { dir, bucket, argv } = await pair('flow');
    await writeFile(join(dir, 'a.txt'), 'local a');
    await putObject(bucket, 'p/b.txt', 'remote b');

    const first = await runMain(argv());
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/no baseline .* yet: the first run must merge both sides with resync \(--resync\)/);

    const resync = await runMain(argv('--resync'));
    expect(resync.stderr).toBe('');
    expect(resync.code).toBe(0);
    expect(resync.stdout).toContain('copied path1 → path2  a.txt');
    expect(resync.stdout).toContain('copied path2 → path1  b.txt');
    expect(resync.stdout).toMatch(/^Bisync \(resync\): 1 \(7 B\) copied to path2, 1 \(8 B\) copied to path1, .* 0 conflict\(s\), 0 failed/m);

    await writeFile(join(dir, 'a.txt'), 'local a, edited here');
    await putObject(bucket, 'p/a.txt', 'remote a, edited there');
    const dry = await runMain(argv('--dryrun'));
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^\(dryrun\) conflict a\.txt: both kept/m);
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('local a, edited here');

    const run = await runMain(argv('--json'));
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; key?: string; choice?: string; conflictKey?: string });
    const conflict = events.find((event) => event.event === 'conflict');
    expect(conflict).toMatchObject({ key: 'a.txt', choice: 'keep-both', conflictKey: expect.stringMatching(/^a\.conflict-path2-\d{4}-\d{2}-\d{2}\.txt$/) });
    expect(events.at(-1)).toMatchObject({ event: 'summary', conflictCount: 1 });
    expect(await readFile(join(dir, conflict!.conflictKey!), 'utf8')).toBe('remote a, edited there');
    expect((await getObjectBytes(bucket, 'p/a.txt')).toString()).toBe('local a, edited here');
    expect([...(await listObjects(bucket, 'p/')).keys()].sort()).toEqual(['p/a.txt', `p/${conflict!.conflictKey}`, 'p/b.txt'].sort());
  });

  it('refuses --conflict ask off a terminal, and asks on one (1: path1 wins)', async () => {
    const { dir, bucket, state, argv } = await pair('ask');
    await writeFile(join(dir, 'x.txt'), 'one');
    expect((await runMain(argv('--resync'))).code).toBe(0);
    await writeFile(join(dir, 'x.txt'), 'path1 version');
    await putObject(bucket, 'p/x.txt', 'path2 version!');

    const off = await runMain(argv('--conflict', 'ask'));
    expect(off.code).toBe(2);
    expect(off.stderr).toContain('--conflict ask needs a terminal; choose a policy instead.');

    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const stdout = new Capture();
    const stderr = new Capture();
    const answered = main(['bisync', dir, `s3://${bucket}/p`, '--state-dir', state, '--conflict', 'ask'], { streams: { stdout, stderr }, env: cliEnv(), stdin });
    stdin.write('maybe\n1\n');
    expect(await answered).toBe(0);
    expect(stdout.text).toMatch(/Conflict: x\.txt \(changed-on-both\)\n {2}\(1\) path1: 13 B, modified \S+\n {2}\(2\) path2: 14 B/);
    expect(stdout.text).toContain('conflict x.txt: path1’s version kept on both sides');
    expect((await getObjectBytes(bucket, 'p/x.txt')).toString()).toBe('path1 version');
    expect(await readdir(dir)).toEqual(['x.txt']);
  });

  it('holds deletes past --max-delete (exit 3) and makes them with --force', async () => {
    const { dir, bucket, argv } = await pair('cap');
    for (const name of ['a', 'b', 'c', 'd']) await writeFile(join(dir, `${name}.txt`), name);
    expect((await runMain(argv('--resync'))).code).toBe(0);
    const { rm } = await import('node:fs/promises');
    for (const name of ['a', 'b', 'c']) await rm(join(dir, `${name}.txt`));
    const capped = await runMain(argv('--max-delete', '1'));
    expect(capped.code).toBe(3);
    expect([...(await listObjects(bucket, 'p/')).keys()].sort()).toEqual(['p/a.txt', 'p/b.txt', 'p/c.txt', 'p/d.txt']);
    const forced = await runMain(argv('--max-delete', '1', '--force'));
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('deleted in path2  a.txt');
    expect([...(await listObjects(bucket, 'p/')).keys()]).toEqual(['p/d.txt']);
  });

  it('--access-check refuses a side without the file (exit 2); --no-s3-lock runs past a held S3 lock; --s3-lock-lease is checked', async () => {
    const { dir, bucket, argv } = await pair('guards');
    await writeFile(join(dir, '.check'), '');
    await writeFile(join(dir, 'a.txt'), 'a');
    const refused = await runMain(argv('--resync', '--access-check', '.check'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`path2 (s3://${bucket}/p/) has no ".check", the access check file`);
    expect((await listObjects(bucket, 'p/')).size).toBe(0);
    await putObject(bucket, 'p/.check', '');
    // Another machine's run holds the S3 lock: refused, unless the S3 lock is turned off.
    await putObject(bucket, 'p/.s3kit-bisync.lock', JSON.stringify({ owner: 'o', host: 'another-host', pid: 1, startedAt: 'now', leaseSeconds: 300 }));
    const locked = await runMain(argv('--resync', '--access-check', '.check'));
    expect(locked.code).toBe(2);
    expect(locked.stderr).toContain('Another bisync holds the lock on this S3 side (run o of process 1 on another-host');
    const unlocked = await runMain(argv('--resync', '--access-check', '.check', '--no-s3-lock'));
    expect(unlocked.stderr).toBe('');
    expect(unlocked.code).toBe(0);
    expect((await getObjectBytes(bucket, 'p/a.txt')).toString()).toBe('a');
    const bad = await runMain(argv('--s3-lock-lease', '0'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--s3-lock-lease');
  });
});
