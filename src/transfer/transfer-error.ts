import { TransferError } from '../core/errors.js';
import { describeS3Error, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';
import { restoreAdvice } from '../core/storage-class.js';

/**
 * The error a failed transfer step rejects with: the signal's reason after an abort (so callers
 * see the interruption, not its side effects), a `TransferError` as it is, and anything else
 * (an SDK or system error) wrapped in a `TransferError` that names the operation and key, says
 * what the server answered and whether trying again may help. `read` is the object the step
 * reads: an answer that it is archived (InvalidObjectState) names its class and how to restore it.
 */
export function asTransferError(
  error: unknown,
  context: {
    readonly operation: string;
    readonly key: string;
    readonly bucket: string;
    readonly signal?: AbortSignal;
    readonly read?: { readonly bucket: string; readonly objectKey: string; readonly storageClass?: string };
  },
): unknown {
  if (context.signal?.aborted === true) return context.signal.reason;
  if (error instanceof TransferError) return error;
  const code = s3ErrorCode(error);
  if (code === 'InvalidObjectState' && context.read !== undefined) {
    // The answer names the class (AWS sends it); the listing's is the fallback.
    const answered = (error as { StorageClass?: string }).StorageClass;
    const { bucket, objectKey, storageClass } = context.read;
    return new TransferError(context.operation, context.key, restoreAdvice(bucket, objectKey, answered ?? storageClass), { code, retryable: false, cause: error });
  }
  return new TransferError(context.operation, context.key, describeS3Error(error, context.bucket), {
    code: s3ErrorCode(error),
    retryable: isRetryableError(error),
    cause: error,
  });
}
