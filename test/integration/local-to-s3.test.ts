import { mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSyncer, ListingError, ConfigError, type Action, type SyncWarning } from 's3kit';
import { ODD_FILES as CORPUS } from '../helpers/corpus.js';
import { connection, syncOptions, createTestBucket, getObjectBytes, headObject, incompleteUploads, listObjects } from '../helpers/s3.js';
import { setMtime, tempDir, writeTree } from '../helpers/files.js';

const MiB = 1024 * 1024;

/** A client that records the name of every command it sends. */
function countingClient(): { client: S3Client; commands: string[] } {
  const commands: string[] = [];
  const client = new S3Client({
    ...connection(),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return { client, commands };
}

const options = syncOptions;

const ODD_FILES: Record<string, string> = {
  ...CORPUS,
  'index.html': '<html></html>',
  'a-b': 'sorts before a/',
  'a/x': 'inside a',
  'a0': 'sorts after a/',
};

describe('local → S3 sync against radosgw', () => {
  let bucket: string;
  let root: string;
  const big = Buffer.alloc(12 * MiB);

  beforeAll(async () => {
    bucket = await createTestBucket('local-to-s3');
    root = await tempDir('odd');
    await writeTree(root, ODD_FILES);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i * 2654435761 >>> 0, i);
    await writeFile(join(root, 'big.bin'), big);
  });

  it('uploads every key with its bytes, mtime metadata and content type; a large file in parts', async () => {
    const syncer = createSyncer(options(root, `s3://${bucket}/site`, { multipartThreshold: 5 * MiB, partSize: 5 * MiB }));
    const methods = new Map<string, string>();
    syncer.on('transferStart', ({ action, method }) => methods.set(action.key, method));
    const summary = await syncer.run();

    const expectedKeys = [...Object.keys(ODD_FILES), 'big.bin'].map((key) => `site/${key}`).sort();
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(expectedKeys);
    expect(summary.copied.count).toBe(expectedKeys.length);
    expect(summary.failedCount).toBe(0);
    for (const [key, content] of Object.entries(ODD_FILES)) {
      expect((await getObjectBytes(bucket, `site/${key}`)).toString()).toBe(content);
      const head = await headObject(bucket, `site/${key}`);
      const mtime = (await stat(join(root, key))).mtimeMs;
      expect(Math.abs(Number(head.Metadata?.mtime) * 1000 - mtime)).toBeLessThanOrEqual(1);
    }
    expect((await headObject(bucket, 'site/index.html')).ContentType).toBe('text/html');
    expect((await headObject(bucket, 'site/deep/a/b/c/d/e/f/g/h/leaf.json')).ContentType).toBe('application/json');
    expect((await headObject(bucket, 'site/empty.bin')).ContentLength).toBe(0);

    expect(methods.get('big.bin')).toBe('multipart');
    expect(methods.get('plain.txt')).toBe('put');
    const bigHead = await headObject(bucket, 'site/big.bin');
    expect(bigHead.ETag).toMatch(/-3"?$/);
    expect(bigHead.Metadata?.['s3kit-part-size']).toBe(String(5 * MiB));
    expect((await getObjectBytes(bucket, 'site/big.bin')).equals(big)).toBe(true);
  });

  it('transfers nothing on a second run and sends only list requests', async () => {
    const { client, commands } = countingClient();
    const syncer = createSyncer({ source: root, target: `s3://${bucket}/site`, client, multipartThreshold: 5 * MiB, partSize: 5 * MiB });
    let transfers = 0;
    syncer.on('transferStart', () => transfers++);
    const summary = await syncer.run();
    expect(transfers).toBe(0);
    expect(summary.copied.count + summary.updated.count).toBe(0);
    expect(summary.skipped.count).toBe(Object.keys(ODD_FILES).length + 1);
    expect(new Set(commands)).toEqual(new Set(['ListObjectsV2Command']));
  });

  it('re-uploads a changed file, including a same-size edit, and nothing else', async () => {
    await writeFile(join(root, 'plain.txt'), 'PLAIN'); // same size, new content, new mtime
    await setMtime(join(root, 'plain.txt'), new Date(Date.now() + 60_000));
    await writeFile(join(root, 'with space.txt'), 'a longer text');
    const syncer = createSyncer(options(root, `s3://${bucket}/site`, { multipartThreshold: 5 * MiB, partSize: 5 * MiB }));
    const updates: Action[] = [];
    syncer.on('planned', ({ action }) => action.type === 'update' && updates.push(action));
    const summary = await syncer.run();
    expect(updates.map((a) => [a.key, a.reason]).sort()).toEqual([
      // Newer than LastModified, so the HEAD of this candidate shows a different stored mtime.
      ['plain.txt', 'mtime-differs'],
      ['with space.txt', 'size-differs'],
    ]);
    expect(summary.updated.count).toBe(2);
    expect((await getObjectBytes(bucket, 'site/plain.txt')).toString()).toBe('PLAIN');
    expect((await getObjectBytes(bucket, 'site/with space.txt')).toString()).toBe('a longer text');

    // The future mtime is newer than LastModified, but the stored mtime matches: no upload again.
    const again = await createSyncer(options(root, `s3://${bucket}/site`, { multipartThreshold: 5 * MiB, partSize: 5 * MiB })).run();
    expect(again.updated.count).toBe(0);
    expect(again.skippedByReason['mtime-equal']).toBe(1);
  });

  it('compares content with --checksum, including a multipart ETag', async () => {
    await setMtime(join(root, 'big.bin'), new Date(Date.now() + 120_000)); // newer, same content
    const syncer = createSyncer(options(root, `s3://${bucket}/site`, { compare: 'checksum', multipartThreshold: 5 * MiB, partSize: 5 * MiB }));
    const reasons = new Map<string, string>();
    syncer.on('planned', ({ action }) => reasons.set(action.key, action.reason));
    const summary = await syncer.run();
    expect(reasons.get('big.bin')).toBe('checksum-equal');
    expect(reasons.get('plain.txt')).toBe('checksum-equal');
    expect(summary.updated.count).toBe(0);

    big[100] = (big[100]! + 1) % 256; // same size, different content
    await writeFile(join(root, 'big.bin'), big);
    await setMtime(join(root, 'big.bin'), new Date(Date.now() - 3_600_000)); // older than the object
    const changed = createSyncer(options(root, `s3://${bucket}/site`, { compare: 'checksum', multipartThreshold: 5 * MiB, partSize: 5 * MiB }));
    const updated: string[] = [];
    changed.on('transferEnd', ({ action }) => updated.push(`${action.key}:${action.reason}`));
    await changed.run();
    expect(updated).toEqual(['big.bin:checksum-differs']);
    expect((await getObjectBytes(bucket, 'site/big.bin')).equals(big)).toBe(true);
  });
});

describe('deletes', () => {
  it('deletes only keys missing from the source, keeps excluded keys and keys outside the prefix', async () => {
    const bucket = await createTestBucket('deletes');
    const root = await tempDir('del');
    await writeTree(root, { 'keep.txt': 'k', 'gone.txt': 'g', 'logs/app.log': 'log', 'sub/x.txt': 'x' });
    await createSyncer(options(root, `s3://${bucket}/p`)).run();
    await createSyncer(options(root, `s3://${bucket}/other`)).run();
    await rm(join(root, 'gone.txt'));
    await rm(join(root, 'logs'), { recursive: true });
    await rm(join(root, 'sub/x.txt'));

    const deleted: string[] = [];
    const syncer = createSyncer(options(root, `s3://${bucket}/p`, { delete: true, rules: [{ type: 'exclude', pattern: 'logs/*' }] }));
    syncer.on('deleted', ({ key }) => deleted.push(key));
    const summary = await syncer.run();
    expect(deleted.sort()).toEqual(['gone.txt', 'sub/x.txt']);
    expect(summary.deleted.count).toBe(2);
    expect(summary.skippedByReason.excluded).toBe(1);
    expect([...(await listObjects(bucket, 'p/')).keys()].sort()).toEqual(['p/keep.txt', 'p/logs/app.log']);
    expect((await listObjects(bucket, 'other/')).size).toBe(4);

    const withExcluded = await createSyncer(
      options(root, `s3://${bucket}/p`, { delete: true, deleteExcluded: true, rules: [{ type: 'exclude', pattern: 'logs/*' }] }),
    ).run();
    expect(withExcluded.deleted.count).toBe(1);
    expect([...(await listObjects(bucket, 'p/')).keys()]).toEqual(['p/keep.txt']);
  });

  it('does not delete without delete: true, and refuses more than maxDelete', async () => {
    const bucket = await createTestBucket('maxdel');
    const root = await tempDir('maxdel');
    await writeTree(root, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}.txt`, String(i)])));
    await createSyncer(options(root, `s3://${bucket}`)).run();
    for (let i = 0; i < 5; i++) await rm(join(root, `f${i}.txt`));

    const noDelete = await createSyncer(options(root, `s3://${bucket}`)).run();
    expect(noDelete.skippedByReason['delete-not-requested']).toBe(5);
    expect((await listObjects(bucket)).size).toBe(10);

    const syncer = createSyncer(options(root, `s3://${bucket}`, { delete: true, maxDelete: '30%' }));
    const skippedEvents: string[] = [];
    syncer.on('deletesSkipped', ({ reason }) => skippedEvents.push(reason));
    const refused = await syncer.run();
    expect(refused.deletesSkipped?.reason).toBe('max-delete');
    expect(refused.deletesSkipped?.count).toBe(5);
    expect(skippedEvents).toEqual(['max-delete']);
    expect((await listObjects(bucket)).size).toBe(10);

    const dry = await createSyncer(options(root, `s3://${bucket}`, { delete: true, maxDelete: 5, dryRun: true })).run();
    expect(dry.deleted.count).toBe(5);
    expect((await listObjects(bucket)).size).toBe(10);

    const allowed = await createSyncer(options(root, `s3://${bucket}`, { delete: true, maxDelete: 5 })).run();
    expect(allowed.deleted.count).toBe(5);
    expect((await listObjects(bucket)).size).toBe(5);
  });

  it('cancels the delete phase when an upload fails', async () => {
    const bucket = await createTestBucket('failcancel');
    const root = await tempDir('failcancel');
    await writeTree(root, { 'stale.txt': 'old' });
    await createSyncer(options(root, `s3://${bucket}`)).run();
    await rm(join(root, 'stale.txt'));
    await writeTree(root, { 'vanishes.txt': 'here at listing time', 'ok.txt': 'fine' });

    const syncer = createSyncer(options(root, `s3://${bucket}`, { delete: true, retries: 0 }));
    // The file disappears between planning and upload, so its upload fails.
    syncer.on('planned', ({ action }) => {
      if (action.key === 'vanishes.txt') execFileSync('rm', [join(root, 'vanishes.txt')]);
    });
    const failures: string[] = [];
    syncer.on('failed', ({ key, error }) => failures.push(`${key}:${(error as { code?: string }).code}`));
    const summary = await syncer.run();
    expect(failures).toEqual(['vanishes.txt:ENOENT']);
    expect(summary.failedCount).toBe(1);
    expect(summary.deletesSkipped).toMatchObject({ reason: 'failures', count: 1 });
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(['ok.txt', 'stale.txt']);
  });
});

describe('upload options', () => {
  it('stores storage class, cache-control, content-type, user metadata and SSE-KMS', async () => {
    const bucket = await createTestBucket('uploadopts');
    const root = await tempDir('opts');
    await writeTree(root, { 'doc.txt': 'hello' });
    await createSyncer(
      options(root, `s3://${bucket}`, {
        upload: {
          storageClass: 'STANDARD_IA',
          cacheControl: 'max-age=60',
          contentType: 'text/x-custom',
          metadata: { owner: 'team-a' },
          sse: 'aws:kms',
          sseKmsKeyId: 'testkey-1',
        },
      }),
    ).run();
    const head = await headObject(bucket, 'doc.txt');
    expect(head.StorageClass).toBe('STANDARD_IA');
    expect(head.CacheControl).toBe('max-age=60');
    expect(head.ContentType).toBe('text/x-custom');
    expect(head.Metadata?.owner).toBe('team-a');
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect((await getObjectBytes(bucket, 'doc.txt')).toString()).toBe('hello');
  });
});

describe('local tree handling', () => {
  it('follows symlinks, reports loops and special files, and skips links when asked', async () => {
    const bucket = await createTestBucket('symlinks');
    const root = await tempDir('links');
    const outside = await tempDir('outside');
    await writeTree(root, { 'real/file.txt': 'real' });
    await writeTree(outside, { 'shared.txt': 'shared' });
    await symlink(join(outside, 'shared.txt'), join(root, 'link-file.txt'));
    await symlink(outside, join(root, 'link-dir'));
    await symlink(root, join(root, 'real', 'loop'));
    await symlink(join(root, 'nowhere'), join(root, 'broken'));
    execFileSync('mkfifo', [join(root, 'pipe')]);

    const warnings: SyncWarning[] = [];
    const syncer = createSyncer(options(root, `s3://${bucket}/follow`));
    syncer.on('warning', (warning) => warnings.push(warning));
    const summary = await syncer.run();
    expect([...(await listObjects(bucket, 'follow/')).keys()].sort()).toEqual([
      'follow/link-dir/shared.txt',
      'follow/link-file.txt',
      'follow/real/file.txt',
    ]);
    expect(warnings.map((w) => w.code).sort()).toEqual(['broken-symlink', 'special-file', 'symlink-loop']);
    expect(summary.warningCount).toBe(3);

    await createSyncer(options(root, `s3://${bucket}/nofollow`, { followSymlinks: false })).run();
    expect([...(await listObjects(bucket, 'nofollow/')).keys()]).toEqual(['nofollow/real/file.txt']);
  });

  it('applies .gitignore files from the tree, ignore patterns and include/exclude rules', async () => {
    const bucket = await createTestBucket('ignore');
    const root = await tempDir('ignore');
    await writeTree(root, {
      '.gitignore': 'build/\n*.log\n!keep.log\n',
      'src/.gitignore': '*.tmp\n',
      'src/main.ts': 'main',
      'src/scratch.tmp': 'tmp',
      'build/out.js': 'out',
      'debug.log': 'log',
      'keep.log': 'keep',
      'notes/a.md': 'a',
      'notes/b.md': 'b',
      'secret.key': 'key',
    });
    await createSyncer(
      options(root, `s3://${bucket}`, {
        ignoreFileName: '.gitignore',
        ignorePatterns: ['*.key'],
        rules: [
          { type: 'exclude', pattern: 'notes/*' },
          { type: 'include', pattern: 'notes/b.md' },
        ],
      }),
    ).run();
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(['.gitignore', 'keep.log', 'notes/b.md', 'src/.gitignore', 'src/main.ts']);
  });
});

describe('errors', () => {
  it('rejects a missing bucket with a ListingError naming it, and a missing directory with a ConfigError', async () => {
    const root = await tempDir('errors');
    await writeTree(root, { 'a.txt': 'a' });
    const missing = createSyncer(options(root, 's3://s3kit-no-such-bucket-4242'));
    await expect(missing.run()).rejects.toSatisfy(
      (error: unknown) => error instanceof ListingError && error.code === 'NoSuchBucket' && /s3kit-no-such-bucket-4242/.test(error.message),
    );
    const noDir = createSyncer(options(join(root, 'nope'), 's3://some-bucket'));
    await expect(noDir.run()).rejects.toSatisfy(
      (error: unknown) => error instanceof ConfigError && error.field === 'source' && /does not exist/.test(error.message),
    );
  });

  it('aborts a multipart upload that fails midway (the file shrank), leaving no parts behind', async () => {
    const bucket = await createTestBucket('mpufail');
    const root = await tempDir('mpufail');
    const path = join(root, 'shrinking.bin');
    await writeFile(path, Buffer.alloc(30 * MiB, 3));
    const syncer = createSyncer(options(root, `s3://${bucket}`, { multipartThreshold: 5 * MiB, partSize: 5 * MiB, queueSize: 1, retries: 0 }));
    let truncated = false;
    syncer.on('progress', () => {
      if (!truncated) {
        truncated = true;
        execFileSync('truncate', ['-s', String(12 * MiB), path]);
      }
    });
    const failures: string[] = [];
    syncer.on('failed', ({ key }) => failures.push(key));
    const summary = await syncer.run();
    expect(failures).toEqual(['shrinking.bin']);
    expect(summary.failedCount).toBe(1);
    expect(await incompleteUploads(bucket)).toBe(0);
    expect((await listObjects(bucket)).size).toBe(0);
  });

  it('aborts a multipart upload when the run is cancelled, leaving no parts behind', async () => {
    const bucket = await createTestBucket('abort');
    const root = await tempDir('abort');
    await writeFile(join(root, 'large.bin'), Buffer.alloc(40 * MiB, 7));
    const controller = new AbortController();
    const syncer = createSyncer(options(root, `s3://${bucket}`, { multipartThreshold: 5 * MiB, partSize: 5 * MiB, queueSize: 1 }));
    syncer.on('progress', ({ loaded }) => {
      if (loaded >= 5 * MiB) controller.abort(new Error('stop'));
    });
    let aborted: boolean | undefined;
    syncer.on('done', ({ summary }) => (aborted = summary.aborted));
    await expect(syncer.run({ signal: controller.signal })).rejects.toThrow('stop');
    expect(aborted).toBe(true);
    expect(await incompleteUploads(bucket)).toBe(0);
    expect((await listObjects(bucket)).size).toBe(0);
  });
});

