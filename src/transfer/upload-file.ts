import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { PutObjectCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import type { StateStore } from '../state/state-store.js';
import { uploadFileInParts } from './multipart-file-upload.js';
import { formatMtimeMetadata, MTIME_METADATA, PART_SIZE_METADATA, type Entry } from '../core/entry.js';
import { TransferError } from '../core/errors.js';
import type { TransferMethod } from '../core/events.js';
import { guessContentType } from './content-type.js';
import { notAFile, settledIdentity, SOURCE_READ_FLAGS, stillSameFile, TIMESTAMP_TICK_MS } from './file-identity.js';
import { descriptionParams, storageParams } from './object-params.js';
import type { ObjectTransfer } from './object-transfer.js';
import { asTransferError } from './transfer-error.js';
import type { UploadOptions } from './upload-options.js';
import { conditionFields, type WriteCondition } from './write-condition.js';
import { sseCustomerParams } from './sse-customer.js';

/** Where and how one file is uploaded. */
export interface UploadRequest extends ObjectTransfer {
  readonly method: TransferMethod;
  readonly options: UploadOptions;
  /** Where multipart progress is recorded to be resumed; without it a failed upload is aborted. */
  readonly state?: StateStore;
  /** With `state`: keep an interrupted multipart upload for the next run (true) or abort it. */
  readonly resume?: boolean;
  /** Told, after a multipart upload, how many parts were sent and how many kept from a previous run. */
  readonly onParts?: (counts: { readonly sent: number; readonly kept: number }) => void;
  /** A precondition on the object replaced (see `TransferRoute.writeCondition`). */
  readonly condition?: WriteCondition;
}

/**
 * Uploads one local file. Small files go in one PutObject from a buffer with `Content-MD5`
 * (the server rejects a corrupted body, and the SDK can retry a buffer). Large files go up in
 * parts, each with `Content-MD5`, resumable when a state store is given (see
 * `uploadFileInParts`); lib-storage, which cannot resume, is kept for streams (S3 → S3 between
 * services, URL manifests), where there is no file to re-read.
 */
export async function uploadFile(request: UploadRequest): Promise<void> {
  try {
    if (request.method === 'put') await putSmallFile(request);
    else await putInParts(request);
  } catch (error) {
    throw asTransferError(error, { operation: request.method, key: request.source.key, bucket: request.bucket, signal: request.signal });
  }
}

async function putSmallFile(request: UploadRequest): Promise<void> {
  const { body, mtimeMs } = await readWholeFile(request.source);
  const input: PutObjectCommandInput = {
    ...objectParams(request, mtimeMs, undefined),
    Body: body,
    ContentLength: body.length,
    ContentMD5: createHash('md5').update(body).digest('base64'),
    ...conditionFields(request.condition),
  };
  // The SDK sends a buffer in one write, so the whole body is paid for before it goes.
  if (request.limiter !== undefined) await request.limiter.take(body.length, request.signal);
  await request.client.send(new PutObjectCommand(input), { abortSignal: request.signal });
  request.onProgress(body.length);
}

async function putInParts(request: UploadRequest): Promise<void> {
  await uploadFileInParts({
    client: request.client,
    bucket: request.bucket,
    objectKey: request.objectKey,
    source: request.source,
    partSize: request.partSize,
    queueSize: request.queueSize,
    params: (mtimeMs, partSize) => objectParams(request, mtimeMs, partSize),
    state: request.state,
    resume: request.resume ?? true,
    onProgress: request.onProgress,
    onParts: request.onParts,
    signal: request.signal,
    limiter: request.limiter,
    condition: request.condition,
    sseCustomer: request.sseCustomer,
  });
}

/**
 * Reads a small file and the mtime that goes with its bytes. The common case costs two
 * thread-pool calls (readFile, then stat): when the file's ctime is older than the moment the
 * read began (by more than a timestamp tick) and the size matches, nothing wrote, truncated,
 * re-stamped or renamed over it during the read — the kernel moves ctime on each of those, and
 * nothing can move it back (mtime can be put back with utimes, so it cannot tell). Otherwise it
 * reads again through one handle, comparing the file's identity (size, mtime, ctime, inode,
 * device) before and after, on the handle and on the path.
 */
async function readWholeFile(source: Entry): Promise<{ body: Buffer; mtimeMs: number }> {
  const path = source.path;
  if (path === undefined) throw new TransferError('put', source.key, 'internal error: an upload needs a local file.');
  const started = Date.now();
  const body = await readFile(path, { flag: SOURCE_READ_FLAGS });
  const after = await stat(path);
  if (!after.isFile()) throw notAFile(source.key, path);
  if (after.size === body.length && after.ctimeMs < started - TIMESTAMP_TICK_MS) return { body, mtimeMs: after.mtimeMs };
  const handle = await open(path, SOURCE_READ_FLAGS);
  try {
    if (!(await handle.stat()).isFile()) throw notAFile(source.key, path);
    const before = await settledIdentity(handle);
    const again = await handle.readFile();
    if (again.length !== before.size || !(await stillSameFile(handle, path, before))) throw sourceChanged(source);
    return { body: again, mtimeMs: before.mtimeMs };
  } finally {
    await handle.close();
  }
}

function objectParams(request: UploadRequest, mtimeMs: number, partSize: number | undefined): PutObjectCommandInput {
  const extraMetadata: Record<string, string> = { [MTIME_METADATA]: formatMtimeMetadata(mtimeMs) };
  if (partSize !== undefined) extraMetadata[PART_SIZE_METADATA] = String(partSize);
  return {
    Bucket: request.bucket,
    Key: request.objectKey,
    ...descriptionParams(request.options, { extraMetadata, contentType: guessContentType(request.objectKey) }),
    ...storageParams(request.options),
    ...sseCustomerParams(request.sseCustomer),
  };
}

function sourceChanged(source: Entry): TransferError {
  return new TransferError('read', source.key, `${source.path} changed while it was being uploaded; it will be uploaded again on the next run.`, {
    retryable: true,
    code: 'SourceChanged',
  });
}
