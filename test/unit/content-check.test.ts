import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkContent, type ContentCheckContext, type ObjectFacts } from '../../src/compare/content-check.js';
import type { Entry } from '../../src/core/entry.js';
import { PartHasher } from '../../src/core/multipart-etag.js';

const MiB = 1024 * 1024;

/** A content of `size` bytes, different for each seed. */
function content(size: number, seed = 1): Buffer {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) buffer.writeUInt32LE(((i + seed) * 2654435761) >>> 0, Math.min(i, size - 4));
  return buffer;
}

const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('base64');
function multipartEtag(data: Buffer, partSize: number): string {
  const hasher = new PartHasher(partSize);
  hasher.update(data);
  return hasher.etag();
}

const file = (data: Buffer): Entry => ({ key: 'k', size: data.length, mtimeMs: 0, path: '/file' });
const object = (size: number, etag: string | undefined): Entry => ({ key: 'k', size, mtimeMs: 0, etag });

/**
 * A context over in-memory contents: the file's bytes, and per side the facts a HEAD would give
 * and the size of part 1 a server that answers partNumber would tell. Records what was asked.
 */
function contextOf(options: {
  file?: Buffer;
  facts?: Partial<Record<'path1' | 'path2', Partial<ObjectFacts>>>;
  firstPart?: Partial<Record<'path1' | 'path2', number>>;
}): { context: ContentCheckContext; asked: string[] } {
  const asked: string[] = [];
  const context: ContentCheckContext = {
    head: async (_entry, side) => {
      asked.push(`head ${side}`);
      return { etag: undefined, recordedPartSize: undefined, encrypted: false, checksums: {}, ...options.facts?.[side] };
    },
    firstPartSize: async (_entry, side) => {
      asked.push(`part1 ${side}`);
      return options.firstPart?.[side];
    },
    digest: async (_entry, request) => {
      asked.push(`digest [${request.partSizes.map((size) => size / MiB).join(',')}] [${request.checksums.join(',')}]`);
      const data = options.file!;
      return {
        md5: md5(data),
        multipartEtags: new Map(request.partSizes.map((size) => [size, multipartEtag(data, size)])),
        checksums: Object.fromEntries(request.checksums.map((algorithm) => [algorithm, createHash(algorithm).update(data).digest('base64')])),
      };
    },
  };
  return { context, asked };
}

