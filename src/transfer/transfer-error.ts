import { TransferError } from '../core/errors.js';
import { describeS3Error, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';

/**
 * The error a failed transfer step rejects with: the signal's reason after an abort (so callers
 * see the interruption, not its side effects), a `TransferError` as it is, and anything else
 * (an SDK or system error) wrapped in a `TransferError` that names the operation and key, says
 * what the server answered and whether trying again may help.
 */
export function asTransferError(
  error: unknown,
  context: { readonly operation: string; readonly key: string; readonly bucket: string; readonly signal?: AbortSignal },
): unknown {
  if (context.signal?.aborted === true) return context.signal.reason;
  if (error instanceof TransferError) return error;
  return new TransferError(context.operation, context.key, describeS3Error(error, context.bucket), {
    code: s3ErrorCode(error),
    retryable: isRetryableError(error),
    cause: error,
  });
}
