import type { CannotCompareReason, ContentEvidence } from '../core/check.js';
import type { Entry } from '../core/entry.js';
import { candidatePartSizes, isMd5Etag, multipartPartCount } from '../core/multipart-etag.js';
import { isLocal } from './comparator.js';

/** Which location of a check an entry comes from. */
export type CheckSide = 'path1' | 'path2';

/** What a HEAD of an object tells a check beyond the listing. */
export interface ObjectFacts {
  /** The ETag, unquoted. */
  readonly etag: string | undefined;
  /** The part size s3kit recorded at upload (`x-amz-meta-s3kit-part-size`). */
  readonly recordedPartSize: number | undefined;
  /** True when the ETag is no digest of the content: SSE-KMS (also DSSE) or SSE-C. */
  readonly encrypted: boolean;
  /** Full-object checksums, base64 (composite `…-N` ones are left out: they depend on the parts). */
  readonly checksums: Readonly<Partial<Record<'sha256' | 'sha1', string>>>;
}

/** A local file's digests: MD5, multipart ETags by part size, and the checksums asked for (base64). */
export interface FileDigests {
  readonly md5: string;
  readonly multipartEtags: ReadonlyMap<number, string>;
  readonly checksums: Readonly<Partial<Record<'sha256' | 'sha1', string>>>;
}

/** The I/O a content check may ask for; each costs a request or a read, so it asks only when the listing cannot decide. */
export interface ContentCheckContext {
  /** One HEAD of an object (with checksums asked for). */
  readonly head: (entry: Entry, side: CheckSide) => Promise<ObjectFacts>;
  /** The size of an object's first part (a HEAD of part 1), or undefined when the server does not say. */
  readonly firstPartSize: (entry: Entry, side: CheckSide) => Promise<number | undefined>;
  /** Reads a local file once and digests it. */
  readonly digest: (entry: Entry, request: { readonly partSizes: readonly number[]; readonly checksums: readonly ('sha256' | 'sha1')[] }) => Promise<FileDigests>;
}

/** The answer of a content check for one key on both sides. */
export type ContentVerdict =
  | { readonly result: 'equal'; readonly evidence: ContentEvidence }
  | { readonly result: 'differs'; readonly reason: 'size-differs' }
  | { readonly result: 'differs'; readonly reason: 'content-differs'; readonly evidence: ContentEvidence }
  | { readonly result: 'cannot-compare'; readonly reason: CannotCompareReason; readonly message: string };

const CHECKSUM_ALGORITHMS = ['sha256', 'sha1'] as const;

/**
 * Compares the contents of one key held by both locations: sizes first, then what proves
 * equality or difference (MD5, multipart ETag, checksums). Unlike a sync's comparator it never
 * falls back to times or sizes: without evidence it answers `cannot-compare`.
 */
export async function checkContent(path1: Entry, path2: Entry, context: ContentCheckContext): Promise<ContentVerdict> {
  if (path1.size !== path2.size) return { result: 'differs', reason: 'size-differs' };
  if (isLocal(path1) && isLocal(path2)) throw new TypeError('checkContent compares a file with an object, or two objects.');
  if (isLocal(path1)) return fileWithObject(path1, path2, 'path2', context);
  if (isLocal(path2)) return fileWithObject(path2, path1, 'path1', context);
  return objectWithObject(path1, path2, context);
}

async function fileWithObject(file: Entry, object: Entry, side: CheckSide, context: ContentCheckContext): Promise<ContentVerdict> {
  let facts: ObjectFacts | undefined;
  const head = async (): Promise<ObjectFacts> => (facts ??= await context.head(object, side));
  const etag = lower(object.etag) ?? lower((await head()).etag);
  if (etag !== undefined && isMd5Etag(etag)) {
    const digest = await context.digest(file, { partSizes: [], checksums: [] });
    if (digest.md5 === etag) return equal('md5');
    const known = await head();
    if (!known.encrypted) return differs('md5');
    return (await fileChecksums(file, known, context)) ?? cannot('etag-not-md5', `the object's ETag is not an MD5 (it is encrypted with SSE-KMS or SSE-C) and it carries no SHA-256 or SHA-1 checksum`);
  }
  const parts = etag === undefined ? undefined : multipartPartCount(etag);
  if (etag === undefined || parts === undefined) {
    const known = await head();
    return (await fileChecksums(file, known, context)) ?? cannot('etag-not-md5', `the object's ETag ${JSON.stringify(etag ?? '')} is no MD5 and it carries no SHA-256 or SHA-1 checksum`);
  }
  const known = await head();
  // A part size is known when s3kit recorded it or the server tells the size of part 1; one that
  // does not give the ETag's part count is not this object's.
  const fits = (size: number | undefined): number | undefined => (size !== undefined && Math.ceil(file.size / size) === parts ? size : undefined);
  const recorded = fits(known.recordedPartSize);
  let told = recorded === undefined ? fits(await context.firstPartSize(object, side)) : undefined;
  const partSizes = candidatePartSizes(file.size, parts, recorded ?? told);
  const checksums = CHECKSUM_ALGORITHMS.filter((algorithm) => known.checksums[algorithm] !== undefined);
  const digest = await context.digest(file, { partSizes, checksums });
  if (partSizes.some((size) => digest.multipartEtags.get(size) === etag)) return equal('multipart-etag');
  const byChecksum = compareChecksums(digest.checksums, known.checksums);
  if (byChecksum !== undefined) return byChecksum;
  if (recorded !== undefined) {
    // The record travels with the metadata: a copy made in parts of another size keeps the
    // source's. Where the server tells part 1's size, that wins.
    told = fits(await context.firstPartSize(object, side));
    if (told !== undefined && told !== recorded) {
      const again = await context.digest(file, { partSizes: [told], checksums: [] });
      if (again.multipartEtags.get(told) === etag) return equal('multipart-etag');
    }
  }
  if (known.encrypted) return cannot('etag-not-md5', 'the object is encrypted with SSE-KMS or SSE-C, so its ETag is no digest of the content, and it carries no SHA-256 or SHA-1 checksum');
  if (recorded !== undefined || told !== undefined) return differs('multipart-etag');
  return cannot(
    'unknown-part-size',
    `the object was uploaded in ${parts} parts of a size neither recorded by s3kit nor told by the server, and ` +
      (partSizes.length === 0 ? 'no common part size gives that many parts' : `no common part size that gives that many parts (${partSizes.map(mib).join(', ')}) reproduces its ETag`),
  );
}

