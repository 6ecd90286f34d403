import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { MTIME_METADATA, PART_SIZE_METADATA, parseMtimeMetadata, type Entry } from '../core/entry.js';
import { TransferError } from '../core/errors.js';
import { stripEtagQuotes } from '../core/etag.js';
import type { TransferMethod } from '../core/events.js';
import { candidatePartSizes, isMd5Etag, multipartEtagOf, multipartPartCount, PartHasher } from '../core/multipart-etag.js';
import { describeS3Error, httpStatus, s3ErrorCode } from '../core/s3-errors.js';
import { updateRecord as updateState } from '../core/update-record.js';
import type { StateStore } from '../state/state-store.js';
import { throttled } from './bandwidth-limiter.js';
import { digestFile } from './file-digest.js';
import { hashPool, type SequentialMd5 } from './hash-pool.js';
import { checkPathBelowRoot, type PathCheck } from './local-destination.js';
import type { ObjectTransfer } from './object-transfer.js';
import { runParts } from './part-runner.js';
import { asTransferError as wrapTransferError } from './transfer-error.js';
import { sseCustomerParams } from './sse-customer.js';

/** Names of the temporary files downloads write before renaming them into place. */
export const DOWNLOAD_TEMP_NAME = /^\.s3kit-[0-9a-f]{12}\.part$/;

/** One object to download into a file. */
export interface DownloadRequest extends ObjectTransfer {
  /** The destination directory, resolved to its real path: no link below it is ever followed. */
  readonly root: string;
  /** The destination path, already checked (as a string) to lie inside `root`. */
  readonly path: string;
  readonly method: TransferMethod;
  /**
   * The plan found no file at this key: the file is put in place only if none exists, so a file
   * system that treats names differing in case or Unicode normalisation as one never has a
   * file silently replaced by another key's content.
   */
  readonly createOnly: boolean;
  /**
   * With a state store, a ranged download records the parts written to its temp file; an
   * interrupted one is resumed by the next run (same object ETag and size) instead of restarted.
   */
  readonly state?: StateStore;
  /** With `state`: keep an interrupted download's temp file to resume (true), or remove it. */
  readonly resume?: boolean;
}

/**
 * What is recorded about a ranged download in progress.
 * @public
 */
export interface DownloadRecord {
  /** The object's ETag: a different version starts over. */
  readonly etag: string;
  /** The object's size. */
  readonly size: number;
  /** Bytes per ranged GET. */
  readonly partSize: number;
  /** The temp file beside the destination. */
  readonly temp: string;
  /** Part numbers (1-based) already written to the temp file. */
  readonly done: readonly number[];
}

/**
 * The state key of a download record.
 * @public
 */
export function downloadStateKey(path: string): string {
  return `downloads/${path}`;
}

/**
 * Opens a kept temp file to resume without following a link in its name (where the platform
 * has O_NOFOLLOW; the name is s3kit's own, in a directory checked for links).
 */
const RESUME_FLAGS = constants.O_RDWR | (constants.O_NOFOLLOW ?? 0);

/**
 * Downloads an object to a temporary file beside the destination, checks it, sets its mtime
 * (the object's stored `x-amz-meta-mtime`, else `LastModified`) and renames it into place, so
 * the destination path never holds a partial file. Large objects come in parallel ranged GETs
 * written at their offsets. Every GET carries `If-Match` with the listed ETag, so an object
 * replaced mid-download fails instead of mixing two versions. A failure removes the temp file.
 * Nothing is created, written or renamed through a symbolic link below `root`: such a key fails
 * with `SymlinkInPath`, and a link at the destination path itself is refused, not replaced.
 */
