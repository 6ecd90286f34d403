import { createHash } from 'node:crypto';
import { renameSync, symlinkSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSyncer, type SyncSummary } from 's3kit';
import { s3kit, cliEnv } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { createTestBucket, putObject, syncOptions } from '../helpers/s3.js';

/**
 * Everything under `root` as `path → what it is`: file contents hashed, links by target,
 * directories by name. Compared before and after a run, it shows any write, delete or mkdir.
 */
async function snapshot(root: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const relative = path.slice(root.length + 1);
    if (entry.isSymbolicLink()) result[relative] = `link → ${await readlink(path)}`;
    else if (entry.isDirectory()) result[relative] = 'dir';
    else result[relative] = createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return result;
}

interface Outcome {
  readonly summary: SyncSummary;
  /** `key code` of every failure, sorted. */
  readonly failures: string[];
}

async function sync(source: string, target: string, extra: Parameters<typeof syncOptions>[2] = {}): Promise<Outcome> {
  const syncer = createSyncer(syncOptions(source, target, { retries: 0, ...extra }));
  const failures: string[] = [];
  syncer.on('failed', ({ key, error }) => failures.push(`${key} ${(error as { code?: string }).code}`));
  const summary = await syncer.run();
  return { summary, failures: failures.sort() };
}

/** A sandbox: `outside/` (what must never change) beside `dest/` (the destination). */
async function sandbox(label: string): Promise<{ outside: string; dest: string }> {
  const parent = await tempDir(label);
  const outside = join(parent, 'outside');
  const dest = join(parent, 'dest');
  await writeTree(outside, { 'secret.txt': 'the only copy', 'victim.txt': 'do not overwrite', 'sub/kept.txt': 'deep' });
  await mkdir(dest);
  return { outside, dest };
}

