import { rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createBisyncer, type BisyncOptions, type BisyncSummary } from 's3kit';
import { CASES, caseKey, DAY, expected, localContents, remoteContents } from '../helpers/bisync-cases.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { connection, createTestBucket, putObject, testClient } from '../helpers/s3.js';

/*
 * Two-way sync where names move or only look alike: renames (a delete and a new key), names that
 * differ in case only, names that differ in Unicode normalisation only; and the full table of
 * side changes between two S3 prefixes.
 */

const NOW = new Date(`${DAY}T12:00:00Z`);

async function pair(label: string): Promise<{ local: string; bucket: string; remote: string; state: string }> {
  const bucket = await createTestBucket(`bisync-${label}`);
  return { local: await tempDir(`bisync-${label}`), bucket, remote: `s3://${bucket}/data/`, state: await tempDir(`bisync-state-${label}`) };
}

function bisync(path1: string, path2: string, state: string, extra: Partial<BisyncOptions> = {}): Promise<BisyncSummary> {
  return createBisyncer({ path1, path2, stateDirectory: state, ...connection(), now: () => NOW, maxDelete: '100%', ...extra }).run();
}

const deleteObject = (bucket: string, key: string) => testClient().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));

describe('renames', () => {
  it('a rename on one side is a delete and a new key: both sides end with the new name only, no conflict', async () => {
    const { local, bucket, remote, state } = await pair('rename');
    await writeTree(local, { 'a.txt': 'a', 'dir/b.txt': 'b', 'keep.txt': 'k' });
    await bisync(local, remote, state, { resync: true });
    await rename(join(local, 'a.txt'), join(local, 'a-renamed.txt'));
    await putObject(bucket, 'data/dir2/b.txt', 'b');
    await deleteObject(bucket, 'data/dir/b.txt');
    const summary = await bisync(local, remote, state);
    expect(summary.failures).toEqual([]);
    expect(summary.conflictCount).toBe(0);
    const want = { 'a-renamed.txt': 'a', 'dir2/b.txt': 'b', 'keep.txt': 'k' };
    expect(await localContents(local)).toEqual(want);
    expect(await remoteContents(bucket)).toEqual(want);
  });

  it('a rename on one side while the other edits the old name keeps the edit under the old name and the file under the new', async () => {
    const { local, bucket, remote, state } = await pair('rename-edit');
    await writeTree(local, { 'report.txt': 'v1' });
    await bisync(local, remote, state, { resync: true });
    await rename(join(local, 'report.txt'), join(local, 'report-final.txt'));
    await putObject(bucket, 'data/report.txt', 'v2, edited on S3');
    const summary = await bisync(local, remote, state);
    expect(summary.failures).toEqual([]);
    const want = { 'report.txt': 'v2, edited on S3', 'report-final.txt': 'v1' };
    expect(await localContents(local)).toEqual(want);
    expect(await remoteContents(bucket)).toEqual(want);
  });
});

describe('names that only look alike', () => {
  // S3 keys are byte strings and Linux file systems are case-sensitive: each name is its own key.
  it('names differing in case only are two keys on both sides; an edit or delete of one leaves the other', async () => {
    const { local, bucket, remote, state } = await pair('case');
    await writeTree(local, { 'Report.txt': 'upper' });
    await putObject(bucket, 'data/report.txt', 'lower');
    await putObject(bucket, 'data/REPORT.TXT', 'all upper');
    const first = await bisync(local, remote, state, { resync: true });
    expect(first.conflictCount).toBe(0);
    const want = { 'REPORT.TXT': 'all upper', 'Report.txt': 'upper', 'report.txt': 'lower' };
    expect(await localContents(local)).toEqual(want);
    expect(await remoteContents(bucket)).toEqual(want);
    await writeFile(join(local, 'Report.txt'), 'upper, edited');
    await deleteObject(bucket, 'data/REPORT.TXT');
    const next = await bisync(local, remote, state);
    expect(next.failures).toEqual([]);
    const after = { 'Report.txt': 'upper, edited', 'report.txt': 'lower' };
    expect(await localContents(local)).toEqual(after);
    expect(await remoteContents(bucket)).toEqual(after);
  });

  // s3kit compares names byte for byte, as S3 does: NFC "café" and NFD "café" are two keys, and
  // neither is ever taken for the other. (rclone normalises Unicode when it matches names unless
  // given --no-unicode-normalization; a Mac writes NFD names, Linux keeps what it is given, so
  // both forms can meet in one bucket.)
  it('names differing in Unicode normalisation only (NFC and NFD) are two keys; neither overwrites the other', async () => {
    const { local, bucket, remote, state } = await pair('unicode');
    const nfc = 'caf\u00e9.txt';
    const nfd = 'cafe\u0301.txt';
    expect(nfc.normalize('NFC')).toBe(nfd.normalize('NFC'));
    await writeTree(local, { [nfd]: 'written on a Mac (NFD)' });
    await putObject(bucket, `data/${nfc}`, 'written on Linux (NFC)');
    const first = await bisync(local, remote, state, { resync: true });
    expect(first.conflictCount).toBe(0);
    const want = { [nfc]: 'written on Linux (NFC)', [nfd]: 'written on a Mac (NFD)' };
    expect(await localContents(local)).toEqual(want);
    expect(await remoteContents(bucket)).toEqual(want);
    await unlink(join(local, nfd));
    const next = await bisync(local, remote, state);
    expect(next.failures).toEqual([]);
    expect(await localContents(local)).toEqual({ [nfc]: 'written on Linux (NFC)' });
    expect(await remoteContents(bucket)).toEqual({ [nfc]: 'written on Linux (NFC)' });
  });
});

