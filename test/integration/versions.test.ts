import { createHash, randomBytes } from 'node:crypto';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ConfigError, createS3Client, type S3Location } from 's3kit';
import { listVersions, restoreInBucket, restoreToLocal, versionsAt, type ObjectVersion, type RestoreEvent } from 's3kit/versions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { connection, createTestBucket, getObjectBytes, headObject, listObjects, putObject, testClient } from '../helpers/s3.js';

/*
 * A versioned bucket whose keys are written, overwritten and deleted in three steps, with a
 * moment recorded between steps (radosgw's LastModified has milliseconds, and the server runs on
 * this machine's clock, so a few tens of milliseconds apart is enough). The same history is
 * written under two prefixes: `data/` is only read (listings, local restores), `inplace/` is
 * restored in place.
 */

type State = Record<string, Buffer>;

const M1 = randomBytes(70_000);
const M3 = randomBytes(90_000);

/** What each prefix held at each moment. */
const STATES: State[] = [
  {},
  { 'a.txt': Buffer.from('A1'), 'a.txt.old': Buffer.from('old'), 'b/c.txt': Buffer.from('C1'), 'gone.txt': Buffer.from('G1'), 'multi.bin': M1 },
  { 'a.txt': Buffer.from('A2 longer'), 'a.txt.old': Buffer.from('old'), 'b/c.txt': Buffer.from('C1'), 'multi.bin': M1, 'new.txt': Buffer.from('N2') },
  { 'a.txt': Buffer.from('A3'), 'a.txt.old': Buffer.from('old'), 'gone.txt': Buffer.from('G3'), 'multi.bin': M3, 'new.txt': Buffer.from('N2') },
];

let bucket: string;
/** The moments after step 0 (nothing yet), 1, 2 and 3. */
const moments: Date[] = [];
const client = () => createS3Client({ ...connection(), forcePathStyle: true });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A one-part multipart upload: an ETag of the form md5-1, which no MD5 of the content matches. */
async function putMultipart(key: string, body: Buffer): Promise<void> {
  const s3 = testClient();
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: body }));
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
}

async function remove(key: string): Promise<void> {
  await testClient().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** Records a moment strictly between the writes before it and those after it. */
async function moment(): Promise<void> {
  await sleep(60);
  moments.push(new Date());
  await sleep(60);
}

async function writeHistory(prefixes: readonly string[]): Promise<void> {
  await moment();
  for (const p of prefixes) {
    await putObject(bucket, `${p}a.txt`, 'A1');
    await putObject(bucket, `${p}a.txt.old`, 'old');
    await putObject(bucket, `${p}b/c.txt`, 'C1');
    await putObject(bucket, `${p}gone.txt`, 'G1');
    await putMultipart(`${p}multi.bin`, M1);
  }
  await moment();
  for (const p of prefixes) {
    await putObject(bucket, `${p}a.txt`, 'A2 longer');
    await remove(`${p}gone.txt`);
    await putObject(bucket, `${p}new.txt`, 'N2');
  }
  await moment();
  for (const p of prefixes) {
    await putObject(bucket, `${p}a.txt`, 'A3');
    await remove(`${p}b/c.txt`);
    await putObject(bucket, `${p}gone.txt`, 'G3');
    await putMultipart(`${p}multi.bin`, M3);
  }
  await moment();
}

/** Contents as `size:md5`: a failed comparison of large random buffers would drown the report. */
type Prints = Record<string, string>;
const print = (body: Buffer): string => `${body.length}:${createHash('md5').update(body).digest('hex')}`;
const fp = (state: State): Prints => Object.fromEntries(Object.entries(state).map(([key, body]) => [key, print(body)]));

/** Every file under a directory (hidden ones too): relative path → fingerprint. */
async function readTree(root: string): Promise<Prints> {
  const files: Prints = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files[relative(root, path)] = print(await readFile(path));
    }
  };
  await walk(root);
  return files;
}

