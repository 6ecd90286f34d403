import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BisyncRefusedError, createBisyncer, type BisyncOptions, type BisyncSummary } from 's3kit';
import { acquireS3LeaseLock, S3_LOCK_NAME } from '../../src/syncer/s3-pair-lock.js';
import { connection, createTestBucket, getObjectBytes, headObject, listObjects, putObject, testClient } from '../helpers/s3.js';
import { tempDir, writeTree } from '../helpers/files.js';

/*
 * The guards of a bisync that reach past one machine: the lease lock on S3 sides, the
 * conditional overwrites and deletes it enables, and the access check.
 */

async function pair(label: string): Promise<{ local: string; bucket: string; remote: string; state: string }> {
  const bucket = await createTestBucket(`bisync-${label}`);
  return { local: await tempDir(`bisync-${label}`), bucket, remote: `s3://${bucket}/data/`, state: await tempDir(`bisync-state-${label}`) };
}

function options(path1: string, path2: string, state: string, extra: Partial<BisyncOptions> = {}): BisyncOptions {
  return { path1, path2, stateDirectory: state, ...connection(), ...extra };
}

function bisync(path1: string, path2: string, state: string, extra: Partial<BisyncOptions> = {}): Promise<BisyncSummary> {
  return createBisyncer(options(path1, path2, state, extra)).run();
}

async function exists(bucket: string, key: string): Promise<boolean> {
  return headObject(bucket, key).then(
    () => true,
    () => false,
  );
}

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * A pair with a conflict on `a.txt`, and a run started on it whose conflict resolution waits
 * until `waiting` opens: the run holds its locks meanwhile. `asked` opens once it waits.
 */
async function runHeldAtConflict(
  local: string,
  bucket: string,
  remote: string,
  state: string,
  extra: Partial<BisyncOptions>,
): Promise<{ run: Promise<BisyncSummary>; asked: ReturnType<typeof gate>; waiting: ReturnType<typeof gate> }> {
  await writeTree(local, { 'a.txt': 'a' });
  await bisync(local, remote, state, { resync: true });
  await writeFile(join(local, 'a.txt'), 'path1 edit');
  await putObject(bucket, 'data/a.txt', 'path2 edit!');
  const waiting = gate();
  const asked = gate();
  const resolveConflict = async (): Promise<'keep-both'> => {
    asked.open();
    await waiting.opened;
    return 'keep-both';
  };
  return { run: createBisyncer(options(local, remote, state, { ...extra, resolveConflict })).run(), asked, waiting };
}