export async function downloadObject(request: DownloadRequest): Promise<void> {
  const check: PathCheck = { operation: 'get', key: request.source.key, create: true, directory: request.method === 'mkdir' };
  await checkPathBelowRoot(request.root, request.path, check);
  if (request.method === 'mkdir') return;
  // Set when this download records its progress: a ranged GET of an object with an ETag, with a store.
  const resume =
    request.method === 'ranged-get' && request.state !== undefined && request.source.etag !== undefined
      ? { state: request.state, etag: request.source.etag, key: downloadStateKey(request.path) }
      : undefined;
  const previous = resume === undefined ? undefined : await resumeRecord(request, resume.state);
  // A fresh random name opened with O_EXCL ('wx+') never follows a link planted at that name;
  // read-write, since the hash workers read the written parts back through this descriptor.
  const temp = previous?.temp ?? join(dirname(request.path), `.s3kit-${randomBytes(6).toString('hex')}.part`);
  const handle = await open(temp, previous === undefined ? 'wx+' : RESUME_FLAGS);
  let closed = false;
  try {
    if (resume !== undefined && previous === undefined) {
      const record: DownloadRecord = { etag: resume.etag, size: request.source.size, partSize: request.partSize, temp, done: [] };
      await resume.state.set(resume.key, record);
    }
    const fetched =
      request.method === 'ranged-get' ? await rangedGet(request, handle, new Set(previous?.done ?? [])) : await singleGet(request, handle);
    const { mtimeMs } = fetched;
    // Through the handle: the temp file's name is never resolved again except to rename it.
    await handle.utimes(new Date(), new Date(mtimeMs));
    await handle.close();
    closed = true;
    await verifyContent(request, temp, fetched);
    // Checked again just before the rename: a directory swapped for a link since the download
    // began is refused here (a swap inside the remaining window is the residual race described
    // in local-destination.ts). rename() over a link would replace the link, not write through
    // it, but a link there is refused all the same: it is the user's, not ours to replace.
    await checkPathBelowRoot(request.root, request.path, { ...check, create: false });
    await (request.createOnly ? placeNew(temp, request) : rename(temp, request.path));
    if (resume !== undefined) await resume.state.delete(resume.key);
  } catch (error) {
    if (!closed) await handle.close().catch(() => {});
    const failure = asTransferError(error, request);
    // Keep what was fetched for the next attempt or run, unless the bytes themselves are wrong
    // (integrity), the object changed (412) or the file cannot be placed (collision).
    const code = failure instanceof TransferError ? failure.code : undefined;
    const keep =
      resume !== undefined &&
      request.resume !== false &&
      code !== 'IntegrityError' &&
      code !== 'PreconditionFailed' &&
      code !== 'KeyCollision' &&
      code !== 'SymlinkInPath';
    if (!keep) {
      await removeTemp(request, temp);
      if (resume !== undefined) await resume.state.delete(resume.key);
    }
    throw failure;
  }
}

/**
 * Removes a temp file of ours unless its directory has become a link since it was made: then the
 * name no longer leads to our file, and nothing is deleted through the link.
 */
async function removeTemp(request: DownloadRequest, temp: string): Promise<void> {
  const reachable = await checkPathBelowRoot(request.root, temp, { operation: 'get', key: request.source.key, create: false }).then(
    () => true,
    () => false,
  );
  if (reachable) await rm(temp, { force: true });
}

/** The record of an interrupted download of this very object version, if its temp file is intact. */
async function resumeRecord(request: DownloadRequest, state: StateStore): Promise<DownloadRecord | undefined> {
  const record = await state.get<DownloadRecord>(downloadStateKey(request.path));
  if (record === undefined) return undefined;
  // Only a temp file of ours, beside the destination path (whose directories were just checked
  // for links), is ever reopened or removed.
  const ours = dirname(record.temp) === dirname(request.path) && DOWNLOAD_TEMP_NAME.test(basename(record.temp));
  const usable =
    ours &&
    record.etag === request.source.etag &&
    record.size === request.source.size &&
    record.partSize === request.partSize &&
    (await lstat(record.temp).then((stats) => stats.isFile() && stats.size === record.size, () => false));
  if (usable) return record;
  if (ours) await rm(record.temp, { force: true });
  await state.delete(downloadStateKey(request.path));
  return undefined;
}

/**
 * Moves the temp file to a path that must not exist yet: link() fails with EEXIST instead of
 * replacing (rename would replace). File systems without hard links fall back to a check and
 * rename.
 */
