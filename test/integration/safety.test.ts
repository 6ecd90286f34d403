import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, createSyncer, PlanMismatchError, type Action, type SyncWarning } from 's3kit';
import { createTestBucket, getObjectBytes, listObjects, syncOptions, testClient } from '../helpers/s3.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';

async function put(bucket: string, key: string, body: string): Promise<void> {
  await testClient().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function bucketContents(bucket: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of [...(await listObjects(bucket)).keys()].sort()) out[key] = (await getObjectBytes(bucket, key)).toString();
  return out;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('overlapping S3 locations in one bucket', () => {
  it.each([
    ['the source inside the target', 'q/sub', 'q'],
    ['the target inside the source', 'p', 'p/sub'],
    ['the same prefix', 'p', 'p/'],
    ['the whole bucket as the source', '', 'p'],
  ])('refuses %s with a ConfigError naming both, and changes nothing', async (_what, from, to) => {
    const bucket = await createTestBucket('overlap');
    await put(bucket, 'q/sub/x', 'original');
    await put(bucket, 'q/sub/sub/x', 'nested');
    await put(bucket, 'p/a', 'a');
    const before = await bucketContents(bucket);
    for (const del of [false, true]) {
      let error: unknown;
      try {
        await createSyncer(syncOptions(`s3://${bucket}/${from}`, `s3://${bucket}/${to}`, { delete: del })).run();
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(`s3://${bucket}/${from}`.replace(/\/?$/, from === '' ? '/' : '/'));
      expect((error as ConfigError).message).toContain(`s3://${bucket}/${to.replace(/\/$/, '')}/`);
      expect((error as ConfigError).message).toMatch(/overlap/);
    }
    expect(await bucketContents(bucket)).toEqual(before);
  });

  it('refuses at createSyncer, before any listing', () => {
    expect(() => createSyncer(syncOptions('s3://some-bucket/q/sub', 's3://some-bucket/q'))).toThrow(ConfigError);
  });

  it('allows the overlap when the filters exclude it (rclone rule), and then touches only the target', async () => {
    const bucket = await createTestBucket('overlap-ok');
    await put(bucket, 'p/a', 'a');
    await put(bucket, 'p/sub/old', 'old'); // the target's own content
    const syncer = createSyncer(syncOptions(`s3://${bucket}/p`, `s3://${bucket}/p/sub`, { ignorePatterns: ['sub/'], delete: true }));
    const summary = await syncer.run();
    expect(summary.failedCount).toBe(0);
    expect(await bucketContents(bucket)).toEqual({ 'p/a': 'a', 'p/sub/a': 'a' });
    // A second run is a no-op: nothing nests deeper.
    await syncer.run();
    expect(await bucketContents(bucket)).toEqual({ 'p/a': 'a', 'p/sub/a': 'a' });
  });

  it('allows an aws-cli exclude of the overlap, but not when a later include may bring part of it back', async () => {
    expect(() => createSyncer(syncOptions('s3://b-x/q/sub', 's3://b-x/q', { rules: [{ type: 'exclude', pattern: 'sub/*' }] }))).not.toThrow();
    expect(() =>
      createSyncer(
        syncOptions('s3://b-x/q/sub', 's3://b-x/q', {
          rules: [
            { type: 'exclude', pattern: 'sub/*' },
            { type: 'include', pattern: '*.txt' },
          ],
        }),
      ),
    ).toThrow(/overlap/);
    // deleteExcluded would delete the source's own objects from the target side.
    expect(() =>
      createSyncer(syncOptions('s3://b-x/q/sub', 's3://b-x/q', { ignorePatterns: ['sub/'], delete: true, deleteExcluded: true })),
    ).toThrow(/overlap/);
  });

  it('does not treat different buckets, sibling prefixes that share letters, or a bucket of the same name on another endpoint as overlapping', () => {
    expect(() => createSyncer(syncOptions('s3://b-one/p', 's3://b-two/p'))).not.toThrow();
    expect(() => createSyncer(syncOptions('s3://b-one/p', 's3://b-one/p2'))).not.toThrow();
    expect(() => createSyncer(syncOptions('s3://b-one/p', 's3://b-one/p/q', { sourceConnection: { endpoint: 'http://127.0.0.2:1' } }))).not.toThrow();
    // Another region of the same service is the same bucket.
    expect(() => createSyncer(syncOptions('s3://b-one/p', 's3://b-one/p/q', { sourceConnection: { region: 'eu-west-1' } }))).toThrow(/overlap/);
  });
});

describe('apply of a saved plan (expectedPlan)', () => {
  it('executes nothing unless the whole fresh plan equals the saved one, whatever planFirst says', async () => {
    const bucket = await createTestBucket('stale-plan');
    const root = await tempDir('stale-plan');
    await writeTree(root, { 'a.txt': 'first', 'm.txt': 'middle', 'z.txt': 'last' });
    const saved = await collect(createSyncer(syncOptions(root, `s3://${bucket}`)).plan());
    await writeFile(join(root, 'z.txt'), 'last, and longer');

    async function* replay(): AsyncGenerator<Action> {
      yield* saved;
    }
    const syncer = createSyncer(syncOptions(root, `s3://${bucket}`));
    const started: string[] = [];
    syncer.on('transferStart', ({ action }) => started.push(action.key));
    await expect(syncer.run({ expectedPlan: replay(), planFirst: false })).rejects.toBeInstanceOf(PlanMismatchError);
    expect(started).toEqual([]);
    expect(await listObjects(bucket)).toEqual(new Map());
  });
});

describe('ignore files follow git', () => {
  it('matches case-sensitively by default, and case-insensitively with ignoreCase', async () => {
    const bucket = await createTestBucket('ignore-case');
    const root = await tempDir('ignore-case');
    await writeTree(root, { '.gitignore': '*.TXT\n[A-Z]1\n', 'a.txt': 'kept', 'a1': 'kept', 'B.TXT': 'ignored', 'Z1': 'ignored' });
    await createSyncer(syncOptions(root, `s3://${bucket}`, { ignoreFileName: '.gitignore' })).run();
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(['.gitignore', 'a.txt', 'a1']);

    const bucket2 = await createTestBucket('ignore-case2');
    await createSyncer(syncOptions(root, `s3://${bucket2}`, { ignoreFileName: '.gitignore', ignoreCase: true })).run();
    expect([...(await listObjects(bucket2)).keys()].sort()).toEqual(['.gitignore']);
  });

  it('applies ignorePatterns case-sensitively too', async () => {
    const bucket = await createTestBucket('ignore-case3');
    const root = await tempDir('ignore-case3');
    await writeTree(root, { 'a.txt': 'kept', 'B.TXT': 'ignored' });
    await createSyncer(syncOptions(root, `s3://${bucket}`, { ignorePatterns: ['*.TXT'] })).run();
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(['a.txt']);
  });

  it('does not read an ignore file that is a symbolic link (git does not), and warns', async () => {
    const bucket = await createTestBucket('ignore-link');
    const root = await tempDir('ignore-link');
    const elsewhere = await tempDir('ignore-link-target');
    await writeFile(join(elsewhere, 'rules'), '*\n');
    await writeTree(root, { 'sub/a.txt': 'a' });
    await symlink(join(elsewhere, 'rules'), join(root, 'sub', '.gitignore'));
    const syncer = createSyncer(syncOptions(root, `s3://${bucket}`, { ignoreFileName: '.gitignore', followSymlinks: false }));
    const warnings: SyncWarning[] = [];
    syncer.on('warning', (warning) => warnings.push(warning));
    await syncer.run();
    expect([...(await listObjects(bucket)).keys()]).toContain('sub/a.txt');
    expect(warnings.map((warning) => warning.message).join('\n')).toMatch(/sub\/\.gitignore.*symbolic link/);
  });
});

describe('file names that are not valid UTF-8', () => {
  it('warns with the name escaped, syncs the rest, and skips deletes', async () => {
    const bucket = await createTestBucket('bad-utf8');
    const root = await tempDir('bad-utf8');
    await writeTree(root, { 'a.txt': 'a', 'm/ok.txt': 'ok', 'z.txt': 'z' });
    const bad1 = Buffer.concat([Buffer.from(`${root}/`), Buffer.from([0x62, 0xff, 0x63])]);
    const bad2 = Buffer.concat([Buffer.from(`${root}/m/`), Buffer.from([0xc3, 0x28])]);
    await writeFile(bad1, 'bad one');
    await writeFile(bad2, 'bad two');
    await mkdir(Buffer.concat([Buffer.from(`${root}/`), Buffer.from([0x64, 0xfe])]));
    await put(bucket, 'gone.txt', 'would be deleted');

    const syncer = createSyncer(syncOptions(root, `s3://${bucket}`, { delete: true }));
    const warnings: SyncWarning[] = [];
    syncer.on('warning', (warning) => warnings.push(warning));
    const summary = await syncer.run();
    const keys = [...(await listObjects(bucket)).keys()].sort();
    expect(keys).toEqual(['a.txt', 'gone.txt', 'm/ok.txt', 'z.txt']);
    const text = warnings.map((warning) => warning.message).join('\n');
    expect(text).toContain('b\\xffc');
    expect(text).toContain('m/\\xc3(');
    expect(text).toContain('d\\xfe');
    expect(warnings.every((warning) => warning.incompleteListing)).toBe(true);
    expect(summary.deletesSkipped?.reason).toBe('incomplete-listing');
  });
});

describe('keys git could never hold', () => {
  it('judges keys starting with "/", "./" or "../" by the aws-cli rules only, instead of crashing on gitignore patterns', async () => {
    const bucket = await createTestBucket('dot-keys');
    for (const key of ['src/./a', 'src/../a', 'src//a', 'src/a', 'src/b']) await put(bucket, key, key);
    const syncer = createSyncer(syncOptions(`s3://${bucket}/src`, `s3://${bucket}/dst`, { ignorePatterns: ['a'], rules: [{ type: 'exclude', pattern: 'b' }] }));
    const summary = await syncer.run();
    expect(summary.failedCount).toBe(0);
    const keys = [...(await listObjects(bucket, 'dst/')).keys()].sort();
    expect(keys).toEqual(['dst/../a', 'dst/./a', 'dst//a'].sort());
  });
});

describe('a destination name that is not valid UTF-8', () => {
  it('is warned about and kept, and does not cancel the deletes of other keys', async () => {
    const bucket = await createTestBucket('bad-utf8-dest');
    await put(bucket, 'keep.txt', 'kept');
    const dest = await tempDir('bad-utf8-dest');
    await writeTree(dest, { 'stale.txt': 'deleted by --delete' });
    await writeFile(Buffer.concat([Buffer.from(`${dest}/`), Buffer.from([0x61, 0xff])]), 'not a key');
    const syncer = createSyncer(syncOptions(`s3://${bucket}`, dest, { delete: true }));
    const warnings: SyncWarning[] = [];
    syncer.on('warning', (warning) => warnings.push(warning));
    const summary = await syncer.run();
    expect(summary.deletesSkipped).toBeUndefined();
    expect(summary.deleted.count).toBe(1);
    const { readdir } = await import('node:fs/promises');
    const names = (await readdir(dest, { encoding: 'buffer' })).map((name) => name.toString('latin1')).sort();
    expect(names).toEqual(['a\xff', 'keep.txt']);
    expect(warnings.map((warning) => warning.message).join('\n')).toContain('a\\xff');
  });
});

describe('what a source walk passes over cancels deletes', () => {
  it('a link into an unmounted drive (now broken) or a FIFO where a file was: the objects synced from them are kept', async () => {
    const bucket = await createTestBucket('broken-link');
    const root = await tempDir('broken-link');
    const drive = await tempDir('drive');
    await writeTree(drive, { 'photos/1.jpg': 'one', 'photos/2.jpg': 'two' });
    await writeTree(root, { 'doc.txt': 'doc', 'notes.txt': 'notes' });
    await symlink(join(drive, 'photos'), join(root, 'photos'));
    await createSyncer(syncOptions(root, `s3://${bucket}`, { delete: true })).run();
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(['doc.txt', 'notes.txt', 'photos/1.jpg', 'photos/2.jpg']);

    const { rename, rm } = await import('node:fs/promises');
    await rename(join(drive, 'photos'), join(drive, 'unmounted'));
    await rm(join(root, 'notes.txt'));
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [join(root, 'notes.txt')]);
    const summary = await createSyncer(syncOptions(root, `s3://${bucket}`, { delete: true })).run();
    expect(summary.deletesSkipped?.reason).toBe('incomplete-listing');
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(['doc.txt', 'notes.txt', 'photos/1.jpg', 'photos/2.jpg']);
  });
});

describe('a FIFO put where a file was, after the walk', () => {
  it.each([
    ['a small file', 1_000, {}],
    ['a file uploaded in parts', 6 * 1024 * 1024, { multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024 }],
  ])('%s: the key fails with NotAFile instead of hanging the run', async (_what, size, extra) => {
    const bucket = await createTestBucket('fifo-swap');
    const root = await tempDir('fifo-swap');
    await writeTree(root, { 'a.txt': 'a', 'z.bin': Buffer.alloc(size, 1) });
    const syncer = createSyncer(syncOptions(root, `s3://${bucket}`, extra));
    const { execFileSync } = await import('node:child_process');
    const { rm } = await import('node:fs/promises');
    syncer.once('planComplete', () => {
      execFileSync('rm', [join(root, 'z.bin')]);
      execFileSync('mkfifo', [join(root, 'z.bin')]);
    });
    const summary = await syncer.run({ planFirst: true, signal: AbortSignal.timeout(30_000) });
    expect(summary.failures.map((failure) => [failure.key, failure.code])).toEqual([['z.bin', 'NotAFile']]);
    expect((await listObjects(bucket)).has('z.bin')).toBe(false);
    await rm(join(root, 'z.bin'));
  });
});

describe('an empty source with delete', () => {
  it('deletes nothing (an unmounted drive leaves an empty directory) unless maxDelete says how much may go', async () => {
    const bucket = await createTestBucket('empty-source');
    const root = await tempDir('empty-source');
    await writeTree(root, { 'p1.jpg': '1', 'p2.jpg': '2' });
    await createSyncer(syncOptions(root, `s3://${bucket}`, { delete: true })).run();
    const { rm } = await import('node:fs/promises');
    await rm(join(root, 'p1.jpg'));
    await rm(join(root, 'p2.jpg'));
    const refused = await createSyncer(syncOptions(root, `s3://${bucket}`, { delete: true })).run();
    expect(refused.deletesSkipped?.reason).toBe('empty-source');
    expect(refused.deletesSkipped?.message).toMatch(/the source is empty/);
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(['p1.jpg', 'p2.jpg']);
    const meant = await createSyncer(syncOptions(root, `s3://${bucket}`, { delete: true, maxDelete: '100%' })).run();
    expect(meant.deleted.count).toBe(2);
    expect(await listObjects(bucket)).toEqual(new Map());
  });
});