describe('bisync S3 ⇄ S3: every pair of side changes', () => {
  it('propagates one-sided changes and deletes, keeps changed over deleted, keeps both versions of a conflict', async () => {
    const bucket = await createTestBucket('bisync-s3s3-table');
    const state = await tempDir('bisync-state-s3s3-table');
    const [one, two] = [`s3://${bucket}/one/`, `s3://${bucket}/two/`];
    const inBaseline = CASES.filter((c) => c.one !== 'new' && c.one !== 'absent');
    for (const c of inBaseline) await putObject(bucket, `one/${caseKey(c)}`, `original ${caseKey(c)}`);
    const first = await bisync(one, two, state, { resync: true });
    expect(first.failures).toEqual([]);
    expect(await remoteContents(bucket, 'two/')).toEqual(await remoteContents(bucket, 'one/'));

    for (const c of CASES) {
      const key = caseKey(c);
      const v1 = c.same === true ? `same ${key}` : `path1 edit of ${key}`;
      const v2 = c.same === true ? `same ${key}` : `path2 edit of ${key}!`;
      if (c.one === 'changed' || c.one === 'new') await putObject(bucket, `one/${key}`, v1);
      if (c.one === 'deleted') await deleteObject(bucket, `one/${key}`);
      if (c.two === 'changed' || c.two === 'new') await putObject(bucket, `two/${key}`, v2);
      if (c.two === 'deleted') await deleteObject(bucket, `two/${key}`);
    }
    const second = await bisync(one, two, state);
    expect(second.failures).toEqual([]);
    expect(second.deletesSkipped).toEqual([]);
    const want = Object.assign({}, ...CASES.map(expected)) as Record<string, string>;
    expect(await remoteContents(bucket, 'one/')).toEqual(want);
    expect(await remoteContents(bucket, 'two/')).toEqual(want);
    expect(second.conflicts.map((c) => c.key).sort()).toEqual(['changed-changed.txt', 'new-new.txt']);

    const third = await bisync(one, two, state);
    expect(third.copiedToPath1.count + third.copiedToPath2.count + third.deletedInPath1.count + third.deletedInPath2.count + third.conflictCount).toBe(0);
  });
});

describe('requests', () => {
  /** A client that records the name of every command it sends. */
  function countingClient(): { client: S3Client; commands: string[] } {
    const commands: string[] = [];
    const client = new S3Client({ ...connection(), forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? 'unknown');
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    return { client, commands };
  }

  // What a no-op run sends beyond its listing (the S3 lock's create, renewals and removal, the
  // conditional-write probes) must not grow with the number of keys: no HEAD or GET per object.
  it('a no-op run sends the listing and a fixed number of lock requests, whatever the number of keys', async () => {
    const besidesListing: Record<number, string[]> = {};
    for (const files of [5, 60]) {
      const { local, remote, state } = await pair(`requests-${files}`);
      await writeTree(local, Object.fromEntries(Array.from({ length: files }, (_, i) => [`d${i % 3}/f${i}.txt`, `file ${i}`])));
      await bisync(local, remote, state, { resync: true });
      const { client, commands } = countingClient();
      const summary = await bisync(local, remote, state, { client, listPageSize: 1000 });
      expect(summary.failures).toEqual([]);
      expect(summary.unchanged).toBe(files);
      besidesListing[files] = commands.filter((name) => name !== 'ListObjectsV2Command').sort();
    }
    expect(besidesListing[60]).toEqual(besidesListing[5]);
    expect(besidesListing[5]).not.toContain('GetObjectCommand');
    expect(besidesListing[5]!.filter((name) => name === 'HeadObjectCommand').length).toBeLessThan(5);
  });
});