async function placeNew(temp: string, request: DownloadRequest): Promise<void> {
  try {
    await link(temp, request.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw await collision(request);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
    if (await exists(request.path)) throw await collision(request);
    await rename(temp, request.path);
    return;
  }
  await rm(temp, { force: true });
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Says what is in the way at the destination path, which tells the user what collided. */
async function collision(request: DownloadRequest): Promise<TransferError> {
  const key = JSON.stringify(request.source.key);
  const found = await lstat(request.path).catch(() => undefined);
  const message =
    found?.isSymbolicLink() === true
      ? `a symbolic link is at ${request.path} where the file for ${key} would go; s3kit neither follows nor replaces it: not overwritten.`
      : found?.isDirectory() === true
        ? `a directory is at ${request.path} where the file for ${key} would go: the bucket holds both ${key} and keys under ${JSON.stringify(`${request.source.key}/`)} ` +
          '(or a folder marker), which a local file system cannot hold side by side; not overwritten.'
        : `a file already exists at ${request.path} though the listing showed none for ${key}: another key differing only in case or Unicode normalisation ` +
          'maps to the same name on this file system, or the file appeared meanwhile; not overwritten.';
  return new TransferError('get', request.source.key, message, { code: 'KeyCollision' });
}

/**
 * A download whose directory cannot be made because a file (or a link) is where a directory
 * must go: the bucket holds both `x` and `x/y`. Other errors come back unchanged.
 * @internal
 */
export async function explainBlockedDirectory(error: unknown, key: string, path: string, root: string): Promise<unknown> {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if ((code !== 'EEXIST' && code !== 'ENOTDIR') || (error as NodeJS.ErrnoException).syscall !== 'mkdir') return error;
  // Only directories inside the destination are s3kit's to explain.
  for (let dir = dirname(path); dir.length > root.length && dir.startsWith(root); dir = dirname(dir)) {
    const found = await lstat(dir).catch(() => undefined);
    if (found === undefined || found.isDirectory()) continue;
    const kind = found.isSymbolicLink() ? 'a symbolic link' : 'a file';
    return new TransferError(
      'get',
      key,
      `${kind} is at ${dir} where the directory for ${JSON.stringify(key)} would go: the bucket holds both a key for that name and keys under it, ` +
        'which a local file system cannot hold side by side; not overwritten.',
      { code: 'KeyCollision', cause: error },
    );
  }
  return error;
}

interface Fetched {
  readonly mtimeMs: number;
  readonly etag: string | undefined;
  /** s3kit's recorded part size, if the object was uploaded in parts by s3kit. */
  readonly recordedPartSize: number | undefined;
  /**
   * The multipart ETag the downloaded ranges make (ranged GET, every range fetched in this run):
   * equal to the object's when it was uploaded with the same part size.
   */
  readonly multipartEtag?: string;
  /** The MD5 of the whole file (ranged GET of an object with a single-part ETag). */
  readonly md5?: string;
}

async function singleGet(request: DownloadRequest, handle: FileHandle): Promise<Fetched> {
  const response = await get(request);
  const fetched = describeResponse(response, request.source);
  const etag = fetched.etag;
  // The headers came first: the body is hashed on the way as the ETag needs it, the whole MD5
  // for a single-part ETag, or the parts for a multipart ETag of known part size.
  // An SSE-C object's ETag is no digest of its content (on AWS): only the size can be checked.
  const expected = request.sseCustomer === undefined ? etag?.toLowerCase() : undefined;
  const hash = expected !== undefined && isMd5Etag(expected) ? createHash('md5') : undefined;
  const partHashers = multipartCandidates(expected, request.source.size, fetched.recordedPartSize).map((partSize) => new PartHasher(partSize));
  let loaded = 0;
  let written = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash?.update(chunk);
      for (const hasher of partHashers) hasher.update(chunk);
      loaded += chunk.length;
      handle.write(chunk, 0, chunk.length, written).then(() => {
        written += chunk.length;
        request.onProgress(loaded);
        callback();
      }, callback);
    },
  });
  await pipeBody(request, response, sink);
  checkSize(request, written);
  if (hash !== undefined && hash.digest('hex') !== expected) throw corrupted(request, 'MD5 does not match the ETag');
  if (partHashers.length > 0 && !partHashers.some((hasher) => hasher.etag() === expected)) {
    throw corrupted(request, 'the multipart ETag does not match');
  }
  return fetched;
}

/**
 * The part sizes to recompute a multipart ETag with, or none when it cannot be checked. Checked
 * only when s3kit recorded the part size and that size gives the ETag's part count; the common
 * sizes giving the same count are tried too, since a copy between buckets keeps the recorded
 * size in its metadata while it may have been stored in parts of another size. A body matching
 * none of them is corrupt: a stray match with a wrong part size is an MD5 collision.
 */
function multipartCandidates(etag: string | undefined, size: number, recordedPartSize: number | undefined): number[] {
  const count = etag === undefined ? undefined : multipartPartCount(etag);
  if (count === undefined || recordedPartSize === undefined || Math.ceil(size / recordedPartSize) !== count) return [];
  return candidatePartSizes(size, count, recordedPartSize);
}