describe('downloads never write or delete through a symbolic link in the destination', () => {
  let bucket: string;

  beforeAll(async () => {
    bucket = await createTestBucket('dl-symlinks');
    const objects: Record<string, string> = {
      'ok.txt': 'fine',
      'link/evil.txt': 'planted outside',
      'link/sub/deep.txt': 'planted deeper',
      'link/newdir/': '',
      'link/secret.txt': 'replaced',
    };
    for (const [key, body] of Object.entries(objects)) await putObject(bucket, `attack/${key}`, body);
    await putObject(bucket, 'final/victim.txt', 'a new victim');
    await putObject(bucket, 'final/ok.txt', 'fine');
    await putObject(bucket, 'inside/alias/y.txt', 'through an inside link');
    await putObject(bucket, 'inside/ok.txt', 'fine');
    await putObject(bucket, 'plain/ok.txt', 'fine');
    await putObject(bucket, 'plain/sub/b.txt', 'b');
  });

  for (const followSymlinks of [true, false]) {
    it(`a directory link pointing outside: nothing written or deleted there, each key fails with SymlinkInPath (followSymlinks ${followSymlinks})`, async () => {
      const { outside, dest } = await sandbox('dl-link-dir');
      await symlink(outside, join(dest, 'link'));
      await writeFile(join(dest, 'stale.txt'), 'a delete the failures must cancel');
      const before = await snapshot(outside);
      const { summary, failures } = await sync(`s3://${bucket}/attack`, dest, { delete: true, followSymlinks });
      expect(await snapshot(outside)).toEqual(before);
      expect(failures).toEqual(
        ['link/evil.txt', 'link/newdir/', 'link/secret.txt', 'link/sub/deep.txt'].map((key) => `${key} SymlinkInPath`),
      );
      expect(summary.failedCount).toBe(4);
      expect(summary.deletesSkipped?.reason).toBe('failures');
      expect(await readFile(join(dest, 'stale.txt'), 'utf8')).toBe('a delete the failures must cancel');
      expect(await readFile(join(dest, 'ok.txt'), 'utf8')).toBe('fine');
      expect((await lstat(join(dest, 'link'))).isSymbolicLink()).toBe(true);
    });

    it(`--delete never deletes through a directory link, even when nothing fails (followSymlinks ${followSymlinks})`, async () => {
      const { outside, dest } = await sandbox('dl-link-delete');
      await symlink(outside, join(dest, 'link'));
      await writeFile(join(dest, 'stale.txt'), 'not in S3');
      const before = await snapshot(outside);
      const { summary, failures } = await sync(`s3://${bucket}/plain`, dest, { delete: true, followSymlinks });
      expect(await snapshot(outside)).toEqual(before);
      expect(failures).toEqual([]);
      // The link is left as it is: not listed, so neither compared nor deleted.
      expect((await lstat(join(dest, 'link'))).isSymbolicLink()).toBe(true);
      expect(summary.deleted.count).toBe(1); // stale.txt, a real file of the destination
      expect(await snapshot(dest)).toEqual({
        link: `link → ${outside}`,
        'ok.txt': createHash('sha256').update('fine').digest('hex'),
        sub: 'dir',
        'sub/b.txt': createHash('sha256').update('b').digest('hex'),
      });
    });

    it(`a link as the last component is neither written through nor replaced (followSymlinks ${followSymlinks})`, async () => {
      const { outside, dest } = await sandbox('dl-link-final');
      await symlink(join(outside, 'victim.txt'), join(dest, 'victim.txt'));
      const before = await snapshot(outside);
      const { summary, failures } = await sync(`s3://${bucket}/final`, dest, { delete: true, followSymlinks });
      expect(await snapshot(outside)).toEqual(before);
      expect(failures).toEqual(['victim.txt SymlinkInPath']);
      expect(summary.deletesSkipped).toBeUndefined(); // nothing to delete
      expect(await readlink(join(dest, 'victim.txt'))).toBe(join(outside, 'victim.txt'));
      expect(await readFile(join(dest, 'ok.txt'), 'utf8')).toBe('fine');
    });
  }

  it('a link to a directory inside the destination is not written through either', async () => {
    const { dest } = await sandbox('dl-link-inside');
    await mkdir(join(dest, 'real'));
    await symlink('real', join(dest, 'alias'));
    const { summary, failures } = await sync(`s3://${bucket}/inside`, dest, { delete: true });
    expect(failures).toEqual(['alias/y.txt SymlinkInPath']);
    expect(summary.failedCount).toBe(1);
    expect(await readdir(join(dest, 'real'))).toEqual([]);
    expect(await readFile(join(dest, 'ok.txt'), 'utf8')).toBe('fine');
  });

  it('a destination that is itself a symbolic link is used normally', async () => {
    const parent = await tempDir('dl-link-root');
    const real = join(parent, 'real-root');
    await writeTree(real, { 'stale.txt': 'deleted', 'sub/stale.txt': 'deleted too' });
    await symlink(real, join(parent, 'root-link'));
    const { summary, failures } = await sync(`s3://${bucket}/plain`, join(parent, 'root-link'), { delete: true });
    expect(failures).toEqual([]);
    expect(summary.copied.count).toBe(2);
    expect(summary.deleted.count).toBe(2);
    expect(await snapshot(real)).toEqual({
      'ok.txt': createHash('sha256').update('fine').digest('hex'),
      sub: 'dir',
      'sub/b.txt': createHash('sha256').update('b').digest('hex'),
    });
    // A second run over the link is a no-op.
    const again = await sync(`s3://${bucket}/plain`, join(parent, 'root-link'), { delete: true });
    expect(again.summary.copied.count + again.summary.updated.count + again.summary.deleted.count).toBe(0);
  });

  it('a directory swapped for a link after the listing: the delete is refused, nothing outside is deleted', async () => {
    const { outside, dest } = await sandbox('dl-swap-delete');
    await writeTree(dest, { 'sub/secret.txt': 'listed here, planned for delete' });
    const before = await snapshot(outside);
    const syncer = createSyncer(syncOptions(`s3://${bucket}/final`, dest, { delete: true, retries: 0, concurrency: 1 }));
    syncer.on('planComplete', () => {
      renameSync(join(dest, 'sub'), join(dest, 'sub-moved'));
      symlinkSync(outside, join(dest, 'sub'));
    });
    const failures: string[] = [];
    syncer.on('failed', ({ key, error }) => failures.push(`${key} ${(error as { code?: string }).code}`));
    const summary = await syncer.run();
    expect(await snapshot(outside)).toEqual(before);
    expect(failures).toEqual(['sub/secret.txt SymlinkInPath']);
    expect(summary.deleted.count).toBe(0);
  });

  it('a directory swapped for a link while its file downloads: the rename is refused, nothing is written outside', async () => {
    const { outside, dest } = await sandbox('dl-swap-write');
    const before = await snapshot(outside);
    const syncer = createSyncer(syncOptions(`s3://${bucket}/plain`, dest, { retries: 0, concurrency: 1 }));
    let swapped = false;
    syncer.on('progress', ({ key }) => {
      if (key !== 'sub/b.txt' || swapped) return;
      swapped = true;
      renameSync(join(dest, 'sub'), join(dest, 'sub-moved'));
      symlinkSync(outside, join(dest, 'sub'));
    });
    const failures: string[] = [];
    syncer.on('failed', ({ key, error }) => failures.push(`${key} ${(error as { code?: string }).code}`));
    await syncer.run();
    expect(swapped).toBe(true);
    expect(await snapshot(outside)).toEqual(before);
    expect(failures).toEqual(['sub/b.txt SymlinkInPath']);
  });

  it('the CLI with --delete --no-follow-symlinks exits with a failure and changes nothing outside', async () => {
    const { outside, dest } = await sandbox('dl-link-cli');
    await symlink(outside, join(dest, 'link'));
    await writeFile(join(dest, 'stale.txt'), 'kept');
    const before = await snapshot(outside);
    const result = await s3kit(['sync', `s3://${bucket}/attack`, dest, '--delete', '--no-follow-symlinks', '--json'], { env: cliEnv() });
    expect(await snapshot(outside)).toEqual(before);
    expect(result.code).toBe(3); // failures, so the delete phase was skipped
    expect(result.stdout).toContain('SymlinkInPath');
    expect(await readFile(join(dest, 'stale.txt'), 'utf8')).toBe('kept');
  });
});
