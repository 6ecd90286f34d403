import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { formatMtimeMetadata, MTIME_METADATA } from '../core/entry.js';
import { TransferError } from '../core/errors.js';
import { throttledReadable } from './bandwidth-limiter.js';
import { guessContentType } from './content-type.js';
import { descriptionParams, storageParams } from './object-params.js';
import type { ObjectTransfer } from './object-transfer.js';
import { asTransferError } from './transfer-error.js';
import type { UploadOptions } from './upload-options.js';
import { sseCustomerParams } from './sse-customer.js';

/** One URL of a manifest to stream into a bucket. */
export interface IngestRequest extends ObjectTransfer {
  readonly options: UploadOptions;
}

/**
 * Streams one URL into an object: GET, and the response body straight into a (multipart)
 * upload — no disk, memory bounded by `queueSize × partSize`. Each attempt makes a new request,
 * so a retry never re-sends a consumed stream. HTTP 5xx, 429 and network errors are retryable.
 */
export async function ingestUrl(request: IngestRequest): Promise<void> {
  const url = request.source.url;
  if (url === undefined) throw new TransferError('fetch', request.source.key, 'internal error: a manifest entry without a URL.');
  let response: Response;
  try {
    response = await fetch(url, { signal: request.signal, redirect: 'follow' });
  } catch (error) {
    if (request.signal.aborted) throw request.signal.reason;
    throw new TransferError('fetch', request.source.key, `cannot fetch ${url}: ${(error as Error).message}`, {
      code: ((error as { cause?: { code?: string } }).cause?.code as string | undefined) ?? 'FetchError',
      retryable: true,
      cause: error,
    });
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new TransferError('fetch', request.source.key, `fetching ${url} answered HTTP ${response.status} ${response.statusText}`.trim(), {
      code: `HTTP${response.status}`,
      retryable: response.status >= 500 || response.status === 429,
    });
  }
  const length = Number(response.headers.get('content-length') ?? NaN);
  const modified = Date.parse(response.headers.get('last-modified') ?? '');
  const { options } = request;
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream, { signal: request.signal } as never);
  const upload = new Upload({
    client: request.client,
    partSize: request.partSize,
    queueSize: request.queueSize,
    leavePartsOnError: false,
    params: {
      Bucket: request.bucket,
      Key: request.objectKey,
      Body: request.limiter === undefined ? body : throttledReadable(body, request.limiter, request.signal),
      ContentLength: Number.isFinite(length) ? length : undefined,
      ...descriptionParams(options, {
        extraMetadata: Number.isFinite(modified) ? { [MTIME_METADATA]: formatMtimeMetadata(modified) } : {},
        contentType: response.headers.get('content-type') ?? guessContentType(request.objectKey),
      }),
      ...storageParams(options),
      ...sseCustomerParams(request.sseCustomer),
    },
  });
  upload.on('httpUploadProgress', (progress) => request.onProgress(progress.loaded ?? 0));
  // An abort destroys the body stream (fromWeb's signal); lib-storage then aborts the multipart
  // upload before done() settles, so nothing is left behind.
  try {
    await upload.done();
  } catch (error) {
    throw asTransferError(error, { operation: 'url-stream', key: request.source.key, bucket: request.bucket, signal: request.signal });
  }
}
