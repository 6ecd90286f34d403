import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { TransferError } from '../core/errors.js';
import { describeS3Error, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';

/** S3's limit of keys per DeleteObjects request. */
export const DELETE_BATCH_SIZE = 1000;

/** What happened to each key of one batch. */
export interface DeleteBatchResult {
  readonly deleted: readonly string[];
  readonly failed: readonly { readonly objectKey: string; readonly error: TransferError }[];
}

/**
 * Deletes up to 1000 keys with one DeleteObjects request and reports each key's outcome from
 * the response's `Errors` (a 200 response can still carry per-key failures). A failed request
 * fails every key of the batch. `ifMatch` maps object keys to the ETag each must still have (a
 * conditional delete: a key whose object changed fails with PreconditionFailed).
 */
export async function deleteBatch(
  client: S3Client,
  bucket: string,
  objectKeys: readonly string[],
  toRelativeKey: (objectKey: string) => string,
  signal?: AbortSignal,
  ifMatch?: ReadonlyMap<string, string>,
): Promise<DeleteBatchResult> {
  if (objectKeys.length > DELETE_BATCH_SIZE) throw new RangeError(`at most ${DELETE_BATCH_SIZE} keys per batch`);
  try {
    const response = await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objectKeys.map((Key) => ({ Key, ETag: ifMatch?.get(Key) })), Quiet: false } }),
      { abortSignal: signal },
    );
    const failedKeys = new Map<string, TransferError>();
    for (const error of response.Errors ?? []) {
      if (error.Key === undefined) continue;
      failedKeys.set(
        error.Key,
        new TransferError('delete', toRelativeKey(error.Key), `cannot delete: ${error.Message ?? 'unknown error'} (${error.Code ?? 'no code'})`, {
          code: error.Code,
          retryable: error.Code === 'SlowDown' || error.Code === 'InternalError',
        }),
      );
    }
    return {
      deleted: objectKeys.filter((key) => !failedKeys.has(key)),
      failed: [...failedKeys].map(([objectKey, error]) => ({ objectKey, error })),
    };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    const failure = (objectKey: string): TransferError =>
      new TransferError('delete', toRelativeKey(objectKey), describeS3Error(error, bucket), {
        code: s3ErrorCode(error),
        retryable: isRetryableError(error),
        cause: error,
      });
    return { deleted: [], failed: objectKeys.map((objectKey) => ({ objectKey, error: failure(objectKey) })) };
  }
}