/** The current objects under a prefix: key (relative) → fingerprint. */
async function readPrefix(prefix: string): Promise<Prints> {
  const objects: Prints = {};
  for (const key of (await listObjects(bucket, prefix)).keys()) objects[key.slice(prefix.length)] = print(await getObjectBytes(bucket, key));
  return objects;
}

const location = (prefix: string): S3Location => ({ kind: 's3', bucket, prefix });

beforeAll(async () => {
  bucket = await createTestBucket('versions');
  await testClient().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await writeHistory(['data/', 'inplace/']);
});

describe('listVersions', () => {
  it('streams versions and delete markers in key order, newest first within a key, across pages', async () => {
    const all: ObjectVersion[] = [];
    for await (const version of listVersions(client(), location('data/'))) all.push(version);
    const paged: ObjectVersion[] = [];
    for await (const version of listVersions(client(), location('data/'), { pageSize: 2 })) paged.push(version);
    expect(paged).toEqual(all);
    expect(all.map((v) => [v.key, v.deleteMarker, v.isLatest])).toEqual([
      ['a.txt', false, true],
      ['a.txt', false, false],
      ['a.txt', false, false],
      ['a.txt.old', false, true],
      ['b/c.txt', true, true],
      ['b/c.txt', false, false],
      ['gone.txt', false, true],
      ['gone.txt', true, false],
      ['gone.txt', false, false],
      ['multi.bin', false, true],
      ['multi.bin', false, false],
      ['new.txt', false, true],
    ]);
    const a = all.filter((v) => v.key === 'a.txt');
    expect(a.map((v) => v.size)).toEqual([2, 9, 2]);
    expect(a[0]!.lastModified.getTime()).toBeGreaterThan(a[1]!.lastModified.getTime());
    expect(new Set(all.map((v) => v.versionId)).size).toBe(all.length);
    const marker = all.find((v) => v.deleteMarker)!;
    expect(marker).toMatchObject({ size: 0, etag: undefined, storageClass: undefined });
    expect(all.find((v) => v.key === 'multi.bin')!.etag).toMatch(/^[0-9a-f]{32}-1$/);
  });

  it('with a key, lists that key only, not the keys it is a prefix of', async () => {
    const versions: ObjectVersion[] = [];
    for await (const version of listVersions(client(), location('data/'), { key: 'a.txt', pageSize: 1 })) versions.push(version);
    expect(versions.map((v) => v.key)).toEqual(['a.txt', 'a.txt', 'a.txt']);
  });
});

describe('listVersions of keys XML and URL encoding handle specially', () => {
  // Keys that are only white space (the SDK's XML reader turns "\n" into ""), characters URL
  // encoding changes, and names that sort around them; each with two versions, one deleted.
  const ODD = ['\n', '\r\n', ' ', ' x ', '\t', '%41', 'p+q', 'sp ace', 'ü', 'a&b', 'z'];
  let odd: string;
  beforeAll(async () => {
    odd = await createTestBucket('versions-odd');
    await testClient().send(new PutBucketVersioningCommand({ Bucket: odd, VersioningConfiguration: { Status: 'Enabled' } }));
    for (const key of ODD) {
      await putObject(odd, key, 'one');
      await putObject(odd, key, 'second');
    }
    await testClient().send(new DeleteObjectCommand({ Bucket: odd, Key: 'p+q' }));
  });

  it('lists every key with all its versions, in one page and across pages of 1, 2 and 3', async () => {
    const want = [...ODD].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)).flatMap((key) => (key === 'p+q' ? [[key, true], [key, false], [key, false]] : [[key, false], [key, false]]));
    for (const pageSize of [1000, 1, 2, 3]) {
      const listed: ObjectVersion[] = [];
      for await (const version of listVersions(client(), { kind: 's3', bucket: odd, prefix: '' }, { pageSize })) listed.push(version);
      expect(listed.map((v) => [v.key, v.deleteMarker]), `pageSize ${pageSize}`).toEqual(want);
    }
    const one: ObjectVersion[] = [];
    for await (const version of listVersions(client(), { kind: 's3', bucket: odd, prefix: '' }, { key: '\n', pageSize: 1 })) one.push(version);
    expect(one.map((v) => v.key)).toEqual(['\n', '\n']);
  });
});

