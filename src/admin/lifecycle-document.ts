import type { TransitionStorageClass } from './storage-classes.js';

/*
 * The JSON shape of a bucket lifecycle configuration: what `aws s3api
 * put-bucket-lifecycle-configuration --lifecycle-configuration file://x.json` takes and what the
 * SDK's PutBucketLifecycleConfiguration input holds under `LifecycleConfiguration`, with the same
 * element names. Dates are ISO 8601 strings at midnight UTC.
 */

/**
 * A tag a lifecycle filter matches.
 * @public
 */
export interface LifecycleTag {
  readonly Key: string;
  readonly Value: string;
}

/**
 * Which objects a lifecycle rule applies to: exactly one of the predicates, several combined under
 * `And`, or none (every object of the bucket).
 * @public
 */
export interface LifecycleFilter {
  readonly Prefix?: string;
  readonly Tag?: LifecycleTag;
  readonly ObjectSizeGreaterThan?: number;
  readonly ObjectSizeLessThan?: number;
  readonly And?: {
    readonly Prefix?: string;
    readonly Tags?: readonly LifecycleTag[];
    readonly ObjectSizeGreaterThan?: number;
    readonly ObjectSizeLessThan?: number;
  };
}

/**
 * One lifecycle rule.
 * @public
 */
export interface LifecycleRule {
  readonly ID?: string;
  readonly Status: 'Enabled' | 'Disabled';
  readonly Filter?: LifecycleFilter;
  /** The deprecated rule-level prefix; prefer `Filter.Prefix`. */
  readonly Prefix?: string;
  readonly Transitions?: readonly { readonly Days?: number; readonly Date?: string; readonly StorageClass: TransitionStorageClass }[];
  readonly Expiration?: { readonly Days?: number; readonly Date?: string; readonly ExpiredObjectDeleteMarker?: boolean };
  readonly NoncurrentVersionTransitions?: readonly {
    readonly NoncurrentDays: number;
    readonly StorageClass: TransitionStorageClass;
    readonly NewerNoncurrentVersions?: number;
  }[];
  readonly NoncurrentVersionExpiration?: { readonly NoncurrentDays: number; readonly NewerNoncurrentVersions?: number };
  readonly AbortIncompleteMultipartUpload?: { readonly DaysAfterInitiation: number };
}

/**
 * A bucket lifecycle configuration (`{ "Rules": [...] }`).
 * @public
 */
export interface LifecycleConfigurationDocument {
  readonly Rules: readonly LifecycleRule[];
}
