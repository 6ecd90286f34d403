import { S3kitError } from '../core/errors.js';
import { describeS3Error, httpStatus, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';

/**
 * A bucket administration request failed: the bucket is missing, access is denied, the server
 * refused the document, or the service failed after retries.
 * @public
 */
export class BucketRequestError extends S3kitError {
  /** {@inheritDoc S3kitError.name} */
  override name = 'BucketRequestError';
  /** The S3 operation that failed, e.g. `PutBucketPolicy`. */
  readonly operation: string;
  /** The bucket it was about. */
  readonly bucket: string;
  /** The server's error code (`NoSuchBucket`, `AccessDenied`, `MalformedPolicy`…) or the system code. */
  readonly code: string | undefined;
  /** True when the service failed rather than the request (5xx, throttling, a timeout): the same call may work later. */
  readonly retryable: boolean;
  constructor(operation: string, bucket: string, cause: unknown) {
    super(`${operation} on the bucket "${bucket}" failed: ${describeS3Error(cause, bucket)}`, { cause });
    this.operation = operation;
    this.bucket = bucket;
    this.code = s3ErrorCode(cause);
    this.retryable = isRetryableError(cause);
  }
}

/**
 * Codes and statuses by which a server says it does not implement a call: S3's NotImplemented
 * (501), and MethodNotAllowed (405), which radosgw 16 answers to PutBucketLogging.
 */
const NOT_SUPPORTED_CODES = new Set(['NotImplemented', 'MethodNotAllowed', 'HTTP501', 'HTTP405']);

/** True when `error` says the server does not implement the call (rather than refusing this request). */
export function isNotSupported(error: unknown): boolean {
  const code = s3ErrorCode(error);
  const status = httpStatus(error);
  return (code !== undefined && NOT_SUPPORTED_CODES.has(code)) || status === 501 || status === 405;
}

/** The sentence `describeBucket` and `applyBucketSetup` give for a call the server does not implement. */
export function notSupportedReason(operation: string, error: unknown): string {
  const code = s3ErrorCode(error);
  const status = httpStatus(error);
  return `the server does not support ${operation}: it answered ${code ?? 'an error'}${status === undefined ? '' : ` (HTTP ${status})`}.`;
}