async function rangedGet(request: DownloadRequest, handle: FileHandle, done: ReadonlySet<number>): Promise<Fetched> {
  const { source, partSize } = request;
  const size = source.size;
  if (done.size === 0) await handle.truncate(size);
  let loaded = [...done].reduce((sum, number) => sum + Math.min(partSize, size - (number - 1) * partSize), 0);
  request.onProgress(loaded);
  const hashes = new PartHashes(handle.fd, size, partSize, source.etag);
  for (const number of done) hashes.written(number); // kept from an interrupted run: hashed from the file
  const fetchPart = async (start: number, range = `bytes=${start}-${Math.min(start + partSize, size) - 1}`): Promise<GetObjectCommandOutput> => {
    const response = await get(request, range);
    const number = start / partSize + 1;
    if (done.has(number)) return response; // only its headers were wanted
    const expected = Math.min(start + partSize, size) - start;
    // Streamed to its offset chunk by chunk: memory stays at a few chunks per part in flight.
    let written = 0;
    const sink = new Writable({
      // While one write is in flight the next chunks queue up (up to 1 MiB) and go in one writev.
      highWaterMark: 1024 * 1024,
      writev(chunks, callback) {
        const buffers = chunks.map(({ chunk }) => chunk as Buffer);
        const length = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
        handle.writev(buffers, start + written).then(() => {
          written += length;
          loaded += length;
          request.onProgress(loaded);
          callback();
        }, callback);
      },
    });
    await pipeBody(request, response, sink);
    if (written !== expected) throw corrupted(request, `part at ${start} has ${written} bytes, expected ${expected}`);
    hashes.written(number);
    if (request.state !== undefined && request.source.etag !== undefined) {
      await updateState<DownloadRecord>(request.state, downloadStateKey(request.path), (record) =>
        record === undefined ? undefined : { ...record, done: [...record.done, number] },
      );
    }
    return response;
  };
  // The first part's answer carries the metadata; when it was kept, one byte of it is enough.
  const rest = function* (): Generator<number> {
    for (let start = partSize; start < size; start += partSize) if (!done.has(start / partSize + 1)) yield start;
  };
  let first: GetObjectCommandOutput;
  try {
    first = await fetchPart(0, done.has(1) ? 'bytes=0-0' : undefined);
    await runParts(
      rest(),
      async (start) => {
        await fetchPart(start);
      },
      { concurrency: request.queueSize, signal: request.signal },
    );
  } finally {
    // The workers read through this handle's descriptor: it stays open until they are done.
    await hashes.settled();
  }
  return { ...describeResponse(first, request.source), ...(await hashes.result()) };
}

/**
 * The digests a ranged download is checked with, computed on the hash pool's worker threads as
 * parts land in the file (each byte hashed once, while later parts are still arriving): the
 * whole MD5 for a single-part ETag, fed in order as the written prefix grows, or each part's MD5
 * for a multipart ETag.
 */
class PartHashes {
  readonly #pool = hashPool();
  readonly #sequential: SequentialMd5 | undefined;
  readonly #parts: Promise<Buffer>[] = [];
  readonly #written = new Set<number>();
  #nextInOrder = 1;

  constructor(
    readonly fd: number,
    readonly size: number,
    readonly partSize: number,
    etag: string | undefined,
  ) {
    this.#sequential = etag !== undefined && isMd5Etag(etag) ? this.#pool.sequentialMd5() : undefined;
    this.mode = etag === undefined ? 'none' : this.#sequential !== undefined ? 'md5' : 'parts';
  }

  readonly mode: 'none' | 'md5' | 'parts';

