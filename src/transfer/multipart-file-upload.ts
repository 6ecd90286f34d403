import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import {
  CompleteMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { TransferError } from '../core/errors.js';
import { abortMultipartUpload, createMultipartUpload, type UploadTarget } from './create-upload.js';
import { stripEtagQuotes } from '../core/etag.js';
import { multipartEtagOf } from '../core/multipart-etag.js';
import { httpStatus, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';
import type { StateStore } from '../state/state-store.js';
import { notAFile, settledIdentity, SOURCE_READ_FLAGS, stillSameFile } from './file-identity.js';
import { DEFAULT_RETRY_BASE_DELAY_MS, partCountOf, partSizeFor } from './limits.js';
import type { ObjectTransfer } from './object-transfer.js';
import { runParts } from './part-runner.js';
import { partPages } from './upload-pages.js';
import { withRetry } from './retry.js';
import { updateRecord as updateState } from '../core/update-record.js';
import { conditionFields, type WriteCondition } from './write-condition.js';
import { sseCustomerParams } from './sse-customer.js';

/**
 * What is kept in the StateStore about a multipart upload in progress, so that a later run can
 * resume it.
 * @public
 */
export interface UploadRecord {
  /** The server's id of the upload. */
  readonly uploadId: string;
  /** The target bucket. */
  readonly bucket: string;
  /** The full object key. */
  readonly key: string;
  /** Bytes per part (the last may be smaller). */
  readonly partSize: number;
  /** The source file's size when the upload began. */
  readonly size: number;
  /** The file's mtime when the upload began. */
  readonly mtimeMs: number;
  /**
   * The file's ctime when the upload began: any write moves it, even one that puts the mtime
   * back, so a resumed upload notices a rewritten file. Absent in records of older versions.
   */
  readonly ctimeMs?: number;
  /** The file's inode number when the upload began: a file replaced by another is not resumed. */
  readonly ino?: number;
  /** MD5 of the file's first and last 64 KiB and its size: a cheap check that it is the same file. */
  readonly fingerprint: string;
  /** Parts the server has confirmed, by part number: ETag (the part's MD5) and size. */
  readonly parts: Readonly<Record<string, { readonly etag: string; readonly size: number }>>;
  /** When the upload began (ISO 8601). */
  readonly startedAt: string;
}

/**
 * The state key of an upload record.
 * @public
 */
export function uploadStateKey(bucket: string, key: string): string {
  return `uploads/${bucket}/${key}`;
}

/** One file to upload in parts. */
export interface MultipartFileUpload extends ObjectTransfer {
  /** Object parameters (metadata, content type, storage class, encryption) for the file's mtime and the part size. */
  readonly params: (mtimeMs: number, partSize: number) => Omit<PutObjectCommandInput, 'Bucket' | 'Key' | 'Body'>;
  /** Where progress is recorded for resuming; without it a failed upload is aborted. */
  readonly state: StateStore | undefined;
  /** With a state store: keep a failed or interrupted upload to resume (true), or abort it. */
  readonly resume: boolean;
  /** Told how many parts were sent and how many were kept from an earlier run. */
  readonly onParts?: (counts: { readonly sent: number; readonly kept: number }) => void;
  /** A precondition on the object replaced, sent with CompleteMultipartUpload (see `TransferRoute.writeCondition`). */
  readonly condition?: WriteCondition;
}

const FINGERPRINT_BYTES = 64 * 1024;

/** Retries of CompleteMultipartUpload after a retryable failure (beyond the SDK's own). */
const COMPLETE_RETRIES = 3;

/**
 * A completion is tried again unless the server refused it (4xx other than throttling): a 5xx,
 * and a failure without an HTTP answer at all (a refused, unreachable or reset connection),
 * may have been a lost answer or a passing fault. A retry after an applied completion gets
 * NoSuchUpload, which the HEAD settles.
 */
function completionRetryable(error: unknown): boolean {
  return isRetryableError(error) || (httpStatus(error) ?? 500) >= 500;
}

/**
 * Uploads a file in parts, each checked by the server (Content-MD5 over HTTPS; the signed SHA-256
 * of the body over HTTP), so a corrupted part is refused. With a
 * state store, every confirmed part is recorded; a later run for the same file and key lists
 * the upload's parts (ListParts), keeps those whose MD5 matches the file, and sends only the
 * rest. It starts afresh when the file changed (size, mtime, ctime, inode, fingerprint) or the
 * server no longer knows the upload.
 *
 * The file must stay the same file while it is read: its identity (size, mtime, ctime, inode,
 * device, on the open handle and on the path) is compared before and after every part and
 * before CompleteMultipartUpload, so a rewrite — even one that puts the mtime back — fails the
 * upload with the retryable `SourceChanged` (the transfer is retried from the start) instead of
 * storing an object made of old and new parts.
 *
 * Invariant: every multipart upload this call created is, when the call returns, completed,
 * aborted, or recorded in the StateStore (under `uploadStateKey`) to be resumed. Records are
 * only written where none is (another process may own the one that is there), changed only
 * while they still hold this upload's id, and re-read before a failed upload is kept: an upload
 * whose record vanished or was replaced under us is aborted, never left behind.
 */
export async function uploadFileInParts(request: MultipartFileUpload): Promise<void> {
  const path = request.source.path;
  if (path === undefined) throw new TransferError('multipart', request.source.key, 'internal error: an upload in parts needs a local file.');
  const handle = await open(path, SOURCE_READ_FLAGS);
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw notAFile(request.source.key, path);
  }
  const stateKey = uploadStateKey(request.bucket, request.objectKey);
  // The upload being worked on, until it is completed (then undefined): the catch below aborts
  // it unless it is recorded for resuming.
  let uploadId: string | undefined;
  try {
    const identity = await settledIdentity(handle);
    const unchanged = async (): Promise<void> => {
      if (!(await stillSameFile(handle, path, identity))) throw sourceChanged(request);
    };
    await unchanged();
    const partSize = partSizeFor(identity.size, request.partSize);
    const fingerprint = await fingerprintOf(handle, identity.size);
    const kept = new Map<number, { etag: string; size: number }>();
    const previous = request.state === undefined ? undefined : await request.state.get<UploadRecord>(stateKey);
    if (previous !== undefined) {
      const same =
        previous.size === identity.size &&
        previous.mtimeMs === identity.mtimeMs &&
        (previous.ctimeMs === undefined || previous.ctimeMs === identity.ctimeMs) &&
        (previous.ino === undefined || previous.ino === identity.ino) &&
        previous.fingerprint === fingerprint &&
        previous.partSize === partSize;
      const listed = same ? await listParts(request, previous.uploadId) : undefined;
      if (listed === undefined) {
        await abortUpload(request, previous.uploadId);
        await forget(request, previous.uploadId);
      } else {
        uploadId = previous.uploadId;
        for (const [number, part] of listed) {
          // Keep a part only if the file still holds exactly those bytes.
          if (part.etag === (await partMd5(handle, number, partSize, identity.size))) kept.set(number, part);
        }
      }
    }
    if (uploadId === undefined) {
      request.signal.throwIfAborted();
      uploadId = await createUpload(request, identity.mtimeMs, partSize);
      const record: UploadRecord = {
        uploadId,
        bucket: request.bucket,
        key: request.objectKey,
        partSize,
        size: identity.size,
        mtimeMs: identity.mtimeMs,
        ctimeMs: identity.ctimeMs,
        ino: identity.ino,
        fingerprint,
        parts: {},
        startedAt: new Date().toISOString(),
      };
      // Only into an empty slot: a record there belongs to an upload another run may be
      // sending right now. Ours then stays unrecorded, and is completed or aborted by this call.
      if (request.state !== undefined) await updateState<UploadRecord>(request.state, stateKey, (current) => current ?? record);
      request.signal.throwIfAborted();
    }
    const id = uploadId;
    // Over plain HTTP the SDK signs each body's SHA-256 and the server checks it, so a damaged
    // part is already refused; hashing it with MD5 too would double the CPU spent per byte.
    // Over HTTPS the SDK sends UNSIGNED-PAYLOAD, and Content-MD5 is what protects the part.
    const signedPayload = (await request.client.config.endpoint?.())?.protocol === 'http:';
    const partCount = partCountOf(identity.size, partSize);
    let loaded = [...kept.values()].reduce((sum, part) => sum + part.size, 0);
    request.onProgress(loaded);
    const done = new Map(kept);
    const missing = function* (): Generator<number> {
      for (let number = 1; number <= partCount; number++) if (!done.has(number)) yield number;
    };
    // Part buffers are reused once their request is over: a fresh 8 MiB buffer per part made
    // the garbage collector the biggest CPU cost after hashing (1 s of a 1 GiB upload).
    const buffers: Buffer[] = [];
    await runParts(
      missing(),
      async (partNumber) => {
        // Before and after the read: the bytes read are the file's only if it was the
        // same file, unchanged, on both sides of the read.
        // Paid for before it is read: a part waiting for the bandwidth limit holds no buffer.
        if (request.limiter !== undefined) await request.limiter.take(partLength(partNumber, partSize, identity.size), request.signal);
        await unchanged();
        const body = await readPart(handle, partNumber, partSize, identity.size, buffers.pop());
        await unchanged();
        const contentMd5 = signedPayload ? undefined : createHash('md5').update(body).digest('base64');
        const result = await request.client
          .send(
            new UploadPartCommand({
              Bucket: request.bucket,
              Key: request.objectKey,
              UploadId: id,
              PartNumber: partNumber,
              Body: body,
              ContentLength: body.length,
              ContentMD5: contentMd5,
              ...sseCustomerParams(request.sseCustomer),
            }),
            { abortSignal: request.signal },
          )
          .catch((error: unknown) => {
            throw s3ErrorCode(error) === 'NoSuchUpload' ? uploadVanished(request, error) : error;
          });
        const etag = stripEtagQuotes(result.ETag) ?? createHash('md5').update(body).digest('hex');
        // Only after an answer: an aborted request's socket may still hold the bytes.
        if (body.length === partSize) buffers.push(body);
        done.set(partNumber, { etag, size: body.length });
        if (request.state !== undefined) {
          // A record that vanished or now names another upload stays as it is.
          await updateState<UploadRecord>(request.state, stateKey, (current) =>
            current?.uploadId !== id ? current : { ...current, parts: { ...current.parts, [partNumber]: { etag, size: body.length } } },
          );
        }
        loaded += body.length;
        request.onProgress(loaded);
      },
      { concurrency: request.queueSize, signal: request.signal },
    );
    request.onParts?.({ sent: partCount - kept.size, kept: kept.size });
    await unchanged();
    const parts = [...done].sort(([a], [b]) => a - b).map(([number, part]) => ({ number, etag: part.etag }));
    await complete(request, id, parts);
    uploadId = undefined;
    await forget(request, id);
  } catch (error) {
    if (uploadId !== undefined) throw await abortUnlessRecorded(request, uploadId, error);
    throw error;
  } finally {
    await handle.close();
  }
}

function createUpload(request: MultipartFileUpload, mtimeMs: number, partSize: number): Promise<string> {
  return createMultipartUpload(uploadTarget(request), request.params(mtimeMs, partSize));
}

function uploadTarget(request: MultipartFileUpload): UploadTarget {
  return {
    client: request.client,
    bucket: request.bucket,
    key: request.objectKey,
    signal: request.signal,
    recordedUploadId: async () =>
      request.state === undefined ? undefined : (await request.state.get<UploadRecord>(uploadStateKey(request.bucket, request.objectKey)))?.uploadId,
  };
}

/**
 * The failure path of the invariant: keeps the upload only when resuming is on, the file did not
 * change, and the StateStore still holds this upload's record (read again now: another run may
 * have replaced or removed it). Otherwise aborts it. Returns the error to throw.
 */
async function abortUnlessRecorded(request: MultipartFileUpload, uploadId: string, error: unknown): Promise<unknown> {
  const changed = error instanceof TransferError && error.code === 'SourceChanged';
  let keep = false;
  if (request.resume && request.state !== undefined && !changed) {
    const current = await request.state.get<UploadRecord>(uploadStateKey(request.bucket, request.objectKey)).catch(() => undefined);
    keep = current?.uploadId === uploadId;
  }
  if (keep) return error;
  try {
    await abortUpload(request, uploadId);
  } catch (abortError) {
    const message = error instanceof Error ? error.message : String(error);
    return new TransferError(
      'multipart',
      request.source.key,
      `${message} The incomplete upload ${uploadId} could not be aborted (${abortError instanceof Error ? abortError.message : String(abortError)}); "s3kit uploads abort" removes it.`,
      { code: s3ErrorCode(error), retryable: false, cause: error },
    );
  }
  await forget(request, uploadId).catch(() => undefined);
  return error;
}

/** Removes the upload's record, only if it still names this upload. */
async function forget(request: MultipartFileUpload, uploadId: string): Promise<void> {
  if (request.state === undefined) return;
  await updateState<UploadRecord>(request.state, uploadStateKey(request.bucket, request.objectKey), (current) =>
    current?.uploadId === uploadId ? undefined : current,
  );
}

function sourceChanged(request: MultipartFileUpload): TransferError {
  return new TransferError('multipart', request.source.key, `${request.source.path} changed while it was being uploaded; it will be uploaded again.`, {
    code: 'SourceChanged',
    retryable: true,
  });
}

function uploadVanished(request: MultipartFileUpload, cause: unknown): TransferError {
  return new TransferError(
    'multipart',
    request.source.key,
    `the multipart upload of ${request.objectKey} was completed or aborted by someone else (NoSuchUpload); it will be started again.`,
    { code: 'NoSuchUpload', retryable: true, cause },
  );
}

/** The upload's parts on the server, or undefined when the server no longer knows it. */
async function listParts(request: MultipartFileUpload, uploadId: string): Promise<Map<number, { etag: string; size: number }> | undefined> {
  const parts = new Map<number, { etag: string; size: number }>();
  try {
    for await (const page of partPages(request.client, { Bucket: request.bucket, Key: request.objectKey, UploadId: uploadId }, request.signal)) {
      for (const part of page.Parts ?? []) {
        if (part.PartNumber !== undefined) parts.set(part.PartNumber, { etag: stripEtagQuotes(part.ETag) ?? '', size: part.Size ?? 0 });
      }
    }
  } catch (error) {
    if (s3ErrorCode(error) === 'NoSuchUpload' || httpStatus(error) === 404) return undefined;
    throw error;
  }
  return parts;
}

/**
 * CompleteMultipartUpload. If the answer is lost after the server applied it (the connection
 * dropped), a retry — the SDK's or ours — gets NoSuchUpload: the object then exists with the
 * ETag these parts make, which is checked with a HEAD before calling it done.
 */
async function complete(request: MultipartFileUpload, uploadId: string, parts: readonly { number: number; etag: string }[]): Promise<void> {
  const completed: CompletedPart[] = parts.map((part) => ({ PartNumber: part.number, ETag: `"${part.etag}"` }));
  const input = {
    Bucket: request.bucket,
    Key: request.objectKey,
    UploadId: uploadId,
    MultipartUpload: { Parts: completed },
    ...sseCustomerParams(request.sseCustomer),
    ...conditionFields(request.condition),
  };
  // NoSuchUpload is an answer, not a failure to retry: it is settled below.
  const lost = await withRetry(
    () =>
      request.client.send(new CompleteMultipartUploadCommand(input), { abortSignal: request.signal }).then(
        () => undefined,
        (error: unknown) => {
          if (s3ErrorCode(error) === 'NoSuchUpload') return { error };
          throw error;
        },
      ),
    { retries: COMPLETE_RETRIES, baseDelayMs: DEFAULT_RETRY_BASE_DELAY_MS, isRetryable: completionRetryable },
    request.signal,
  );
  if (lost === undefined) return;
  const expected = multipartEtagOf(parts.map((part) => Buffer.from(part.etag, 'hex')));
  const head = await request.client
    .send(new HeadObjectCommand({ Bucket: request.bucket, Key: request.objectKey, ...sseCustomerParams(request.sseCustomer) }), { abortSignal: request.signal })
    .catch((headError: unknown) => {
      if (httpStatus(headError) === 404) return undefined;
      throw headError;
    });
  if (head !== undefined && stripEtagQuotes(head.ETag) === expected) return;
  throw uploadVanished(request, lost.error);
}

function abortUpload(request: MultipartFileUpload, uploadId: string): Promise<void> {
  return abortMultipartUpload(uploadTarget(request), uploadId);
}

function partLength(number: number, partSize: number, size: number): number {
  return Math.min(partSize, size - (number - 1) * partSize);
}

async function readPart(handle: FileHandle, number: number, partSize: number, size: number, reused?: Buffer): Promise<Buffer> {
  const start = (number - 1) * partSize;
  const length = partLength(number, partSize, size);
  const buffer = reused?.length === length ? reused : Buffer.allocUnsafe(length);
  const { bytesRead } = await handle.read(buffer, 0, length, start);
  if (bytesRead !== length) throw new TransferError('read', '', `the file is shorter than when it was listed (part ${number}).`, { code: 'SourceChanged', retryable: true });
  return buffer;
}

async function partMd5(handle: FileHandle, number: number, partSize: number, size: number): Promise<string> {
  if ((number - 1) * partSize >= size) return '';
  return createHash('md5')
    .update(await readPart(handle, number, partSize, size))
    .digest('hex');
}

async function fingerprintOf(handle: FileHandle, size: number): Promise<string> {
  const hash = createHash('md5').update(String(size));
  const head = Buffer.alloc(Math.min(FINGERPRINT_BYTES, size));
  await handle.read(head, 0, head.length, 0);
  hash.update(head);
  if (size > FINGERPRINT_BYTES) {
    const tail = Buffer.alloc(Math.min(FINGERPRINT_BYTES, size - FINGERPRINT_BYTES));
    await handle.read(tail, 0, tail.length, size - tail.length);
    hash.update(tail);
  }
  return hash.digest('hex');
}
