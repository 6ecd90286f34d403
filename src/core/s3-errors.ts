import { TransferError } from './errors.js';

/** The parts of an AWS SDK or Node error s3kit reads. */
interface ErrorLike {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const NETWORK_RETRYABLE = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'TimeoutError', 'RequestTimeout']);
/** The body arrived damaged (its Content-MD5 or signed SHA-256 did not match) or short: send it again. */
const DAMAGED_IN_TRANSIT = new Set(['BadDigest', 'XAmzContentSHA256Mismatch', 'IncompleteBody']);
const THROTTLING = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequests', 'RequestLimitExceeded']);

/** The server's error code (`NoSuchBucket`), the system code (`ECONNREFUSED`) or undefined. */
export function s3ErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as ErrorLike;
  const code = e.Code ?? e.code ?? (e.name !== undefined && e.name !== 'Error' ? e.name : undefined);
  // A HEAD answer has no body, so the SDK names its error "Unknown" (or "NotFound"/"Forbidden").
  if (code === 'UnknownError' || code === 'Unknown' || code === undefined) {
    const status = e.$metadata?.httpStatusCode;
    return status === undefined ? code : `HTTP${status}`;
  }
  return code;
}

/** The HTTP status of an SDK error, when it has one. */
export function httpStatus(error: unknown): number | undefined {
  return (error as ErrorLike | undefined)?.$metadata?.httpStatusCode;
}

/**
 * Whether trying the same request again may succeed: throttling, 5xx, a reset or timed-out
 * connection. Client errors (403, 404, 400) are final.
 */
export function isRetryableError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (error instanceof TransferError) return error.retryable;
  const e = error as ErrorLike;
  if (e.name === 'AbortError') return false;
  if (e.$retryable !== undefined) return true;
  const code = s3ErrorCode(error);
  if (code !== undefined && (THROTTLING.has(code) || NETWORK_RETRYABLE.has(code) || DAMAGED_IN_TRANSIT.has(code))) return true;
  const status = httpStatus(error);
  return status !== undefined && (status === 429 || status >= 500);
}

/**
 * One sentence saying what went wrong and what to do, for the errors users meet most.
 * Never includes credentials: the SDK's messages do not carry secrets, and neither do ours.
 */
export function describeS3Error(error: unknown, bucket?: string): string {
  const code = s3ErrorCode(error);
  const message = (error as ErrorLike | undefined)?.message ?? String(error);
  const where = bucket === undefined ? '' : ` "${bucket}"`;
  switch (code) {
    case 'NoSuchBucket':
      return `the bucket${where} does not exist (NoSuchBucket): create it or check its name and region.`;
    case 'AccessDenied':
      return `access denied (${code}): the credentials in use lack permission for the bucket${where}.`;
    case 'HTTP403':
    case 'Forbidden':
      return `the server refused the request (HTTP 403, without a reason: HEAD answers carry none): the secret key is wrong or the credentials lack permission for the bucket${where}.`;
    case 'ExpiredToken':
    case 'ExpiredTokenException':
    case 'TokenRefreshRequired':
      return `the session credentials have expired (${code}): renew them (log in again, or a fresh AWS_SESSION_TOKEN) and retry.`;
    case 'InvalidToken':
      return 'the session token is not valid for these credentials (InvalidToken): check AWS_SESSION_TOKEN or the profile.';
    case 'InvalidAccessKeyId':
      return 'the access key id is not known to this server (InvalidAccessKeyId): check the credentials and the endpoint.';
    case 'SignatureDoesNotMatch':
      return 'the request signature does not match (SignatureDoesNotMatch): check the secret access key.';
    case 'CredentialsProviderError':
      return 'no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, choose a profile, or pass credentials.';
    case 'InvalidObjectName':
    case 'KeyTooLongError':
      return `the server refuses this key (${code}): S3 keys are at most 1024 bytes of UTF-8; some servers refuse other names too.`;
    case 'TimeoutError':
      return `${message}.`; // the client's middleware has made it a sentence that names the endpoint
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
      return `cannot reach the S3 endpoint (${code}): check the endpoint URL and that the server is running.`;
    default:
      if (/Region is missing/i.test(message)) {
        return 'no AWS region configured: set the region option, AWS_REGION, or a region in the profile.';
      }
      if (code !== undefined && (message === 'UnknownError' || message === '')) {
        return `the server answered ${code}${httpStatus(error) === undefined ? '' : ` (HTTP ${httpStatus(error)})`}.`;
      }
      return code === undefined ? message : `${message} (${code})`;
  }
}