describe('checkContent: a local file and an object', () => {
  const data = content(11 * MiB);
  const other = Buffer.from(data);
  other[6 * MiB] = other[6 * MiB]! ^ 1;

  it('sizes first: different sizes differ without reading anything', async () => {
    const { context, asked } = contextOf({ file: data });
    expect(await checkContent(file(data), object(data.length + 1, md5(data)), context)).toEqual({ result: 'differs', reason: 'size-differs' });
    expect(asked).toEqual([]);
  });

  it.each([
    ['an equal MD5 ETag', data, md5(data), {}, { result: 'equal', evidence: 'md5' }, ['digest [] []']],
    ['a different MD5 ETag, not encrypted (one HEAD to know)', other, md5(data), {}, { result: 'differs', reason: 'content-differs', evidence: 'md5' }, ['digest [] []', 'head path2']],
    [
      'a different MD5-like ETag of an SSE-KMS object without checksums',
      other,
      md5(data),
      { encrypted: true },
      { result: 'cannot-compare', reason: 'etag-not-md5' },
      ['digest [] []', 'head path2'],
    ],
    [
      'an SSE-KMS object with an equal SHA-256',
      data,
      md5(Buffer.from('kms')),
      { encrypted: true, checksums: { sha256: sha256(data) } },
      { result: 'equal', evidence: 'sha256' },
      ['digest [] []', 'head path2', 'digest [] [sha256]'],
    ],
    [
      'an SSE-KMS object with a different SHA-256',
      other,
      md5(Buffer.from('kms')),
      { encrypted: true, checksums: { sha256: sha256(data) } },
      { result: 'differs', reason: 'content-differs', evidence: 'sha256' },
      ['digest [] []', 'head path2', 'digest [] [sha256]'],
    ],
    [
      'a multipart ETag with the part size s3kit recorded',
      data,
      multipartEtag(data, 6 * MiB),
      { recordedPartSize: 6 * MiB },
      { result: 'equal', evidence: 'multipart-etag' },
      ['head path2', 'digest [6,8] []'],
    ],
    [
      'a changed file against a multipart ETag with a recorded part size',
      other,
      multipartEtag(data, 6 * MiB),
      { recordedPartSize: 6 * MiB },
      { result: 'differs', reason: 'content-differs', evidence: 'multipart-etag' },
      // A server that told part 1's size would be believed over the record: this one does not tell.
      ['head path2', 'digest [6,8] []', 'part1 path2'],
    ],
    [
      'a multipart ETag of an unusual part size nothing records (8 MiB, which gives as many parts, tried)',
      data,
      multipartEtag(data, 6 * MiB),
      {},
      { result: 'cannot-compare', reason: 'unknown-part-size' },
      ['head path2', 'part1 path2', 'digest [8] []'],
    ],
    [
      'a multipart ETag of a common part size (guessed): equal',
      data,
      multipartEtag(data, 5 * MiB),
      {},
      { result: 'equal', evidence: 'multipart-etag' },
      ['head path2', 'part1 path2', 'digest [5] []'],
    ],
    [
      'a multipart ETag of a common part size (guessed), changed file: a guess proves nothing',
      other,
      multipartEtag(data, 5 * MiB),
      {},
      { result: 'cannot-compare', reason: 'unknown-part-size' },
      ['head path2', 'part1 path2', 'digest [5] []'],
    ],
    [
      'a multipart ETag of unknown part size, but a full-object SHA-256',
      other,
      multipartEtag(data, 6 * MiB),
      { checksums: { sha256: sha256(data) } },
      { result: 'differs', reason: 'content-differs', evidence: 'sha256' },
      ['head path2', 'part1 path2', 'digest [8] [sha256]'],
    ],
    [
      'a recorded part size that does not give the ETag’s part count is ignored',
      data,
      multipartEtag(data, 6 * MiB),
      { recordedPartSize: 3 * MiB },
      { result: 'cannot-compare', reason: 'unknown-part-size' },
      ['head path2', 'part1 path2', 'digest [8] []'],
    ],
    ['an ETag of another form without checksums', data, 'opaque-etag', {}, { result: 'cannot-compare', reason: 'etag-not-md5' }, ['head path2']],
  ] as const)('%s', async (_name, local, etag, facts, expected, asked) => {
    const run = contextOf({ file: local, facts: { path2: facts } });
    expect(await checkContent(file(local), object(local.length, etag), run.context)).toMatchObject(expected);
    expect(run.asked).toEqual(asked);
  });

  it('a server that tells the size of part 1 settles an unusual part size, either way', async () => {
    const equal = contextOf({ file: data, firstPart: { path1: 6 * MiB } });
    expect(await checkContent(object(data.length, multipartEtag(data, 6 * MiB)), file(data), equal.context)).toEqual({ result: 'equal', evidence: 'multipart-etag' });
    const changed = contextOf({ file: other, firstPart: { path1: 6 * MiB } });
    expect(await checkContent(object(other.length, multipartEtag(data, 6 * MiB)), file(other), changed.context)).toEqual({
      result: 'differs',
      reason: 'content-differs',
      evidence: 'multipart-etag',
    });
  });

  it('a recorded part size copied with the metadata of another layout yields to the size the server tells', async () => {
    const run = contextOf({ file: data, facts: { path1: { recordedPartSize: 8 * MiB } }, firstPart: { path1: 6 * MiB } });
    expect(await checkContent(object(data.length, multipartEtag(data, 6 * MiB)), file(data), run.context)).toEqual({ result: 'equal', evidence: 'multipart-etag' });
    expect(run.asked).toEqual(['head path1', 'digest [8] []', 'part1 path1', 'digest [6] []']);
  });

  it('asks a HEAD for the ETag when the listing gave none', async () => {
    const run = contextOf({ file: data, facts: { path2: { etag: md5(data) } } });
    expect(await checkContent(file(data), object(data.length, undefined), run.context)).toEqual({ result: 'equal', evidence: 'md5' });
    expect(run.asked).toEqual(['head path2', 'digest [] []']);
  });
});