  /** Part `number` (1-based) is in the file. */
  written(number: number): void {
    if (this.mode === 'parts') {
      const hashed = this.#pool.md5Range(this.fd, ...this.#range(number));
      hashed.catch(() => {}); // reported by result()
      this.#parts[number - 1] = hashed;
    } else if (this.#sequential !== undefined) {
      this.#written.add(number);
      while (this.#written.delete(this.#nextInOrder)) this.#sequential.feed(this.fd, ...this.#range(this.#nextInOrder++));
    }
  }

  /** Waits for every hash asked for so far, successful or not. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#parts, ...(this.#sequential === undefined ? [] : [this.#sequential.digest()])]);
  }

  /** The digests, once every part was written. */
  async result(): Promise<Pick<Fetched, 'md5' | 'multipartEtag'>> {
    if (this.#sequential !== undefined) return { md5: (await this.#sequential.digest()).toString('hex') };
    if (this.mode !== 'parts') return {};
    const count = Math.ceil(this.size / this.partSize);
    return { multipartEtag: multipartEtagOf(await Promise.all(Array.from({ length: count }, (_, i) => this.#parts[i]!))) };
  }

  #range(number: number): [number, number] {
    const start = (number - 1) * this.partSize;
    return [start, Math.min(this.partSize, this.size - start)];
  }
}

/**
 * Pipes a response body into `sink`, through the run's bandwidth limit when there is one: while
 * a chunk waits for it, the body is not read, so the connection slows down too.
 */
function pipeBody(request: DownloadRequest, response: GetObjectCommandOutput, sink: Writable): Promise<void> {
  const body = response.Body as NodeJS.ReadableStream;
  const { limiter, signal } = request;
  return limiter === undefined ? pipeline(body, sink, { signal }) : pipeline(body, throttled(limiter, signal), sink, { signal });
}

function get(request: DownloadRequest, range?: string): Promise<GetObjectCommandOutput> {
  const ifMatch = request.source.etag === undefined ? undefined : `"${request.source.etag}"`;
  return request.client.send(
    new GetObjectCommand({ Bucket: request.bucket, Key: request.objectKey, Range: range, IfMatch: ifMatch, ...sseCustomerParams(request.sseCustomer) }),
    { abortSignal: request.signal },
  );
}

function describeResponse(response: GetObjectCommandOutput, source: Entry): Fetched {
  const partSize = Number(response.Metadata?.[PART_SIZE_METADATA]);
  return {
    // The listing's LastModified has milliseconds, the response header only seconds: use the
    // listing's, which is what the next comparison sees.
    mtimeMs: parseMtimeMetadata(response.Metadata?.[MTIME_METADATA]) ?? source.mtimeMs,
    etag: stripEtagQuotes(response.ETag),
    recordedPartSize: Number.isInteger(partSize) && partSize > 0 ? partSize : undefined,
  };
}

/**
 * After a ranged download: the MD5 of the whole file against a single-part ETag, or the
 * multipart ETag recomputed with s3kit's recorded part size (see {@link multipartCandidates}).
 * (A single GET checked both while streaming.) Objects whose ETag cannot be reproduced are
 * checked by size only.
 */
async function verifyContent(request: DownloadRequest, temp: string, fetched: Fetched): Promise<void> {
  const { etag, recordedPartSize } = fetched;
  if (request.method !== 'ranged-get' || etag === undefined || request.sseCustomer !== undefined) return;
  if (isMd5Etag(etag)) {
    const md5 = fetched.md5 ?? (await digestFile(temp, [], request.signal)).md5;
    if (md5 !== etag.toLowerCase()) throw corrupted(request, 'MD5 does not match the ETag');
    return;
  }
  let partSizes = multipartCandidates(etag, request.source.size, recordedPartSize);
  // Downloaded in ranges of a candidate part size: the ranges' MD5s settle it without a re-read.
  if (fetched.multipartEtag !== undefined && partSizes.includes(request.partSize)) {
    if (fetched.multipartEtag === etag.toLowerCase()) return;
    partSizes = partSizes.filter((partSize) => partSize !== request.partSize);
    if (partSizes.length === 0) throw corrupted(request, 'the multipart ETag does not match');
  }
  if (partSizes.length === 0) return;
  const digest = await digestFile(temp, partSizes, request.signal);
  if (!partSizes.some((partSize) => digest.multipartEtags.get(partSize) === etag.toLowerCase())) {
    throw corrupted(request, 'the multipart ETag does not match');
  }
}

function checkSize(request: DownloadRequest, written: number): void {
  if (written !== request.source.size) {
    throw corrupted(request, `received ${written} bytes, the listing said ${request.source.size}`);
  }
}

function corrupted(request: DownloadRequest, what: string): TransferError {
  return new TransferError('get', request.source.key, `download of ${basename(request.path)} failed its integrity check: ${what}; nothing was written.`, {
    code: 'IntegrityError',
    retryable: true,
  });
}

function asTransferError(error: unknown, request: DownloadRequest): unknown {
  if (request.signal.aborted) return request.signal.reason;
  if (error instanceof TransferError) return error;
  if (httpStatus(error) === 412) {
    return new TransferError('get', request.source.key, 'the object changed since it was listed; it will be downloaded on the next run.', {
      code: 'PreconditionFailed',
    });
  }
  // A wrong SSE-C key is refused with 403 (AWS) or 400 InvalidArgument "the calculated MD5 of
  // the key did not match" (radosgw), neither of which says what to do.
  const status = httpStatus(error);
  if (request.sseCustomer !== undefined && !request.signal.aborted && (status === 403 || (status === 400 && s3ErrorCode(error) === 'InvalidArgument'))) {
    return new TransferError(
      'get',
      request.source.key,
      `the object cannot be read with the SSE-C key given (${describeS3Error(error, request.bucket)}): it was encrypted with another key, or without SSE-C; give the key it was written with.`,
      { code: s3ErrorCode(error), cause: error },
    );
  }
  return wrapTransferError(error, {
    operation: 'get',
    key: request.source.key,
    bucket: request.bucket,
    signal: request.signal,
    read: { bucket: request.bucket, objectKey: request.objectKey, storageClass: request.source.storageClass },
  });
}
