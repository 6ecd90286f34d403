import type { ObjectCannedACL, ServerSideEncryption, StorageClass } from '@aws-sdk/client-s3';
import type { UploadOptions } from './upload-options.js';

/**
 * {@link UploadOptions} as request parameters, in one place for every write: PutObject,
 * CreateMultipartUpload, CopyObject and lib-storage uploads.
 */

/** How an object is stored: class, encryption, ACL. Every write sends these. */
export interface StorageParams {
  readonly StorageClass?: StorageClass;
  readonly ServerSideEncryption?: ServerSideEncryption;
  readonly SSEKMSKeyId?: string;
  readonly ACL?: ObjectCannedACL;
}

/** What describes an object: user metadata, Content-Type, Cache-Control. */
export interface DescriptionParams {
  readonly Metadata?: Record<string, string>;
  readonly ContentType?: string;
  readonly CacheControl?: string;
}

/**
 * The storage parameters of `upload`. `inheritedClass` is the class to keep when `upload` names
 * none (a copy keeps its source's: CopyObject would otherwise write STANDARD).
 */
export function storageParams(upload: UploadOptions, inheritedClass?: string): StorageParams {
  return {
    // The option types admit any string (new classes, other servers' ACLs); S3 judges them.
    StorageClass: (upload.storageClass ?? inheritedClass) as StorageClass | undefined,
    ServerSideEncryption: upload.sse,
    SSEKMSKeyId: upload.sseKmsKeyId,
    ACL: upload.acl as ObjectCannedACL | undefined,
  };
}

/**
 * The description parameters of `upload`: its metadata with `extraMetadata` (s3kit's own
 * names) added, and its Content-Type or else `fallbackContentType`.
 */
export function descriptionParams(
  upload: UploadOptions,
  defaults: { readonly extraMetadata?: Readonly<Record<string, string>>; readonly contentType?: string } = {},
): DescriptionParams {
  return {
    Metadata: defaults.extraMetadata === undefined ? upload.metadata : { ...upload.metadata, ...defaults.extraMetadata },
    ContentType: upload.contentType ?? defaults.contentType,
    CacheControl: upload.cacheControl,
  };
}