async function objectWithObject(a: Entry, b: Entry, context: ContentCheckContext): Promise<ContentVerdict> {
  const facts: Partial<Record<CheckSide, ObjectFacts>> = {};
  const head = async (entry: Entry, side: CheckSide): Promise<ObjectFacts> => (facts[side] ??= await context.head(entry, side));
  const etagA = lower(a.etag) ?? lower((await head(a, 'path1')).etag);
  const etagB = lower(b.etag) ?? lower((await head(b, 'path2')).etag);
  const familiar = (etag: string | undefined): etag is string => etag !== undefined && (isMd5Etag(etag) || multipartPartCount(etag) !== undefined);
  // Equal digests of one shape (both MD5s, or both multipart with the same part count) are equal contents.
  if (familiar(etagA) && etagA === etagB) return equal('etag');
  const [factsA, factsB] = [await head(a, 'path1'), await head(b, 'path2')];
  const byChecksum = compareChecksums(factsA.checksums, factsB.checksums);
  if (byChecksum !== undefined) return byChecksum;
  if (factsA.encrypted || factsB.encrypted || !familiar(etagA) || !familiar(etagB)) {
    return cannot('etag-not-md5', 'an ETag is no digest of the content (SSE-KMS, SSE-C or an ETag of another form) and the objects carry no common SHA-256 or SHA-1 checksum');
  }
  if (isMd5Etag(etagA) && isMd5Etag(etagB)) return differs('etag');
  const [partsA, partsB] = [multipartPartCount(etagA), multipartPartCount(etagB)];
  if (partsA !== undefined && partsA === partsB) {
    const sizeA = factsA.recordedPartSize ?? (await context.firstPartSize(a, 'path1'));
    const sizeB = factsB.recordedPartSize ?? (await context.firstPartSize(b, 'path2'));
    if (sizeA !== undefined && sizeA === sizeB) return differs('etag');
  }
  return cannot(
    'part-layouts-differ',
    `the objects were uploaded differently (ETags ${etagA} and ${etagB}: ${describeLayout(etagA)} and ${describeLayout(etagB)}), ` +
      'so their ETags cannot be compared, and they carry no common SHA-256 or SHA-1 checksum',
  );
}

async function fileChecksums(file: Entry, facts: ObjectFacts, context: ContentCheckContext): Promise<ContentVerdict | undefined> {
  const checksums = CHECKSUM_ALGORITHMS.filter((algorithm) => facts.checksums[algorithm] !== undefined);
  if (checksums.length === 0) return undefined;
  const digest = await context.digest(file, { partSizes: [], checksums });
  return compareChecksums(digest.checksums, facts.checksums);
}

function compareChecksums(
  a: Readonly<Partial<Record<'sha256' | 'sha1', string>>>,
  b: Readonly<Partial<Record<'sha256' | 'sha1', string>>>,
): ContentVerdict | undefined {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const [x, y] = [a[algorithm], b[algorithm]];
    if (x !== undefined && y !== undefined) return x === y ? equal(algorithm) : differs(algorithm);
  }
  return undefined;
}

function describeLayout(etag: string): string {
  const parts = multipartPartCount(etag);
  return parts === undefined ? 'one part' : `${parts} parts`;
}

function mib(size: number): string {
  return `${size / (1024 * 1024)} MiB`;
}

function lower(etag: string | undefined): string | undefined {
  return etag === undefined || etag === '' ? undefined : etag.toLowerCase();
}

function equal(evidence: ContentEvidence): ContentVerdict {
  return { result: 'equal', evidence };
}

function differs(evidence: ContentEvidence): ContentVerdict {
  return { result: 'differs', reason: 'content-differs', evidence };
}

function cannot(reason: CannotCompareReason, message: string): ContentVerdict {
  return { result: 'cannot-compare', reason, message };
}
