import { mkdir, readdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { ConfigError, createSyncer } from 's3kit';
import { createTestBucket, getObjectBytes, listObjects, syncOptions, testClient } from '../helpers/s3.js';
import { tempDir, writeTree } from '../helpers/files.js';

async function put(bucket: string, key: string, body: string): Promise<void> {
  await testClient().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function bucketContents(bucket: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of [...(await listObjects(bucket)).keys()].sort()) {
    if (key.startsWith(prefix)) out[key.slice(prefix.length)] = (await getObjectBytes(bucket, key)).toString();
  }
  return out;
}

async function tree(root: string, base = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let names: string[];
  try {
    names = (await readdir(join(root, base))).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(root, base, name);
    if ((await stat(path)).isDirectory()) Object.assign(out, await tree(root, join(base, name)));
    else out[join(base, name)] = await readFile(path, 'utf8');
  }
  return out;
}

/** Makes a local file newer than its upload, so the next sync updates it. */
async function rewrite(path: string, content: string): Promise<void> {
  await writeFile(path, content);
  const later = new Date(Date.now() + 60_000);
  await utimes(path, later, later);
}

const today = (): string => new Date().toISOString().slice(0, 10);

describe('backup: what a sync overwrites or deletes is kept first', () => {
  it('S3 target: overwritten and deleted objects are copied under the backup prefix, byte for byte, with {date}', async () => {
    const bucket = await createTestBucket('backup-s3');
    const dir = await tempDir('backup-src');
    await writeTree(dir, { 'keep.txt': 'keep', 'change.txt': 'old words', 'sub/gone.txt': 'about to go' });
    await createSyncer(syncOptions(dir, `s3://${bucket}/site`)).run();
    await rewrite(join(dir, 'change.txt'), 'new words');
    await import('node:fs/promises').then((fs) => fs.rm(join(dir, 'sub'), { recursive: true }));

    const summary = await createSyncer(syncOptions(dir, `s3://${bucket}/site`, { delete: true, backup: `s3://${bucket}/backups/{date}/` })).run();

    expect(summary.failedCount).toBe(0);
    expect(await bucketContents(bucket, 'site/')).toEqual({ 'keep.txt': 'keep', 'change.txt': 'new words' });
    expect(await bucketContents(bucket, `backups/${today()}/`)).toEqual({ 'change.txt': 'old words', 'sub/gone.txt': 'about to go' });
    expect(summary.backedUp).toEqual({ count: 2, bytes: 'old words'.length + 'about to go'.length });
  });

  it('local target: an overwritten file is kept (hard link), a deleted one moved, under the backup directory', async () => {
    const bucket = await createTestBucket('backup-local');
    await put(bucket, 'data/keep.txt', 'keep');
    await put(bucket, 'data/change.txt', 'old words, different size');
    const root = await tempDir('backup-root');
    const target = join(root, 'target');
    const backupDir = join(root, 'backup');
    await createSyncer(syncOptions(`s3://${bucket}/data`, target)).run();
    await put(bucket, 'data/change.txt', 'new words');
    await writeTree(target, { 'old/gone.txt': 'about to go' });

    const summary = await createSyncer(syncOptions(`s3://${bucket}/data`, target, { delete: true, backup: backupDir })).run();

    expect(summary.failedCount).toBe(0);
    expect(await tree(target)).toEqual({ 'keep.txt': 'keep', 'change.txt': 'new words' });
    expect(await tree(backupDir)).toEqual({ 'change.txt': 'old words, different size', 'old/gone.txt': 'about to go' });
    expect(summary.backedUp.count).toBe(2);
  });

  it('S3 → S3: the target object an update replaces is kept', async () => {
    const bucket = await createTestBucket('backup-copy');
    await put(bucket, 'from/a.txt', 'version 2, longer');
    await put(bucket, 'to/a.txt', 'version 1');
    const summary = await createSyncer(syncOptions(`s3://${bucket}/from`, `s3://${bucket}/to`, { backup: `s3://${bucket}/bk/` })).run();
    expect(summary.failedCount).toBe(0);
    expect(await bucketContents(bucket, 'to/')).toEqual({ 'a.txt': 'version 2, longer' });
    expect(await bucketContents(bucket, 'bk/')).toEqual({ 'a.txt': 'version 1' });
  });

  it('a dry run backs nothing up and changes nothing', async () => {
    const bucket = await createTestBucket('backup-dry');
    await put(bucket, 'to/a.txt', 'only copy');
    const dir = await tempDir('backup-dry-src');
    await writeTree(dir, { 'b.txt': 'b' });
    const summary = await createSyncer(syncOptions(dir, `s3://${bucket}/to`, { delete: true, maxDelete: '100%', dryRun: true, backup: `s3://${bucket}/bk/` })).run();
    expect(summary.deleted.count).toBe(1);
    expect(await bucketContents(bucket)).toEqual({ 'to/a.txt': 'only copy' });
  });

  it('when the backup cannot be made, the object is neither overwritten nor deleted, and the run says why', async () => {
    const bucket = await createTestBucket('backup-fail');
    const dir = await tempDir('backup-fail-src');
    await writeTree(dir, { 'a.txt': 'old' });
    await createSyncer(syncOptions(dir, `s3://${bucket}/t`)).run();
    await rewrite(join(dir, 'a.txt'), 'new and longer');
    const summary = await createSyncer(syncOptions(dir, `s3://${bucket}/t`, { backup: 's3://s3kit-no-such-backup-bucket/bk/' })).run();
    expect(summary.failedCount).toBe(1);
    expect(summary.failures[0]?.message).toMatch(/backup/i);
    expect(await bucketContents(bucket, 't/')).toEqual({ 'a.txt': 'old' });
  });

  it('a delete whose backup fails is not made', async () => {
    const root = await tempDir('backup-del-fail');
    const bucket = await createTestBucket('backup-del-fail');
    await put(bucket, 'd/keep.txt', 'keep');
    const target = join(root, 'target');
    await writeTree(target, { 'keep.txt': 'keep', 'extra.txt': 'mine' });
    // The backup directory cannot be created: a file stands where it would go.
    await writeFile(join(root, 'blocked'), 'a file');
    const summary = await createSyncer(syncOptions(`s3://${bucket}/d`, target, { delete: true, maxDelete: '100%', backup: join(root, 'blocked', 'bk') })).run();
    expect(summary.deleted.count).toBe(0);
    expect(summary.failedCount).toBeGreaterThan(0);
    expect(await tree(target)).toEqual({ 'keep.txt': 'keep', 'extra.txt': 'mine' });
  });
});

describe('backupSuffix: backups beside the originals (rclone --suffix)', () => {
  it('S3 target: replaced objects stay in the target with the suffix, and later runs neither sync nor delete them', async () => {
    const bucket = await createTestBucket('suffix-s3');
    const dir = await tempDir('suffix-src');
    await writeTree(dir, { 'keep.txt': 'keep', 'change.txt': 'old words', 'gone.txt': 'about to go' });
    await createSyncer(syncOptions(dir, `s3://${bucket}/t`)).run();
    await rewrite(join(dir, 'change.txt'), 'new words');
    await import('node:fs/promises').then((fs) => fs.rm(join(dir, 'gone.txt')));
    const options = { delete: true, backupSuffix: '.{date}~' };
    const first = await createSyncer(syncOptions(dir, `s3://${bucket}/t`, options)).run();
    expect(first.failedCount).toBe(0);
    expect(first.backedUp.count).toBe(2);
    const day = today();
    expect(await bucketContents(bucket, 't/')).toEqual({
      'keep.txt': 'keep',
      'change.txt': 'new words',
      [`change.txt.${day}~`]: 'old words',
      [`gone.txt.${day}~`]: 'about to go',
    });
    // A source file named like a backup is left out too: the suffix's keys belong to backups.
    await writeFile(join(dir, 'other.txt.2020-01-01~'), 'looks like a backup');
    const again = await createSyncer(syncOptions(dir, `s3://${bucket}/t`, options)).run();
    expect(again.deleted.count + again.copied.count + again.updated.count).toBe(0);
    expect(Object.keys(await bucketContents(bucket, 't/')).sort()).toEqual(['change.txt', `change.txt.${day}~`, `gone.txt.${day}~`, 'keep.txt']);
  });

  it('local target: a deleted file is renamed with the suffix, an overwritten one linked beside', async () => {
    const bucket = await createTestBucket('suffix-local');
    await put(bucket, 'd/a.txt', 'old a, longer');
    const root = await tempDir('suffix-local');
    const target = join(root, 't');
    await createSyncer(syncOptions(`s3://${bucket}/d`, target)).run();
    await put(bucket, 'd/a.txt', 'new a');
    await writeTree(target, { 'sub/extra.txt': 'extra' });
    const summary = await createSyncer(syncOptions(`s3://${bucket}/d`, target, { delete: true, maxDelete: '100%', backupSuffix: '.bak' })).run();
    expect(summary.failedCount).toBe(0);
    expect(await tree(target)).toEqual({ 'a.txt': 'new a', 'a.txt.bak': 'old a, longer', 'sub/extra.txt.bak': 'extra' });
  });

  it('with a backup location, the suffix goes on the kept names there', async () => {
    const bucket = await createTestBucket('suffix-both');
    await put(bucket, 'from/a.txt', 'version 2, longer');
    await put(bucket, 'to/a.txt', 'version 1');
    await createSyncer(syncOptions(`s3://${bucket}/from`, `s3://${bucket}/to`, { backup: `s3://${bucket}/bk/`, backupSuffix: '.{date}' })).run();
    expect(await bucketContents(bucket, 'bk/')).toEqual({ [`a.txt.${today()}`]: 'version 1' });
  });

  it.each([['a/b'], [''], ['.{week}']])('refuses the suffix %j, naming backupSuffix', (suffix) => {
    expect(() => createSyncer(syncOptions('/tmp', 's3://bkt/site', { backupSuffix: suffix }))).toThrow(expect.objectContaining({ field: 'backupSuffix' }));
  });
});

describe('backup of a local delete: only the file that was listed is moved', () => {
  it('a file replaced by a directory since the listing is neither moved nor deleted, as without a backup', async () => {
    const { mkdirSync, rmSync, writeFileSync } = await import('node:fs');
    const bucket = await createTestBucket('backup-became-dir');
    await put(bucket, 'd/keep.txt', 'keep');
    const root = await tempDir('backup-became-dir');
    const target = join(root, 'target');
    for (const backup of [undefined, join(root, 'bk')]) {
      rmSync(target, { recursive: true, force: true });
      await writeTree(target, { 'keep.txt': 'keep', a: 'a file, listed for deletion' });
      const syncer = createSyncer(syncOptions(`s3://${bucket}/d`, target, { delete: true, maxDelete: '100%', backup }));
      // Between the plan and the delete phase, someone puts a directory of their own at a.
      syncer.on('planComplete', () => {
        rmSync(join(target, 'a'), { recursive: true, force: true });
        mkdirSync(join(target, 'a'));
        writeFileSync(join(target, 'a', 'new.txt'), 'user data');
      });
      const summary = await syncer.run();
      expect(summary.deleted.count, String(backup)).toBe(0);
      expect(summary.failures.map((failure) => failure.key)).toEqual(['a']);
      expect(await tree(target)).toEqual({ 'keep.txt': 'keep', 'a/new.txt': 'user data' });
    }
  });
});

describe('backup locations that would lose data are refused', () => {
  it.each([
    ['inside the S3 target', 'site/backup/', undefined],
    ['around the S3 target', '', undefined],
    ['the target itself', 'site/', undefined],
  ])('refuses a backup prefix %s with a ConfigError naming backup', (_what, backupPrefix) => {
    expect(() => createSyncer(syncOptions('/tmp', `s3://bkt/site`, { backup: `s3://bkt/${backupPrefix}` }))).toThrow(
      expect.objectContaining({ field: 'backup', message: expect.stringMatching(/inside the target|contains the target|is the target itself/) }),
    );
  });

  it('allows a backup prefix inside the target when the filters exclude it (rclone rule)', () => {
    expect(() => createSyncer(syncOptions('/tmp', 's3://bkt/site', { backup: 's3://bkt/site/.backup/{date}/', ignorePatterns: ['.backup/'] }))).not.toThrow();
  });

  it('refuses a backup prefix inside an S3 source in the same bucket', () => {
    expect(() => createSyncer(syncOptions('s3://bkt/src', 's3://bkt/dst', { backup: 's3://bkt/src/bk/' }))).toThrow(expect.objectContaining({ field: 'backup' }));
  });

  it('refuses a backup prefix inside the S3 source when the source\'s endpoint is the target\'s, spelled differently', () => {
    const options = syncOptions('s3://bkt/src', 's3://bkt/dst', { backup: 's3://bkt/src/bk/' });
    const endpoint = new URL(options.endpoint!);
    for (const spelling of [`${endpoint.origin}/`, `${endpoint.protocol}//${endpoint.host.toUpperCase()}`]) {
      expect(() => createSyncer({ ...options, sourceConnection: { endpoint: spelling } }), spelling).toThrow(expect.objectContaining({ field: 'backup' }));
    }
  });

  it('refuses a backup directory inside or around a local target', async () => {
    const root = await tempDir('backup-refuse');
    await mkdir(join(root, 't'));
    expect(() => createSyncer(syncOptions('s3://bkt/p', join(root, 't'), { backup: join(root, 't', 'bk') }))).toThrow(expect.objectContaining({ field: 'backup' }));
    expect(() => createSyncer(syncOptions('s3://bkt/p', join(root, 't'), { backup: root }))).toThrow(expect.objectContaining({ field: 'backup' }));
  });

  it('refuses a backup of the other kind than the target, and unknown placeholders', () => {
    expect(() => createSyncer(syncOptions('/tmp', 's3://bkt/site', { backup: '/tmp/bk' }))).toThrow(
      expect.objectContaining({ field: 'backup', message: expect.stringMatching(/s3:\/\//) }),
    );
    expect(() => createSyncer(syncOptions('s3://bkt/p', '/tmp/t', { backup: 's3://bkt/bk/' }))).toThrow(expect.objectContaining({ field: 'backup' }));
    expect(() => createSyncer(syncOptions('/tmp', 's3://bkt/site', { backup: 's3://bkt/bk/{week}/' }))).toThrow(
      expect.objectContaining({ field: 'backup', message: expect.stringMatching(/\{week\}/) }),
    );
    expect(() => createSyncer(syncOptions('/tmp', 's3://bkt/site', { backup: '' }))).toThrow(ConfigError);
  });
});

describe('backup directories that reach the target through symbolic links are refused before anything changes', () => {
  async function fixture(label: string): Promise<{ bucket: string; root: string; target: string }> {
    const bucket = await createTestBucket(label);
    await put(bucket, 'd/foo', 'new foo');
    await put(bucket, 'd/t/foo', 'new t/foo');
    const root = await tempDir(label);
    const target = join(root, 'x', 't');
    await writeTree(target, { foo: 'old foo, longer', 't/foo': 'old t/foo, longer', 'extra.txt': 'mine' });
    return { bucket, root, target };
  }

  it('a backup directory under a link that points into the target', async () => {
    const { bucket, root, target } = await fixture('backup-link-in');
    await symlink(target, join(root, 'link'));
    const run = createSyncer(syncOptions(`s3://${bucket}/d`, target, { delete: true, maxDelete: '100%', backup: join(root, 'link', 'bk') })).run();
    await expect(run).rejects.toMatchObject({ field: 'backup', message: expect.stringMatching(/inside the target/) });
    expect(await tree(join(root, 'x'))).toEqual({ 't/foo': 'old foo, longer', 't/t/foo': 'old t/foo, longer', 't/extra.txt': 'mine' });
  });

  it('a dry run refuses it too, as the run would', async () => {
    const { bucket, root, target } = await fixture('backup-link-dry');
    await symlink(target, join(root, 'link'));
    const run = createSyncer(syncOptions(`s3://${bucket}/d`, target, { dryRun: true, backup: join(root, 'link', 'bk') })).run();
    await expect(run).rejects.toMatchObject({ field: 'backup', message: expect.stringMatching(/inside the target/) });
  });

  it('a backup directory that is, through a link, around the target (a backup of t/foo would land on the target\'s foo)', async () => {
    const { bucket, root, target } = await fixture('backup-link-around');
    await symlink(join(root, 'x'), join(root, 'y'));
    const run = createSyncer(syncOptions(`s3://${bucket}/d`, target, { backup: join(root, 'y') })).run();
    await expect(run).rejects.toMatchObject({ field: 'backup', message: expect.stringMatching(/contains the target/) });
    expect(await tree(join(root, 'x'))).toEqual({ 't/foo': 'old foo, longer', 't/t/foo': 'old t/foo, longer', 't/extra.txt': 'mine' });
  });

  it('a target given through a link, and a backup inside its real directory', async () => {
    const { bucket, root, target } = await fixture('backup-target-link');
    await symlink(target, join(root, 'target-link'));
    const run = createSyncer(syncOptions(`s3://${bucket}/d`, join(root, 'target-link'), { backup: join(target, 'bk') })).run();
    await expect(run).rejects.toMatchObject({ field: 'backup', message: expect.stringMatching(/inside the target/) });
    expect(await tree(join(root, 'x'))).toEqual({ 't/foo': 'old foo, longer', 't/t/foo': 'old t/foo, longer', 't/extra.txt': 'mine' });
  });

  it('still allows a linked backup directory inside the target that the filters exclude', async () => {
    const { bucket, root, target } = await fixture('backup-link-excluded');
    await mkdir(join(target, '.bk'));
    await symlink(join(target, '.bk'), join(root, 'link'));
    const summary = await createSyncer(syncOptions(`s3://${bucket}/d`, target, { backup: join(root, 'link'), ignorePatterns: ['.bk/'] })).run();
    expect(summary.failedCount).toBe(0);
    expect(await tree(join(target, '.bk'))).toEqual({ foo: 'old foo, longer', 't/foo': 'old t/foo, longer' });
  });
});

describe('backup in a YAML job', () => {
  it('a job with backup keeps what its delete removes', async () => {
    const { parseConfig, runJobs } = await import('s3kit/jobs');
    const { memoryStore } = await import('s3kit');
    const root = await tempDir('backup-job');
    const bucket = await createTestBucket('backup-job');
    await writeTree(root, { 'src/a.txt': 'a' });
    await put(bucket, 'out/extra.txt', 'only here');
    const config = parseConfig(
      `
jobs:
  - name: mirror
    source: ./src
    target: s3://${bucket}/out
    delete: true
    maxDelete: 100%
    backup: s3://${bucket}/kept/{date}/
`,
      join(root, 's3kit.yaml'),
    );
    const { endpoint, region, forcePathStyle, credentials } = syncOptions('', '');
    const run = await runJobs({ config, state: memoryStore(), date: new Date(), connection: { endpoint, region, forcePathStyle, credentials } });
    expect(run.jobs.map((job) => `${job.status} ${job.message}`)).toEqual([expect.stringMatching(/^success/)]);
    expect(await bucketContents(bucket, 'out/')).toEqual({ 'a.txt': 'a' });
    expect(await bucketContents(bucket, `kept/${today()}/`)).toEqual({ 'extra.txt': 'only here' });
  });

  it('a relative backup directory is relative to the config file, like the job\'s source and target', async () => {
    const { parseConfig, runJobs } = await import('s3kit/jobs');
    const { memoryStore } = await import('s3kit');
    const root = await tempDir('backup-job-relative');
    const bucket = await createTestBucket('backup-job-rel');
    await put(bucket, 'in/a.txt', 'a');
    await writeTree(root, { 'conf/out/a.txt': 'old a', 'conf/out/extra.txt': 'only here' });
    const config = parseConfig(
      `
jobs:
  - name: mirror-down
    source: s3://${bucket}/in
    target: ./out
    delete: true
    maxDelete: 100%
    backup: ./kept
`,
      join(root, 'conf', 's3kit.yaml'),
    );
    expect(config.jobs[0]?.backup).toBe(join(root, 'conf', 'kept'));
    const { endpoint, region, forcePathStyle, credentials } = syncOptions('', '');
    const run = await runJobs({ config, state: memoryStore(), date: new Date(), connection: { endpoint, region, forcePathStyle, credentials } });
    expect(run.jobs.map((job) => `${job.status} ${job.message}`)).toEqual([expect.stringMatching(/^success/)]);
    expect(await tree(join(root, 'conf'))).toEqual({ 'out/a.txt': 'a', 'kept/a.txt': 'old a', 'kept/extra.txt': 'only here' });
  });
});
