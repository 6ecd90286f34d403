import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { formatMtimeMetadata, MTIME_METADATA, PART_SIZE_METADATA, type Entry } from '../core/entry.js';
import { TransferError } from '../core/errors.js';
import type { TransferMethod } from '../core/events.js';
import { describeS3Error, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';
import { guessContentType } from './content-type.js';
import type { UploadOptions } from './upload-options.js';

const MAX_PARTS = 10_000;

/** Where and how one file is uploaded. */
export interface UploadRequest {
  readonly client: S3Client;
  readonly bucket: string;
  /** The full object key (prefix included). */
  readonly objectKey: string;
  /** The local entry, with its path, size and mtime as listed. */
  readonly source: Entry;
  readonly method: TransferMethod;
  readonly partSize: number;
  readonly queueSize: number;
  readonly options: UploadOptions;
  /** Called with the bytes of this file sent so far. */
  readonly onProgress: (loaded: number) => void;
  readonly signal: AbortSignal;
}

/**
 * Uploads one local file. Small files go in one PutObject from a buffer with `Content-MD5`
 * (the server rejects a corrupted body, and the SDK can retry a buffer). Large files go through
 * lib-storage in parts; on any failure lib-storage aborts the multipart upload, and an abort of
 * our signal destroys the file stream, which takes the same path, so no parts are left behind.
 */
export async function uploadFile(request: UploadRequest): Promise<void> {
  try {
    if (request.method === 'put') await putSmallFile(request);
    else await putInParts(request);
  } catch (error) {
    if (request.signal.aborted) throw request.signal.reason;
    if (error instanceof TransferError) throw error;
    const code = s3ErrorCode(error);
    throw new TransferError(request.method, request.source.key, describeS3Error(error, request.bucket), {
      retryable: isRetryableError(error),
      code,
      cause: error,
    });
  }
}

async function putSmallFile(request: UploadRequest): Promise<void> {
  const { source } = request;
  const handle = await open(source.path!, 'r');
  let body: Buffer;
  let mtimeMs: number;
  try {
    const before = await handle.stat();
    body = await handle.readFile();
    const after = await handle.stat();
    if (body.length !== after.size || before.mtimeMs !== after.mtimeMs || before.size !== after.size) {
      throw sourceChanged(source);
    }
    mtimeMs = after.mtimeMs;
  } finally {
    await handle.close();
  }
  const input: PutObjectCommandInput = {
    ...objectParams(request, mtimeMs, undefined),
    Body: body,
    ContentLength: body.length,
    ContentMD5: createHash('md5').update(body).digest('base64'),
  };
  await request.client.send(new PutObjectCommand(input), { abortSignal: request.signal });
  request.onProgress(body.length);
}

async function putInParts(request: UploadRequest): Promise<void> {
  const { source } = request;
  const handle = await open(source.path!, 'r');
  try {
    const before = await handle.stat();
    // Larger parts for files that would need more than 10,000 parts, in whole MiB.
    const partSize = Math.max(request.partSize, Math.ceil(before.size / MAX_PARTS / 1048576) * 1048576);
    const body = createReadStream('', { fd: handle, autoClose: false, signal: request.signal });
    const upload = new Upload({
      client: request.client,
      partSize,
      queueSize: request.queueSize,
      leavePartsOnError: false,
      params: { ...objectParams(request, before.mtimeMs, partSize), Body: body, ContentLength: before.size },
    });
    upload.on('httpUploadProgress', (progress) => request.onProgress(progress.loaded ?? 0));
    await upload.done();
    const after = await handle.stat();
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      // The object now holds a mix of old and new bytes: report it; the next run uploads again
      // because the stored mtime no longer matches the file.
      throw sourceChanged(source);
    }
  } finally {
    await handle.close();
  }
}

function objectParams(request: UploadRequest, mtimeMs: number, partSize: number | undefined): PutObjectCommandInput {
  const { options } = request;
  const metadata: Record<string, string> = { ...options.metadata, [MTIME_METADATA]: formatMtimeMetadata(mtimeMs) };
  if (partSize !== undefined) metadata[PART_SIZE_METADATA] = String(partSize);
  return {
    Bucket: request.bucket,
    Key: request.objectKey,
    ContentType: options.contentType ?? guessContentType(request.objectKey),
    CacheControl: options.cacheControl,
    Metadata: metadata,
    StorageClass: options.storageClass as PutObjectCommandInput['StorageClass'],
    ServerSideEncryption: options.sse,
    SSEKMSKeyId: options.sseKmsKeyId,
    ACL: options.acl as PutObjectCommandInput['ACL'],
  };
}

function sourceChanged(source: Entry): TransferError {
  return new TransferError('read', source.key, `${source.path} changed while it was being uploaded; it will be uploaded again on the next run.`, {
    retryable: true,
    code: 'SourceChanged',
  });
}
