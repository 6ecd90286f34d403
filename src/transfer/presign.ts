import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ConfigError } from '../core/errors.js';

/** SigV4 presigned URLs live at most seven days. */
const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;

/**
 * Options of {@link presignUrl}.
 * @public
 */
export interface PresignOptions {
  /**
   * Seconds the URL stays valid, at most 604800 (7 days).
   * @defaultValue `3600`
   */
  readonly expiresIn?: number;
  /**
   * `GET` to download the object, `PUT` to upload it.
   * @defaultValue `'GET'`
   */
  readonly method?: 'GET' | 'PUT';
}

/**
 * A presigned URL for one object. Sign with a client built by `createS3Client` (or another
 * `WHEN_REQUIRED` client) for servers other than AWS: a URL signed with flexible-checksum
 * parameters is refused by many of them.
 * @public
 */
export async function presignUrl(client: S3Client, object: { readonly bucket: string; readonly key: string }, options: PresignOptions = {}): Promise<string> {
  const expiresIn = options.expiresIn ?? 3600;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_SECONDS) {
    throw new ConfigError('expiresIn', `expiresIn must be 1 to ${MAX_EXPIRES_SECONDS} seconds (7 days), got ${String(options.expiresIn)}.`);
  }
  const input = { Bucket: object.bucket, Key: object.key };
  const command = options.method === 'PUT' ? new PutObjectCommand(input) : new GetObjectCommand(input);
  return getSignedUrl(client, command, { expiresIn });
}