describe('the S3 lease lock', () => {
  it('is held while a run lasts, is not content on either side, and is removed after', async () => {
    const { local, bucket, remote, state } = await pair('lock-held');
    await writeTree(local, { 'a.txt': 'a', [S3_LOCK_NAME]: 'a local file named like the lock' });
    const syncer = createBisyncer(options(local, remote, state, { resync: true }));
    let heldDuringRun = false;
    syncer.on('transferEnd', () => {
      if (!heldDuringRun) void exists(bucket, `data/${S3_LOCK_NAME}`).then((held) => (heldDuringRun ||= held));
    });
    const summary = await syncer.run();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(summary.failedCount).toBe(0);
    expect(heldDuringRun).toBe(true);
    // The local file named like the lock is neither copied over the lock nor deleted.
    expect(await readFile(join(local, S3_LOCK_NAME), 'utf8')).toBe('a local file named like the lock');
    expect([...(await listObjects(bucket, 'data/')).keys()]).toEqual(['data/a.txt']);
  });

  it('excludes a second run on another machine (another state directory) while the first holds it', async () => {
    const { local, bucket, remote, state } = await pair('lock-two');
    const { run: first, asked, waiting } = await runHeldAtConflict(local, bucket, remote, state, {});
    await asked.opened;
    const otherMachine = await tempDir('bisync-state-other');
    const otherLocal = await tempDir('bisync-other-local');
    const refused = await bisync(otherLocal, remote, otherMachine, { resync: true }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BisyncRefusedError);
    expect((refused as BisyncRefusedError).reason).toBe('locked');
    expect((refused as Error).message).toContain(S3_LOCK_NAME);
    waiting.open();
    const summary = await first;
    expect(summary.conflictCount).toBe(1);
    // Once released, the other machine's run goes ahead.
    const after = await bisync(otherLocal, remote, otherMachine, { resync: true });
    expect(after.failedCount).toBe(0);
    expect(await readFile(join(otherLocal, 'a.txt'), 'utf8')).toBe('path1 edit');
  });

  it('a lock whose holder stopped renewing is taken over once its lease ran out', async () => {
    const { local, bucket, remote, state } = await pair('lock-stale');
    await writeTree(local, { 'a.txt': 'a' });
    const stale = JSON.stringify({ owner: 'crashed', host: 'elsewhere', pid: 1, startedAt: new Date().toISOString(), leaseSeconds: 1 });
    await putObject(bucket, `data/${S3_LOCK_NAME}`, stale);
    const early = await bisync(local, remote, state, { resync: true, s3LockLeaseSeconds: 1 }).catch((error: unknown) => error);
    expect((early as BisyncRefusedError).reason).toBe('locked');
    expect((early as Error).message).toContain('process 1 on elsewhere');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const summary = await bisync(local, remote, state, { resync: true, s3LockLeaseSeconds: 1 });
    expect(summary.failedCount).toBe(0);
    expect((await getObjectBytes(bucket, 'data/a.txt')).toString()).toBe('a');
    expect(await exists(bucket, `data/${S3_LOCK_NAME}`)).toBe(false);
  });

  it('a run whose lock was taken over stops with lock-lost, keeping what it did', async () => {
    const { local, bucket, remote, state } = await pair('lock-lost');
    const { run, asked, waiting } = await runHeldAtConflict(local, bucket, remote, state, { s3LockLeaseSeconds: 1 });
    const outcome = run.catch((error: unknown) => error);
    await asked.opened;
    // Another run takes the lock over (as after a missed renewal): the next renewal is refused.
    await putObject(bucket, `data/${S3_LOCK_NAME}`, JSON.stringify({ owner: 'thief', host: 'elsewhere', pid: 2, startedAt: new Date().toISOString(), leaseSeconds: 300 }));
    const error = await Promise.race([outcome, new Promise((resolve) => setTimeout(() => resolve('still running'), 5000))]);
    waiting.open();
    expect(error).toBeInstanceOf(BisyncRefusedError);
    expect((error as BisyncRefusedError).reason).toBe('lock-lost');
    // The thief's lock is not removed by the run that lost it.
    expect((await getObjectBytes(bucket, `data/${S3_LOCK_NAME}`)).toString()).toContain('thief');
    // Both versions are still there.
    expect(await readFile(join(local, 'a.txt'), 'utf8')).toBe('path1 edit');
    expect((await getObjectBytes(bucket, 'data/a.txt')).toString()).toBe('path2 edit!');
  });

  it('finds out what radosgw honours: If-None-Match, and If-Match with a bare ETag', async () => {
    const bucket = await createTestBucket('lock-probe');
    const warnings: string[] = [];
    const held = await acquireS3LeaseLock(
      { client: testClient(), location: { kind: 's3', bucket, prefix: 'p/' }, leaseMs: 60_000, onLost: () => {}, onWarning: (message) => warnings.push(message) },
      new AbortController().signal,
    );
    expect(held.writes.ifNoneMatch).toBe(true);
    expect(held.writes.ifMatch?.('abc')).toBe('abc');
    expect(warnings).toEqual([]);
    expect(await exists(bucket, `p/${S3_LOCK_NAME}`)).toBe(true);
    await held.release();
    expect(await exists(bucket, `p/${S3_LOCK_NAME}`)).toBe(false);
  });

  it('s3Lock: false takes no S3 lock', async () => {
    const { local, bucket, remote, state } = await pair('lock-off');
    await writeTree(local, { 'a.txt': 'a' });
    await putObject(bucket, `data/${S3_LOCK_NAME}`, JSON.stringify({ owner: 'x', host: 'h', pid: 3, startedAt: new Date().toISOString(), leaseSeconds: 300 }));
    const summary = await bisync(local, remote, state, { resync: true, s3Lock: false });
    expect(summary.failedCount).toBe(0);
    expect((await getObjectBytes(bucket, 'data/a.txt')).toString()).toBe('a');
  });
});

