import { AbortMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import { ListingError, TransferError } from '../core/errors.js';
import type { S3Location } from '../core/location.js';
import { describeS3Error, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';
import { updateRecord as updateState } from '../core/update-record.js';
import type { StateStore } from '../state/state-store.js';
import { uploadStateKey, type UploadRecord } from './multipart-file-upload.js';
import { multipartUploads, partPages, type ListedUpload } from './upload-pages.js';

/**
 * A multipart upload that was started and neither completed nor aborted.
 * @public
 */
export interface IncompleteUpload {
  /** The full object key. */
  readonly key: string;
  /** The server's id of the upload. */
  readonly uploadId: string;
  /** When it was started. */
  readonly initiated: Date | undefined;
  /** Bytes in the parts uploaded so far. */
  readonly bytes: number;
  /** Parts uploaded so far. */
  readonly parts: number;
  /** True when the state store holds s3kit's record of it, so a sync can resume it. */
  readonly resumable: boolean;
}

/**
 * Lists the incomplete multipart uploads under an S3 location, with the size of their parts and
 * whether s3kit can resume them (they are billed until completed or aborted).
 * @public
 */
export async function* listIncompleteUploads(
  client: S3Client,
  location: S3Location,
  options: { readonly state?: StateStore; readonly signal?: AbortSignal } = {},
): AsyncGenerator<IncompleteUpload> {
  try {
    yield* listUploads(client, location, options);
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    if (error instanceof ListingError || error instanceof TransferError) throw error;
    // The same sentence and class as a failed sync listing: a missing bucket, denied access or
    // an unreachable endpoint is a usage error, not an unknown one.
    throw new ListingError('target', `Cannot list incomplete uploads under s3://${location.bucket}/${location.prefix}: ${describeS3Error(error, location.bucket)}`, {
      code: s3ErrorCode(error),
      cause: error,
    });
  }
}

async function* listUploads(
  client: S3Client,
  location: S3Location,
  options: { readonly state?: StateStore; readonly signal?: AbortSignal },
): AsyncGenerator<IncompleteUpload> {
  for await (const upload of multipartUploads(client, { Bucket: location.bucket, Prefix: location.prefix || undefined }, options.signal)) {
    const parts = await partsOf(client, location.bucket, upload, options.signal);
    if (parts === undefined) continue; // completed or aborted since it was listed
    const record = await options.state?.get<UploadRecord>(uploadStateKey(location.bucket, parts.key));
    yield { key: parts.key, uploadId: upload.uploadId, initiated: upload.initiated, bytes: parts.bytes, parts: parts.count, resumable: record?.uploadId === upload.uploadId };
  }
}

/**
 * The parts of a listed upload, under the reading of its key that the server accepts (see
 * ListedUpload); undefined when none does: the upload is gone.
 */
async function partsOf(client: S3Client, bucket: string, upload: ListedUpload, signal: AbortSignal | undefined): Promise<{ key: string; bytes: number; count: number } | undefined> {
  // A refusal of one reading (a decoded name the server cannot take) is reported only when no
  // other reading is accepted either.
  let refused: { readonly error: unknown } | undefined;
  for (const key of upload.keys) {
    let bytes = 0;
    let count = 0;
    try {
      for await (const listed of partPages(client, { Bucket: bucket, Key: key, UploadId: upload.uploadId }, signal)) {
        for (const part of listed.Parts ?? []) {
          bytes += part.Size ?? 0;
          count++;
        }
      }
      return { key, bytes, count };
    } catch (error) {
      const gone = s3ErrorCode(error) === 'NoSuchUpload' || s3ErrorCode(error) === 'NoSuchKey';
      if (!gone) refused ??= { error };
    }
  }
  if (refused !== undefined) throw refused.error;
  return undefined;
}

/**
 * Aborts incomplete multipart uploads under a location (those initiated more than `olderThanMs`
 * ago, when given), and forgets s3kit's records of them. Returns what was aborted.
 * @public
 */
export async function abortIncompleteUploads(
  client: S3Client,
  location: S3Location,
  options: { readonly olderThanMs?: number; readonly state?: StateStore; readonly signal?: AbortSignal } = {},
): Promise<IncompleteUpload[]> {
  const aborted: IncompleteUpload[] = [];
  const cutoff = Date.now() - (options.olderThanMs ?? 0);
  for await (const upload of listIncompleteUploads(client, location, options)) {
    if (options.olderThanMs !== undefined && (upload.initiated?.getTime() ?? 0) > cutoff) continue;
    try {
      await client.send(new AbortMultipartUploadCommand({ Bucket: location.bucket, Key: upload.key, UploadId: upload.uploadId }), { abortSignal: options.signal });
    } catch (error) {
      if (options.signal?.aborted === true) throw options.signal.reason;
      throw new TransferError('abort', upload.key, `Cannot abort the upload of ${JSON.stringify(upload.key)}: ${describeS3Error(error, location.bucket)}`, {
        code: s3ErrorCode(error),
        retryable: isRetryableError(error),
        cause: error,
      });
    }
    // Only while the record still names this upload: another run may have recorded its own since.
    if (upload.resumable && options.state !== undefined) {
      await updateState<UploadRecord>(options.state, uploadStateKey(location.bucket, upload.key), (current) =>
        current?.uploadId === upload.uploadId ? undefined : current,
      );
    }
    aborted.push(upload);
  }
  return aborted;
}
