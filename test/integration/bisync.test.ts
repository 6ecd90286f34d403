import { rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { BisyncRefusedError, createBisyncer, type BisyncOptions, type BisyncSummary, type ConflictPolicy } from 's3kit';
import { connection, createTestBucket, putObject, testClient } from '../helpers/s3.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { CASES, caseKey, DAY, expected, localContents, remoteContents } from '../helpers/bisync-cases.js';

const NOW = new Date(`${DAY}T12:00:00Z`);

/** A local directory, a bucket prefix and a state directory for one pair. */
async function pair(label: string): Promise<{ local: string; bucket: string; remote: string; state: string }> {
  const bucket = await createTestBucket(`bisync-${label}`);
  return { local: await tempDir(`bisync-${label}`), bucket, remote: `s3://${bucket}/data/`, state: await tempDir(`bisync-state-${label}`) };
}

function options(path1: string, path2: string, state: string, extra: Partial<BisyncOptions> = {}): BisyncOptions {
  return { path1, path2, stateDirectory: state, ...connection(), now: () => NOW, ...extra };
}

function bisync(path1: string, path2: string, state: string, extra: Partial<BisyncOptions> = {}): Promise<BisyncSummary> {
  return createBisyncer(options(path1, path2, state, extra)).run();
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

describe('bisync local ⇄ S3: every pair of side changes', () => {
  it('propagates one-sided changes and deletes, keeps changed over deleted, keeps both versions of a conflict', async () => {
    const { local, bucket, remote, state } = await pair('table');
    const inBaseline = CASES.filter((c) => c.one !== 'new' && c.one !== 'absent');
    await writeTree(local, Object.fromEntries(inBaseline.map((c) => [caseKey(c), `original ${caseKey(c)}`])));
    const first = await bisync(local, remote, state, { resync: true });
    expect(first.failedCount).toBe(0);
    expect(first.copiedToPath2.count).toBe(inBaseline.length);
    expect(sorted(await remoteContents(bucket))).toEqual(sorted(await localContents(local)));

    for (const c of CASES) {
      const key = caseKey(c);
      const v1 = c.same === true ? `same ${key}` : `path1 edit of ${key}`;
      const v2 = c.same === true ? `same ${key}` : `path2 edit of ${key}!`;
      if (c.one === 'changed' || c.one === 'new') await writeFile(join(local, key), v1);
      if (c.one === 'deleted') await unlink(join(local, key));
      if (c.two === 'changed' || c.two === 'new') await putObject(bucket, `data/${key}`, v2);
      if (c.two === 'deleted') await testClient().send(new DeleteObjectCommand({ Bucket: bucket, Key: `data/${key}` }));
    }
    const conflicts: string[] = [];
    const bisyncer = createBisyncer(options(local, remote, state, { maxDelete: '100%' }));
    bisyncer.on('conflict', (event) => conflicts.push(`${event.conflict.key} ${event.choice} ${event.conflictKey ?? ''}`));
    const second = await bisyncer.run();
    expect(second.failures).toEqual([]);
    expect(second.deletesSkipped).toEqual([]);

    const want = sorted(Object.assign({}, ...CASES.map(expected)) as Record<string, string>);
    expect(sorted(await localContents(local))).toEqual(want);
    expect(sorted(await remoteContents(bucket))).toEqual(want);
    expect(conflicts.sort()).toEqual([
      `changed-changed.txt keep-both changed-changed.conflict-path2-${DAY}.txt`,
      `new-new.txt keep-both new-new.conflict-path2-${DAY}.txt`,
    ]);

    // A third run finds nothing to do: the baseline recorded every outcome.
    const third = await bisync(local, remote, state);
    expect(third.copiedToPath1.count + third.copiedToPath2.count + third.deletedInPath1.count + third.deletedInPath2.count + third.conflictCount).toBe(0);
    expect(third.unchanged).toBe(Object.keys(want).length);
  });
});

describe('bisync conflict policies', () => {
  /** A pair with `a.txt` in the baseline, then changed on both sides: path1 older and smaller. */
  async function conflicted(label: string): Promise<Awaited<ReturnType<typeof pair>>> {
    const p = await pair(label);
    await writeTree(p.local, { 'a.txt': 'base' });
    await bisync(p.local, p.remote, p.state, { resync: true });
    await writeFile(join(p.local, 'a.txt'), 'one');
    const { utimes } = await import('node:fs/promises');
    await utimes(join(p.local, 'a.txt'), new Date('2020-01-01'), new Date('2020-01-01'));
    await putObject(p.bucket, 'data/a.txt', 'path two');
    return p;
  }

  it.each<[ConflictPolicy, Record<string, string>]>([
    ['keep-both', { 'a.txt': 'one', [`a.conflict-path2-${DAY}.txt`]: 'path two' }],
    ['path1', { 'a.txt': 'one' }],
    ['path2', { 'a.txt': 'path two' }],
    ['newer', { 'a.txt': 'path two' }],
    ['older', { 'a.txt': 'one' }],
    ['larger', { 'a.txt': 'path two' }],
  ])('%s', async (policy, want) => {
    const { local, bucket, remote, state } = await conflicted(`policy-${policy}`);
    const summary = await bisync(local, remote, state, { conflict: policy });
    expect(summary.conflictCount).toBe(1);
    expect(summary.failures).toEqual([]);
    expect(await localContents(local)).toEqual(want);
    expect(await remoteContents(bucket)).toEqual(want);
  });

  it('resolveConflict decides each conflict; skip leaves both sides as they are', async () => {
    const { local, bucket, remote, state } = await conflicted('policy-callback');
    const seen: string[] = [];
    const summary = await bisync(local, remote, state, {
      resolveConflict: (conflict) => {
        seen.push(`${conflict.key} ${conflict.reason} ${conflict.path1.size} ${conflict.path2.size}`);
        return 'skip';
      },
    });
    expect(seen).toEqual(['a.txt changed-on-both 3 8']);
    expect(summary.conflicts).toEqual([{ key: 'a.txt', choice: 'skip' }]);
    expect(await localContents(local)).toEqual({ 'a.txt': 'one' });
    expect(await remoteContents(bucket)).toEqual({ 'a.txt': 'path two' });
    // Still a conflict next time.
    const again = await bisync(local, remote, state, { resolveConflict: () => 'path2' });
    expect(again.conflicts).toEqual([{ key: 'a.txt', choice: 'path2' }]);
    expect(await localContents(local)).toEqual({ 'a.txt': 'path two' });
  });

  it('never gives a conflict copy a name that is taken: a counter is added', async () => {
    const { local, bucket, remote, state } = await conflicted('policy-taken');
    await writeTree(local, { [`a.conflict-path2-${DAY}.txt`]: 'mine, not a conflict copy' });
    const summary = await bisync(local, remote, state);
    expect(summary.conflicts).toEqual([{ key: 'a.txt', choice: 'keep-both', conflictKey: `a.conflict-path2-${DAY}-2.txt` }]);
    const want = { 'a.txt': 'one', [`a.conflict-path2-${DAY}.txt`]: 'mine, not a conflict copy', [`a.conflict-path2-${DAY}-2.txt`]: 'path two' };
    expect(await localContents(local)).toEqual(want);
    expect(await remoteContents(bucket)).toEqual(want);
  });
});

describe('bisync guards', () => {
  it('refuses a first run without resync, and changed filters', async () => {
    const { local, remote, state } = await pair('guard-resync');
    await writeTree(local, { 'a.txt': 'a', 'b.log': 'b' });
    await expect(bisync(local, remote, state)).rejects.toMatchObject({ name: 'BisyncRefusedError', reason: 'needs-resync' });
    await bisync(local, remote, state, { resync: true });
    await expect(bisync(local, remote, state, { ignorePatterns: ['*.log'] })).rejects.toMatchObject({ reason: 'filters-changed' });
    const rebuilt = await bisync(local, remote, state, { ignorePatterns: ['*.log'], resync: true });
    expect(rebuilt.failedCount).toBe(0);
    await expect(bisync(local, remote, state, { ignorePatterns: ['*.log'] })).resolves.toMatchObject({ failedCount: 0 });
  });

  it('refuses when a side is empty but the baseline is not, unless forced', async () => {
    const { local, bucket, remote, state } = await pair('guard-empty');
    await writeTree(local, { 'a.txt': 'a', 'b.txt': 'b' });
    await bisync(local, remote, state, { resync: true });
    await rm(local, { recursive: true });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(local);
    const refused = bisync(local, remote, state);
    await expect(refused).rejects.toBeInstanceOf(BisyncRefusedError);
    await expect(refused).rejects.toMatchObject({ reason: 'empty-side' });
    expect(Object.keys(await remoteContents(bucket)).sort()).toEqual(['a.txt', 'b.txt']);
    const forced = await bisync(local, remote, state, { force: true });
    expect(forced.deletedInPath2.count).toBe(2);
    expect(await remoteContents(bucket)).toEqual({});
  });

  it('caps deletes per side (default 50 % of the baseline) and makes them once allowed', async () => {
    const { local, bucket, remote, state } = await pair('guard-cap');
    await writeTree(local, { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c', 'd.txt': 'd' });
    await bisync(local, remote, state, { resync: true });
    for (const name of ['a.txt', 'b.txt', 'c.txt']) await unlink(join(local, name));
    await writeTree(local, { 'e.txt': 'e' });
    const capped = await bisync(local, remote, state);
    expect(capped.deletesSkipped).toMatchObject([{ side: 'path2', reason: 'max-delete', count: 3 }]);
    // The copies of the run are made; the deletes are not.
    expect(Object.keys(await remoteContents(bucket)).sort()).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt']);
    const allowed = await bisync(local, remote, state, { maxDelete: 3 });
    expect(allowed.deletedInPath2.count).toBe(3);
    expect(Object.keys(await remoteContents(bucket)).sort()).toEqual(['d.txt', 'e.txt']);
  });

  it('lets one of two concurrent runs on a pair in; the other is refused before it changes anything', async () => {
    const { local, bucket, remote, state } = await pair('guard-lock');
    await writeTree(local, Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.txt`, `file ${i}`])));
    const results = await Promise.allSettled([bisync(local, remote, state, { resync: true }), bisync(local, remote, state, { resync: true })]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ reason: 'locked' });
    expect(Object.keys(await remoteContents(bucket))).toHaveLength(20);
    // The lock is released: the next run goes in.
    await expect(bisync(local, remote, state)).resolves.toMatchObject({ failedCount: 0 });
  });

  it('takes over a lock left by a process that is gone', async () => {
    const { local, remote, state } = await pair('guard-stale');
    await writeTree(local, { 'a.txt': 'a' });
    const bisyncer = createBisyncer(options(local, remote, state, { resync: true }));
    const { hostname } = await import('node:os');
    // pid 2^22 + 1 is above Linux's pid_max default: no such process.
    await writeFile(bisyncer.baselinePath.replace(/\.baseline$/, '.lock'), JSON.stringify({ pid: 4194305, host: hostname(), startedAt: '2020-01-01T00:00:00Z' }));
    await expect(bisyncer.run()).resolves.toMatchObject({ failedCount: 0 });
    await expect(stat(bisyncer.baselinePath.replace(/\.baseline$/, '.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('bisync S3 ⇄ S3', () => {
  it('propagates both ways and keeps both versions of a conflict', async () => {
    const bucket = await createTestBucket('bisync-s3s3');
    const state = await tempDir('bisync-state-s3s3');
    const [one, two] = [`s3://${bucket}/one/`, `s3://${bucket}/two/`];
    await putObject(bucket, 'one/a.txt', 'a');
    await putObject(bucket, 'two/b.txt', 'b');
    await putObject(bucket, 'one/c.txt', 'c from one');
    await putObject(bucket, 'two/c.txt', 'c from two!');
    const summary = await bisync(one, two, state, { resync: true });
    expect(summary.failures).toEqual([]);
    const want = { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c from one', [`c.conflict-path2-${DAY}.txt`]: 'c from two!' };
    expect(await remoteContents(bucket, 'one/')).toEqual(want);
    expect(await remoteContents(bucket, 'two/')).toEqual(want);
    await testClient().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'two/a.txt' }));
    await putObject(bucket, 'one/b.txt', 'b changed');
    const next = await bisync(one, two, state, { maxDelete: '100%' });
    expect(next.failures).toEqual([]);
    const after = { 'b.txt': 'b changed', 'c.txt': 'c from one', [`c.conflict-path2-${DAY}.txt`]: 'c from two!' };
    expect(await remoteContents(bucket, 'one/')).toEqual(after);
    expect(await remoteContents(bucket, 'two/')).toEqual(after);
  });
});
