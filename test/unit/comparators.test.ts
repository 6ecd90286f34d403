import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksumComparator } from '../../src/compare/checksum.js';
import type { CompareContext } from '../../src/compare/comparator.js';
import { digestFile } from '../../src/transfer/file-digest.js';
import { candidatePartSizes } from '../../src/core/multipart-etag.js';
import { sizeMtimeComparator } from '../../src/compare/size-mtime.js';
import { sizeOnlyComparator } from '../../src/compare/size-only.js';
import type { Entry, EntryMetadata } from '../../src/core/entry.js';
import { tempDir } from '../helpers/files.js';

const MiB = 1024 * 1024;

function contextWith(metadata: EntryMetadata, heads: string[] = []): CompareContext {
  return {
    objectMetadata: async (entry, side) => {
      heads.push(`${side}:${entry.key}`);
      return metadata;
    },
    fileDigest: (entry, partSizes) => digestFile(entry.path!, partSizes),
  };
}

const local = (size: number, mtimeMs: number, path = '/nonexistent/k'): Entry => ({ key: 'k', size, mtimeMs, path });
const remote = (size: number, mtimeMs: number, etag?: string): Entry => ({ key: 'k', size, mtimeMs, etag });

describe('sizeMtimeComparator', () => {
  it.each([
    ['different sizes', local(1, 0), remote(2, 0), {}, false, 'size-differs', 0],
    ['source older than LastModified: no HEAD', local(1, 1000), remote(1, 2000), {}, true, 'target-not-older', 0],
    ['source newer, no stored mtime', local(1, 3000), remote(1, 2000), {}, false, 'source-newer', 1],
    ['source newer, stored mtime equal', local(1, 3000), remote(1, 2000), { sourceMtimeMs: 3000 }, true, 'mtime-equal', 1],
    ['source newer, stored mtime differs', local(1, 3000), remote(1, 2000), { sourceMtimeMs: 2500 }, false, 'mtime-differs', 1],
  ])('%s', async (_name, source, target, metadata, equal, reason, headCount) => {
    const heads: string[] = [];
    expect(await sizeMtimeComparator().compare(source, target, contextWith(metadata, heads))).toEqual({ equal, reason });
    expect(heads.length).toBe(headCount);
  });

  it.each([
    ['downloaded file carries LastModified: no HEAD', remote(1, 2000), local(1, 2000), {}, true, 'mtime-equal', 0],
    ['file carries the stored mtime', remote(1, 2000), local(1, 1500), { sourceMtimeMs: 1500 }, true, 'mtime-equal', 1],
    ['object changed in S3, local looks newer (aws-cli trap)', remote(1, 2000), local(1, 9000), { sourceMtimeMs: 1800 }, false, 'mtime-differs', 1],
    ['object changed in S3, no stored mtime', remote(1, 3000), local(1, 2000), {}, false, 'mtime-differs', 1],
    ['sizes differ', remote(2, 0), local(1, 0), {}, false, 'size-differs', 0],
  ])('download: %s', async (_name, source, target, metadata, equal, reason, headCount) => {
    const heads: string[] = [];
    expect(await sizeMtimeComparator().compare(source, target, contextWith(metadata, heads))).toEqual({ equal, reason });
    expect(heads.length).toBe(headCount);
    if (headCount > 0) expect(heads[0]).toBe('source:k');
  });

  it('S3 → S3: a target written after the source is equal without a HEAD; a newer source compares stored mtimes', async () => {
    const heads: string[] = [];
    expect(await sizeMtimeComparator().compare(remote(1, 1000), remote(1, 2000), contextWith({}, heads))).toEqual({ equal: true, reason: 'target-not-older' });
    expect(heads).toEqual([]);
    expect(await sizeMtimeComparator().compare(remote(1, 3000), remote(1, 2000), contextWith({ sourceMtimeMs: 500 }, heads))).toEqual({
      equal: true,
      reason: 'mtime-equal',
    });
    expect(heads).toEqual(['target:k', 'source:k']);
  });

  it('honours the window', async () => {
    const verdict = await sizeMtimeComparator({ windowMs: 2000 }).compare(local(1, 3000), remote(1, 2000), contextWith({}));
    expect(verdict).toEqual({ equal: true, reason: 'target-not-older' });
  });

  it('with exact timestamps, uploads follow the default rule (aws-cli: downloads only)', async () => {
    const exact = sizeMtimeComparator({ exactTimestamps: true });
    const heads: string[] = [];
    expect(await exact.compare(local(1, 1000), remote(1, 2000), contextWith({ sourceMtimeMs: 1500 }, heads))).toEqual({
      equal: true,
      reason: 'target-not-older',
    });
    expect(heads).toEqual([]);
    expect(await exact.compare(local(1, 3000), remote(1, 2000), contextWith({ sourceMtimeMs: 3000 }))).toEqual({ equal: true, reason: 'mtime-equal' });
  });

  it('with exact timestamps, a download whose file time differs is a difference, whichever is newer', async () => {
    const exact = sizeMtimeComparator({ exactTimestamps: true });
    expect(await exact.compare(remote(1, 2000), local(1, 9000), contextWith({}))).toEqual({ equal: false, reason: 'mtime-differs' });
    expect(await exact.compare(remote(1, 2000), local(1, 1000), contextWith({}))).toEqual({ equal: false, reason: 'mtime-differs' });
    expect(await exact.compare(remote(1, 2000), local(1, 1500), contextWith({ sourceMtimeMs: 1500 }))).toEqual({ equal: true, reason: 'mtime-equal' });
  });

  it('rejects a negative window', () => {
    expect(() => sizeMtimeComparator({ windowMs: -1 })).toThrow(/windowMs/);
  });
});

