import { createHash } from 'node:crypto';
import { ConfigError } from '../core/errors.js';

/**
 * Server-side encryption with a key the customer keeps (SSE-C): S3 encrypts with it and forgets
 * it, so every request that writes or reads the object's bytes (and every HEAD) must send it again.
 */

/**
 * An SSE-C key.
 * @public
 */
export interface SseCustomerKey {
  /**
   * The algorithm; S3 knows only AES256.
   * @defaultValue `'AES256'`
   */
  readonly algorithm?: 'AES256';
  /** The 256-bit key: exactly 32 bytes. s3kit never logs it or writes it to a plan or state file. */
  readonly key: Uint8Array;
}

/** The request parameters of one SSE-C key. */
export interface SseCustomerParams {
  readonly SSECustomerAlgorithm: 'AES256';
  /** The key, base64. */
  readonly SSECustomerKey: string;
  /** The key's MD5, base64: S3 checks the key arrived intact. */
  readonly SSECustomerKeyMD5: string;
}

/** The parameters that name the key of a copy's source object (CopyObject, UploadPartCopy). */
export interface CopySourceSseCustomerParams {
  readonly CopySourceSSECustomerAlgorithm?: 'AES256';
  readonly CopySourceSSECustomerKey?: string;
  readonly CopySourceSSECustomerKeyMD5?: string;
}

/**
 * Validates an SSE-C key option and returns its request parameters (undefined when not given).
 * The error names the option and the length found, never the key.
 */
export function resolveSseCustomerKey(value: SseCustomerKey | undefined, field: string): SseCustomerParams | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || !(value.key instanceof Uint8Array)) {
    throw new ConfigError(field, `${field} must be { algorithm: 'AES256', key: <32 bytes as a Uint8Array or Buffer> }.`);
  }
  if (value.algorithm !== undefined && value.algorithm !== 'AES256') {
    throw new ConfigError(field, `${field}.algorithm must be 'AES256', the only algorithm S3 knows for SSE-C; got ${JSON.stringify(value.algorithm)}.`);
  }
  if (value.key.length !== 32) {
    throw new ConfigError(field, `${field}.key must be 32 bytes (a 256-bit AES key), got ${value.key.length} bytes.`);
  }
  const key = Buffer.from(value.key);
  return {
    SSECustomerAlgorithm: 'AES256',
    SSECustomerKey: key.toString('base64'),
    SSECustomerKeyMD5: createHash('md5').update(key).digest('base64'),
  };
}

/** The SSE-C parameters of a request: the key's, or none. */
export function sseCustomerParams(params: SseCustomerParams | undefined): Partial<SseCustomerParams> {
  return params === undefined ? {} : { ...params };
}

/** The same key as the key of a copy's source. */
export function copySourceSseCustomerParams(params: SseCustomerParams | undefined): CopySourceSseCustomerParams {
  if (params === undefined) return {};
  return {
    CopySourceSSECustomerAlgorithm: params.SSECustomerAlgorithm,
    CopySourceSSECustomerKey: params.SSECustomerKey,
    CopySourceSSECustomerKeyMD5: params.SSECustomerKeyMD5,
  };
}

/**
 * The forms a key could be printed in (base64, hex, and its bytes as text when they are
 * printable, as `--sse-c-key` takes them), for a redactor to mask.
 * @public
 */
export function sseCustomerKeyForms(key: Uint8Array): string[] {
  const buffer = Buffer.from(key);
  return [buffer.toString('base64'), buffer.toString('hex'), buffer.toString('latin1'), buffer.toString('utf8')];
}