describe('checkContent: two objects', () => {
  const data = content(11 * MiB);
  const other = content(11 * MiB, 2);
  const size = data.length;

  it.each([
    ['equal MD5 ETags (no request)', md5(data), md5(data), {}, {}, {}, { result: 'equal', evidence: 'etag' }, []],
    ['equal multipart ETags (no request)', multipartEtag(data, 5 * MiB), multipartEtag(data, 5 * MiB), {}, {}, {}, { result: 'equal', evidence: 'etag' }, []],
    ['different MD5 ETags', md5(data), md5(other), {}, {}, {}, { result: 'differs', reason: 'content-differs', evidence: 'etag' }, ['head path1', 'head path2']],
    [
      'different MD5-like ETags, one object SSE-KMS',
      md5(data),
      md5(other),
      { encrypted: true },
      {},
      {},
      { result: 'cannot-compare', reason: 'etag-not-md5' },
      ['head path1', 'head path2'],
    ],
    [
      'different multipart ETags of one recorded part size',
      multipartEtag(data, 5 * MiB),
      multipartEtag(other, 5 * MiB),
      { recordedPartSize: 5 * MiB },
      { recordedPartSize: 5 * MiB },
      {},
      { result: 'differs', reason: 'content-differs', evidence: 'etag' },
      ['head path1', 'head path2'],
    ],
    [
      'same part count, part sizes unknown',
      multipartEtag(data, 5 * MiB),
      multipartEtag(other, 5 * MiB),
      {},
      {},
      {},
      { result: 'cannot-compare', reason: 'part-layouts-differ' },
      ['head path1', 'head path2', 'part1 path1', 'part1 path2'],
    ],
    [
      'same part count, part 1 sizes told by the server and equal',
      multipartEtag(data, 5 * MiB),
      multipartEtag(other, 5 * MiB),
      {},
      {},
      { path1: 5 * MiB, path2: 5 * MiB },
      { result: 'differs', reason: 'content-differs', evidence: 'etag' },
      ['head path1', 'head path2', 'part1 path1', 'part1 path2'],
    ],
    [
      'one part against parts: not comparable by ETag',
      md5(data),
      multipartEtag(data, 5 * MiB),
      {},
      {},
      {},
      { result: 'cannot-compare', reason: 'part-layouts-differ' },
      ['head path1', 'head path2'],
    ],
    [
      'one part against parts, with SHA-256 on both',
      md5(data),
      multipartEtag(data, 5 * MiB),
      { checksums: { sha256: sha256(data) } },
      { checksums: { sha256: sha256(data) } },
      {},
      { result: 'equal', evidence: 'sha256' },
      ['head path1', 'head path2'],
    ],
    [
      'different SHA-1 on both',
      md5(data),
      multipartEtag(other, 5 * MiB),
      { checksums: { sha1: 'a' } },
      { checksums: { sha1: 'b' } },
      {},
      { result: 'differs', reason: 'content-differs', evidence: 'sha1' },
      ['head path1', 'head path2'],
    ],
  ] as const)('%s', async (_name, etag1, etag2, facts1, facts2, firstPart, expected, asked) => {
    const run = contextOf({ facts: { path1: facts1, path2: facts2 }, firstPart });
    expect(await checkContent(object(size, etag1), object(size, etag2), run.context)).toMatchObject(expected);
    expect(run.asked).toEqual(asked);
  });
});