describe('versionsAt', () => {
  it('gives each key the version current at each moment (absent when deleted or not yet written)', async () => {
    for (const [index, at] of moments.entries()) {
      const present: Record<string, number> = {};
      for await (const state of versionsAt(client(), location('data/'), at)) {
        if (state.version !== undefined) present[state.key] = state.version.size;
        expect(state.latest.isLatest).toBe(true);
      }
      expect(present).toEqual(Object.fromEntries(Object.entries(STATES[index]!).map(([key, body]) => [key, body.length])));
    }
  });
});

describe('restoreToLocal', () => {
  it('restores each moment byte for byte into an empty directory, mtimes set to LastModified', async () => {
    for (const [index, at] of moments.entries()) {
      const target = join(await tempDir('restore'), 'out');
      const summary = await restoreToLocal({ client: client(), source: location('data/'), target, at });
      expect(await readTree(target)).toEqual(fp(STATES[index]!));
      expect(summary).toMatchObject({ restored: Object.keys(STATES[index]!).length, failed: 0, deleted: 0, dryRun: false });
    }
    const target = await tempDir('restore');
    await restoreToLocal({ client: client(), source: location('data/'), target, at: moments[2]! });
    const versions: ObjectVersion[] = [];
    for await (const version of listVersions(client(), location('data/'), { key: 'a.txt' })) versions.push(version);
    expect(Math.round((await stat(join(target, 'a.txt'))).mtimeMs)).toBe(versions[1]!.lastModified.getTime());
  });

  it('leaves files that already hold the version alone, rewrites those that differ, and keeps or deletes the rest', async () => {
    const target = await tempDir('restore');
    await restoreToLocal({ client: client(), source: location('data/'), target, at: moments[3]! });
    await writeTree(target, { 'local-only.txt': 'mine' });
    // A second restore of the same moment: nothing to download (MD5s match; the multipart
    // object by size and mtime).
    const again = await restoreToLocal({ client: client(), source: location('data/'), target, at: moments[3]! });
    expect(again).toMatchObject({ restored: 0, unchanged: 5, deleted: 0 });

    // Back to moment 1 without --delete: moment 1's files, plus what did not exist then.
    const events: RestoreEvent[] = [];
    const kept = await restoreToLocal({ client: client(), source: location('data/'), target, at: moments[1]!, onEvent: (event) => events.push(event) });
    expect(await readTree(target)).toEqual(fp({ ...STATES[1], 'new.txt': Buffer.from('N2'), 'local-only.txt': Buffer.from('mine') }));
    // a.txt ("A3" → "A1": same size, other MD5), gone.txt, multi.bin and b/c.txt are written.
    expect(kept).toMatchObject({ restored: 4, unchanged: 1, deleted: 0 });
    expect(events.filter((e) => e.type === 'restore').map((e) => e.key).sort()).toEqual(['a.txt', 'b/c.txt', 'gone.txt', 'multi.bin']);

    // A dry run with --delete says what it would remove and removes nothing.
    const dry: RestoreEvent[] = [];
    const planned = await restoreToLocal({ client: client(), source: location('data/'), target, at: moments[2]!, delete: true, dryRun: true, onEvent: (e) => dry.push(e) });
    expect(planned).toMatchObject({ dryRun: true, restored: 1, deleted: 2 });
    expect(dry.filter((e) => e.type === 'delete').map((e) => e.key)).toEqual(['gone.txt', 'local-only.txt']);
    expect(await readTree(target)).toEqual(fp({ ...STATES[1], 'new.txt': Buffer.from('N2'), 'local-only.txt': Buffer.from('mine') }));

    // Moment 2 with --delete: exactly moment 2.
    const exact = await restoreToLocal({ client: client(), source: location('data/'), target, at: moments[2]!, delete: true });
    expect(await readTree(target)).toEqual(fp(STATES[2]!));
    expect(exact).toMatchObject({ restored: 1, deleted: 2, failed: 0, deletesSkipped: false });

    // Moment 0 with --delete: nothing existed, so nothing is left but directories.
    await restoreToLocal({ client: client(), source: location('data/'), target, at: moments[0]!, delete: true });
    expect(await readTree(target)).toEqual({});
  });

  it('skips the deletes when a key fails, and refuses to write through a symbolic link', async () => {
    const { symlink } = await import('node:fs/promises');
    const target = await tempDir('restore');
    const elsewhere = await tempDir('elsewhere');
    await writeTree(target, { 'stray.txt': 'keep me' });
    await symlink(elsewhere, join(target, 'b'));
    const summary = await restoreToLocal({ client: client(), source: location('data/'), target, at: moments[2]!, delete: true });
    expect(summary.failed).toBe(1);
    expect(summary.failures[0]).toMatchObject({ key: 'b/c.txt', code: 'SymlinkInPath' });
    expect(summary.deletesSkipped).toBe(true);
    expect(await readFile(join(target, 'stray.txt'), 'utf8')).toBe('keep me');
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it('refuses keys that would land outside the directory, restores the rest, and deletes nothing', async () => {
    await putObject(bucket, 'odd/../escape.txt', 'out');
    await putObject(bucket, 'odd/ok.txt', 'ok');
    const parent = await tempDir('restore');
    const target = join(parent, 'out');
    await writeTree(target, { 'stray.txt': 'keep' });
    const summary = await restoreToLocal({ client: client(), source: location('odd/'), target, at: new Date(), delete: true });
    expect(summary).toMatchObject({ restored: 1, failed: 1, deletesSkipped: true });
    expect(summary.failures[0]).toMatchObject({ key: '../escape.txt', code: 'UnsafeKey' });
    expect(await readTree(parent)).toEqual(fp({ 'out/ok.txt': Buffer.from('ok'), 'out/stray.txt': Buffer.from('keep') }));
  });

  it('never leaves a partial file: aborted mid-download, no destination file and no temp file remain', async () => {
    const big = randomBytes(3 * 1024 * 1024);
    await putObject(bucket, 'big/large.bin', big);
    await sleep(60);
    const at = new Date();
    const proxy = new FaultProxy(connection().endpoint);
    const endpoint = await proxy.start();
    let proxied: ReturnType<typeof createS3Client> | undefined;
    try {
      proxy.setRules([{ when: (request) => request.operation === 'GetObject' && request.query.has('versionId'), fault: { kind: 'stall-response-body', afterBytes: 1024 * 1024 } }]);
      const target = await tempDir('restore');
      const controller = new AbortController();
      proxied = createS3Client({ ...connection(), endpoint });
      const running = restoreToLocal({ client: proxied, source: location('big/'), target, at, signal: controller.signal });
      const outcome = running.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      // Wait until the first megabyte sits in the temp file, then abort.
      let partial: string | undefined;
      for (let i = 0; i < 500 && partial === undefined; i++) {
        await sleep(10);
        for (const name of await readdir(target)) {
          if ((await lstat(join(target, name))).size >= 1024 * 1024) partial = name;
        }
      }
      expect(partial).toMatch(/^\.s3kit-[0-9a-f]{12}\.part$/);
      expect(await readdir(target)).toEqual([partial]);
      const reason = new Error('stop now');
      controller.abort(reason);
      expect(await outcome).toBe(reason);
      expect(await readdir(target)).toEqual([]);
    } finally {
      proxied?.destroy();
      await proxy.close();
    }
    // Without the stall, the same restore writes the whole file.
    const target = await tempDir('restore');
    await restoreToLocal({ client: client(), source: location('big/'), target, at });
    expect(print(await readFile(join(target, 'large.bin')))).toBe(print(big));
  });
});

describe('restoreInBucket', () => {
  it('puts a moment back as the current objects, byte for byte, after a dry run that changes nothing', async () => {
    const countVersions = async () => (await testClient().send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'inplace/' }))).Versions?.length ?? 0;
    const before = await countVersions();
    const dry: RestoreEvent[] = [];
    const planned = await restoreInBucket({ client: client(), location: location('inplace/'), at: moments[1]!, dryRun: true, onEvent: (e) => dry.push(e) });
    expect(planned).toMatchObject({ dryRun: true, restored: 4, deleted: 1, unchanged: 1 });
    expect(dry.filter((e) => e.type !== 'unchanged').map((e) => [e.type, e.key])).toEqual([
      ['restore', 'a.txt'],
      ['restore', 'b/c.txt'],
      ['restore', 'gone.txt'],
      ['restore', 'multi.bin'],
      ['delete', 'new.txt'],
    ]);
    expect(await countVersions()).toBe(before);
    expect(await readPrefix('inplace/')).toEqual(fp(STATES[3]!));

    const summary = await restoreInBucket({ client: client(), location: location('inplace/'), at: moments[1]! });
    expect(summary).toMatchObject({ restored: 4, deleted: 1, unchanged: 1, failed: 0 });
    expect(await readPrefix('inplace/')).toEqual(fp(STATES[1]!));
    // Nothing lost: moment 3's state is still in the history, and an undo of the undo brings it back.
    const again = await restoreInBucket({ client: client(), location: location('inplace/'), at: moments[1]! });
    expect(again).toMatchObject({ restored: 0, deleted: 0, unchanged: 6 });
    await restoreInBucket({ client: client(), location: location('inplace/'), at: moments[3]! });
    expect(await readPrefix('inplace/')).toEqual(fp(STATES[3]!));
    // The other prefix was not touched.
    expect(await readPrefix('data/')).toEqual(fp(STATES[3]!));
  });

  it('copies large versions with UploadPartCopy from the old version (multipart copy threshold lowered to 1 byte)', async () => {
    const first = randomBytes(200_000);
    await putObject(bucket, 'mp/x.bin', first, { ContentType: 'application/x-first', Metadata: { mark: 'one' } });
    await sleep(60);
    const at = new Date();
    await sleep(60);
    await putObject(bucket, 'mp/x.bin', randomBytes(150_000));
    const summary = await restoreInBucket({ client: client(), location: location('mp/'), at, multipartCopyThreshold: 1 });
    expect(summary).toMatchObject({ restored: 1, failed: 0 });
    expect(print(await getObjectBytes(bucket, 'mp/x.bin'))).toBe(print(first));
    const head = await headObject(bucket, 'mp/x.bin');
    expect(head.ETag).toMatch(/-1"$/);
    expect(head).toMatchObject({ ContentType: 'application/x-first', Metadata: { mark: 'one' } });
  });

  it('refuses a bucket without versioning (or with it suspended), naming how to enable it', async () => {
    const plain = await createTestBucket('unversioned');
    await putObject(plain, 'p/x', 'x');
    const attempt = restoreInBucket({ client: client(), location: { kind: 's3', bucket: plain, prefix: 'p/' }, at: new Date() });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(/does not have versioning enabled \(it is off\).*put-bucket-versioning --bucket s3kit-unversioned-/);
    await testClient().send(new PutBucketVersioningCommand({ Bucket: plain, VersioningConfiguration: { Status: 'Suspended' } }));
    await expect(restoreInBucket({ client: client(), location: { kind: 's3', bucket: plain, prefix: 'p/' }, at: new Date() })).rejects.toThrow(/it is Suspended/);
    expect((await getObjectBytes(plain, 'p/x')).toString()).toBe('x');
  });
});

afterAll(() => {
  // The moments were taken in order, each between two steps.
  expect(moments).toHaveLength(4);
});
