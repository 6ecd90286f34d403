import type { LifecycleConfigurationDocument } from './lifecycle-document.js';
import type { BucketPolicyDocument } from './policy-document.js';

/**
 * One setting of a bucket as {@link describeBucket} found it: its value, `not-set` (the server
 * answered NoSuch… or an empty configuration), or `not-supported` (the server does not implement
 * the call, with the reason).
 * @public
 */
export type BucketSetting<T> =
  | { readonly status: 'set'; readonly value: T }
  | { readonly status: 'not-set' }
  | { readonly status: 'not-supported'; readonly reason: string };

/**
 * The server-side encryption S3 applies to new objects without encryption headers.
 * @public
 */
export interface BucketEncryption {
  /** `AES256` (SSE-S3), `aws:kms` (SSE-KMS) or `aws:kms:dsse`. */
  readonly algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  /**
   * The KMS key (ID, alias or ARN) for `aws:kms`.
   * @defaultValue `undefined` (the AWS managed key `aws/s3`)
   */
  readonly kmsKeyId?: string;
  /**
   * Whether S3 Bucket Keys reduce KMS requests.
   * @defaultValue `undefined` (as the server reports it; not set by s3kit)
   */
  readonly bucketKeyEnabled?: boolean;
}

/**
 * The four switches of S3 Block Public Access for a bucket.
 * @public
 */
export interface PublicAccessBlock {
  readonly blockPublicAcls: boolean;
  readonly ignorePublicAcls: boolean;
  readonly blockPublicPolicy: boolean;
  readonly restrictPublicBuckets: boolean;
}

/**
 * Where S3 server access logs of a bucket go.
 * @public
 */
export interface BucketLogging {
  /** The bucket that receives the logs. */
  readonly targetBucket: string;
  /** The key prefix of the log objects, e.g. `logs/my-bucket/`. */
  readonly targetPrefix: string;
}

/**
 * Who owns objects uploaded to the bucket, and whether ACLs apply (S3 Object Ownership).
 * @public
 */
export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

/**
 * What {@link describeBucket} found: every setting s3kit administers, each set, not set, or not
 * supported by the server.
 * @public
 */
export interface BucketDescription {
  readonly bucket: string;
  /** `not-set` for a bucket whose versioning was never enabled. */
  readonly versioning: BucketSetting<'Enabled' | 'Suspended'>;
  /** MFA delete, as GetBucketVersioning reports it (`not-set` when it reports nothing). */
  readonly mfaDelete: BucketSetting<'Enabled' | 'Disabled'>;
  readonly encryption: BucketSetting<BucketEncryption>;
  readonly publicAccessBlock: BucketSetting<PublicAccessBlock>;
  /** The bucket policy, parsed. */
  readonly policy: BucketSetting<BucketPolicyDocument>;
  /** The lifecycle rules, as documents (dates as ISO strings). */
  readonly lifecycle: BucketSetting<LifecycleConfigurationDocument>;
  readonly logging: BucketSetting<BucketLogging>;
  readonly ownershipControls: BucketSetting<ObjectOwnership>;
}

/**
 * The name of a setting of {@link BucketDescription}.
 * @public
 */
export type BucketSettingName = Exclude<keyof BucketDescription, 'bucket'>;