describe('conditional overwrites and deletes', () => {
  it('an object changed after the listing is not overwritten; the next run keeps both versions', async () => {
    const { local, bucket, remote, state } = await pair('cond-overwrite');
    const files = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${String(i).padStart(2, '0')}.bin`, Buffer.alloc(8192, i)]));
    await writeTree(local, files);
    await bisync(local, remote, state, { resync: true });
    // path1 changes every file; while the (slowed) copies run, someone rewrites the last object.
    for (const name of Object.keys(files)) await writeFile(join(local, name), Buffer.alloc(8192, 200));
    const syncer = createBisyncer(options(local, remote, state, { concurrency: 1, bandwidthLimit: 32 * 1024 }));
    let rewritten: Promise<void> | undefined;
    syncer.on('planComplete', () => {
      rewritten = putObject(bucket, 'data/f11.bin', 'someone else');
    });
    const summary = await syncer.run();
    await rewritten;
    expect(summary.failures.map((f) => f.key)).toEqual(['f11.bin']);
    expect(summary.failures[0]?.message).toContain('changed in path2');
    expect((await getObjectBytes(bucket, 'data/f11.bin')).toString()).toBe('someone else');
    expect((await getObjectBytes(bucket, 'data/f10.bin')).equals(Buffer.alloc(8192, 200))).toBe(true);
    // Next run: changed on both sides, a conflict: both versions kept.
    const next = await bisync(local, remote, state, { now: () => new Date('2026-11-22T12:00:00Z') });
    expect(next.conflictCount).toBe(1);
    const keys = [...(await listObjects(bucket, 'data/')).keys()];
    expect(keys).toContain('data/f11.conflict-path2-2026-11-22.bin');
    expect((await getObjectBytes(bucket, 'data/f11.conflict-path2-2026-11-22.bin')).toString()).toBe('someone else');
    expect((await getObjectBytes(bucket, 'data/f11.bin')).equals(Buffer.alloc(8192, 200))).toBe(true);
  });

  it('an object changed after the listing is not deleted; the next run copies it back', async () => {
    const { local, bucket, remote, state } = await pair('cond-delete');
    const names = Array.from({ length: 12 }, (_, i) => `f${String(i).padStart(2, '0')}.bin`);
    await writeTree(local, Object.fromEntries([...names, 'keep.txt'].map((name) => [name, Buffer.alloc(4096, 1)])));
    await bisync(local, remote, state, { resync: true });
    // path1 deletes the 12 files, and edits keep.txt (a slowed upload) so the deletes wait.
    for (const name of names) await unlink(join(local, name));
    await writeFile(join(local, 'keep.txt'), Buffer.alloc(64 * 1024, 2));
    const syncer = createBisyncer(options(local, remote, state, { bandwidthLimit: 32 * 1024, force: true }));
    let rewritten: Promise<void> | undefined;
    syncer.on('planComplete', () => {
      rewritten = putObject(bucket, 'data/f05.bin', 'someone else');
    });
    const summary = await syncer.run();
    await rewritten;
    expect(summary.failures.map((f) => f.key)).toEqual(['f05.bin']);
    expect((await getObjectBytes(bucket, 'data/f05.bin')).toString()).toBe('someone else');
    expect([...(await listObjects(bucket, 'data/')).keys()].sort()).toEqual(['data/f05.bin', 'data/keep.txt']);
    const next = await bisync(local, remote, state);
    expect(next.failedCount).toBe(0);
    expect(await readFile(join(local, 'f05.bin'), 'utf8')).toBe('someone else');
  });

  it('a new key that appears on the target during the run is not overwritten (If-None-Match)', async () => {
    const { local, bucket, remote, state } = await pair('cond-create');
    await writeTree(local, { 'a.txt': 'a' });
    await bisync(local, remote, state, { resync: true });
    const names = Array.from({ length: 10 }, (_, i) => `n${i}.bin`);
    await writeTree(local, Object.fromEntries(names.map((name) => [name, Buffer.alloc(8192, 7)])));
    const syncer = createBisyncer(options(local, remote, state, { concurrency: 1, bandwidthLimit: 32 * 1024 }));
    let created: Promise<void> | undefined;
    syncer.on('planComplete', () => {
      created = putObject(bucket, 'data/n9.bin', 'created elsewhere');
    });
    const summary = await syncer.run();
    await created;
    expect(summary.failures.map((f) => f.key)).toEqual(['n9.bin']);
    expect((await getObjectBytes(bucket, 'data/n9.bin')).toString()).toBe('created elsewhere');
    const next = await bisync(local, remote, state, { now: () => new Date('2026-11-22T12:00:00Z') });
    expect(next.conflictCount).toBe(1);
    expect((await getObjectBytes(bucket, 'data/n9.conflict-path2-2026-11-22.bin')).toString()).toBe('created elsewhere');
  });
});

describe('the access check', () => {
  it('refuses the run, changing nothing, when the check file is missing on a side', async () => {
    const { local, bucket, remote, state } = await pair('access');
    await writeTree(local, { 'a.txt': 'a', '.s3kit-access-check': '' });
    const refused = await bisync(local, remote, state, { resync: true, accessCheck: '.s3kit-access-check' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BisyncRefusedError);
    expect((refused as BisyncRefusedError).reason).toBe('access-check');
    expect((refused as Error).message).toContain(`path2 (s3://${bucket}/data/)`);
    expect((await listObjects(bucket, 'data/')).size).toBe(0);
    await putObject(bucket, 'data/.s3kit-access-check', '');
    const summary = await bisync(local, remote, state, { resync: true, accessCheck: '.s3kit-access-check' });
    expect(summary.failedCount).toBe(0);
    expect((await getObjectBytes(bucket, 'data/a.txt')).toString()).toBe('a');
    // A side that loses the file (an unmounted disk shows an empty directory) is refused again.
    await unlink(join(local, '.s3kit-access-check'));
    const again = await bisync(local, remote, state, { accessCheck: '.s3kit-access-check' }).catch((error: unknown) => error);
    expect((again as BisyncRefusedError).reason).toBe('access-check');
    expect((again as Error).message).toContain('path1');
    expect(await stat(join(local, 'a.txt')).then(() => true)).toBe(true);
  });

  it('names the option for a key that is not a plain relative key', () => {
    for (const bad of ['/abs', '../up', 'dir/', '']) {
      expect(() => createBisyncer(options('/tmp', 's3://b/p/', '/tmp/state', { accessCheck: bad }))).toThrow(/accessCheck/);
    }
    expect(() => createBisyncer(options('/tmp', 's3://b/p/', '/tmp/state', { s3LockLeaseSeconds: 0 }))).toThrow(/s3LockLeaseSeconds/);
  });
});