describe('sizeOnlyComparator', () => {
  it('looks at sizes only', () => {
    const compare = sizeOnlyComparator().compare;
    expect(compare(local(5, 9999), remote(5, 0), contextWith({}))).toEqual({ equal: true, reason: 'size-equal' });
    expect(compare(local(5, 0), remote(6, 0), contextWith({}))).toEqual({ equal: false, reason: 'size-differs' });
  });
});

describe('checksum comparison', () => {
  it('computes multipart ETags the way S3 does', async () => {
    const dir = await tempDir('digest');
    const path = join(dir, 'f.bin');
    const content = Buffer.alloc(11 * MiB + 17);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31) % 251;
    await writeFile(path, content);
    const parts = [content.subarray(0, 5 * MiB), content.subarray(5 * MiB, 10 * MiB), content.subarray(10 * MiB)];
    const expected =
      createHash('md5')
        .update(Buffer.concat(parts.map((part) => createHash('md5').update(part).digest())))
        .digest('hex') + '-3';
    const digest = await digestFile(path, [5 * MiB]);
    expect(digest.md5).toBe(createHash('md5').update(content).digest('hex'));
    expect(digest.multipartEtags.get(5 * MiB)).toBe(expected);

    const checksum = checksumComparator();
    const source = local(content.length, 0, path);
    expect(await checksum.compare(source, remote(content.length, 0, expected), contextWith({ partSize: 5 * MiB }))).toEqual({
      equal: true,
      reason: 'checksum-equal',
    });
    // Without the recorded part size, the common 5 MiB candidate still finds it.
    expect(await checksum.compare(source, remote(content.length, 0, expected), contextWith({}))).toEqual({
      equal: true,
      reason: 'checksum-equal',
    });
    expect(await checksum.compare(source, remote(content.length, 0, digest.md5), contextWith({}))).toEqual({
      equal: true,
      reason: 'checksum-equal',
    });
    expect(
      await checksum.compare(source, remote(content.length, 0, '0123456789abcdef0123456789abcdef'), contextWith({})),
    ).toEqual({ equal: false, reason: 'checksum-differs' });
  });

  it('falls back to size+mtime when the ETag cannot be reproduced', async () => {
    const verdict = await checksumComparator().compare(local(10, 1000, '/nonexistent'), remote(10, 2000, 'kms-opaque-etag'), contextWith({}));
    expect(verdict).toEqual({ equal: true, reason: 'target-not-older' });
  });

  it('compares two objects by ETag, and a download by digesting the local file', async () => {
    const md5a = '0123456789abcdef0123456789abcdef';
    const md5b = 'fedcba9876543210fedcba9876543210';
    expect(await checksumComparator().compare(remote(5, 9, md5a), remote(5, 1, md5a), contextWith({}))).toEqual({ equal: true, reason: 'checksum-equal' });
    expect(await checksumComparator().compare(remote(5, 1, md5a), remote(5, 9, md5b), contextWith({}))).toEqual({ equal: false, reason: 'checksum-differs' });
    const dir = await tempDir('digest-dl');
    const path = join(dir, 'f.txt');
    await writeFile(path, 'hello');
    const helloMd5 = createHash('md5').update('hello').digest('hex');
    expect(await checksumComparator().compare(remote(5, 9999, helloMd5), local(5, 1, path), contextWith({}))).toEqual({ equal: true, reason: 'checksum-equal' });
  });

  it('tries the recorded part size first, then common sizes that give the same part count', () => {
    expect(candidatePartSizes(20 * MiB, 3, 7 * MiB)).toEqual([7 * MiB, 8 * MiB]);
    expect(candidatePartSizes(20 * MiB, 4)).toEqual([5 * MiB]);
  });
});
