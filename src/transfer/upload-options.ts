import type { ObjectCannedACL, StorageClass } from '@aws-sdk/client-s3';

/**
 * How uploaded objects are stored.
 * @public
 */
export interface UploadOptions {
  /**
   * Storage class, e.g. `STANDARD_IA`.
   * @defaultValue the bucket's default (`STANDARD`)
   */
  readonly storageClass?: StorageClass | (string & {});
  /**
   * Server-side encryption: `AES256` (SSE-S3) or `aws:kms` (SSE-KMS, with `sseKmsKeyId`).
   * @defaultValue none requested (the bucket's default applies)
   */
  readonly sse?: 'AES256' | 'aws:kms';
  /**
   * KMS key id or ARN for `sse: 'aws:kms'`.
   * @defaultValue the account's default KMS key
   */
  readonly sseKmsKeyId?: string;
  /**
   * Canned ACL, e.g. `public-read`.
   * @defaultValue none sent (the bucket's default)
   */
  readonly acl?: ObjectCannedACL | (string & {});
  /**
   * `Cache-Control` header of every uploaded object.
   * @defaultValue none
   */
  readonly cacheControl?: string;
  /**
   * `Content-Type` of every uploaded object, instead of the guess from the file extension.
   * @defaultValue guessed per file, `application/octet-stream` when unknown
   */
  readonly contentType?: string;
  /**
   * User metadata (`x-amz-meta-*`). The names `mtime` and `s3kit-part-size` are s3kit's own.
   * @defaultValue `{}`
   */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Multipart tuning.
 * @public
 */
export interface MultipartOptions {
  /**
   * Files of at least this many bytes are uploaded in parts.
   * @defaultValue `16 MiB`
   */
  readonly multipartThreshold?: number;
  /**
   * Part size in bytes (S3 allows 5 MiB to 5 GiB, at most 10,000 parts; larger files get larger parts).
   * @defaultValue `8 MiB`
   */
  readonly partSize?: number;
  /**
   * Parts of one file in flight at once; memory per file is about `queueSize × partSize`.
   * @defaultValue `4`
   */
  readonly queueSize?: number;
}
