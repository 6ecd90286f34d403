/**
 * The IAM action names of Amazon S3 (service prefix `s3`) and the resource each applies to, from
 * the Service Authorization Reference ("Actions, resources, and condition keys for Amazon S3").
 * A bucket policy can grant the `bucket` and `object` ones; the `other` ones act on the account,
 * access points, batch jobs or Storage Lens and apply to no resource a bucket policy names.
 */
export type S3ActionTarget = 'bucket' | 'object' | 'other';

const OBJECT_ACTIONS = [
  'AbortMultipartUpload',
  'BypassGovernanceRetention',
  'DeleteObject',
  'DeleteObjectTagging',
  'DeleteObjectVersion',
  'DeleteObjectVersionTagging',
  'GetObject',
  'GetObjectAcl',
  'GetObjectAttributes',
  'GetObjectLegalHold',
  'GetObjectRetention',
  'GetObjectTagging',
  'GetObjectTorrent',
  'GetObjectVersion',
  'GetObjectVersionAcl',
  'GetObjectVersionAttributes',
  'GetObjectVersionForReplication',
  'GetObjectVersionTagging',
  'GetObjectVersionTorrent',
  'InitiateReplication',
  'ListMultipartUploadParts',
  'ObjectOwnerOverrideToBucketOwner',
  'PutObject',
  'PutObjectAcl',
  'PutObjectLegalHold',
  'PutObjectRetention',
  'PutObjectTagging',
  'PutObjectVersionAcl',
  'PutObjectVersionTagging',
  'ReplicateDelete',
  'ReplicateObject',
  'ReplicateTags',
  'RestoreObject',
] as const;

const BUCKET_ACTIONS = [
  'CreateBucket',
  'CreateBucketMetadataTableConfiguration',
  'DeleteBucket',
  'DeleteBucketMetadataTableConfiguration',
  'DeleteBucketOwnershipControls',
  'DeleteBucketPolicy',
  'DeleteBucketWebsite',
  'GetAccelerateConfiguration',
  'GetAnalyticsConfiguration',
  'GetBucketAcl',
  'GetBucketCORS',
  'GetBucketLocation',
  'GetBucketLogging',
  'GetBucketMetadataTableConfiguration',
  'GetBucketNotification',
  'GetBucketObjectLockConfiguration',
  'GetBucketOwnershipControls',
  'GetBucketPolicy',
  'GetBucketPolicyStatus',
  'GetBucketPublicAccessBlock',
  'GetBucketRequestPayment',
  'GetBucketTagging',
  'GetBucketVersioning',
  'GetBucketWebsite',
  'GetEncryptionConfiguration',
  'GetIntelligentTieringConfiguration',
  'GetInventoryConfiguration',
  'GetLifecycleConfiguration',
  'GetMetricsConfiguration',
  'GetReplicationConfiguration',
  'ListBucket',
  'ListBucketMultipartUploads',
  'ListBucketVersions',
  'PutAccelerateConfiguration',
  'PutAnalyticsConfiguration',
  'PutBucketAcl',
  'PutBucketCORS',
  'PutBucketLogging',
  'PutBucketNotification',
  'PutBucketObjectLockConfiguration',
  'PutBucketOwnershipControls',
  'PutBucketPolicy',
  'PutBucketPublicAccessBlock',
  'PutBucketRequestPayment',
  'PutBucketTagging',
  'PutBucketVersioning',
  'PutBucketWebsite',
  'PutEncryptionConfiguration',
  'PutIntelligentTieringConfiguration',
  'PutInventoryConfiguration',
  'PutLifecycleConfiguration',
  'PutMetricsConfiguration',
  'PutReplicationConfiguration',
] as const;

const OTHER_ACTIONS = [
  'CreateAccessPoint',
  'CreateJob',
  'CreateMultiRegionAccessPoint',
  'DeleteAccessPoint',
  'DeleteAccessPointPolicy',
  'DeleteStorageLensConfiguration',
  'DescribeJob',
  'GetAccessPoint',
  'GetAccessPointPolicy',
  'GetAccountPublicAccessBlock',
  'GetStorageLensConfiguration',
  'ListAccessPoints',
  'ListAllMyBuckets',
  'ListJobs',
  'ListMultiRegionAccessPoints',
  'ListStorageLensConfigurations',
  'PutAccessPointPolicy',
  'PutAccountPublicAccessBlock',
  'PutStorageLensConfiguration',
  'UpdateJobPriority',
  'UpdateJobStatus',
] as const;

/** Every known action name (without `s3:`) → what it applies to. Keys are lower case: IAM matches action names case-insensitively. */
const ACTIONS = new Map<string, { readonly name: string; readonly target: S3ActionTarget }>([
  ...OBJECT_ACTIONS.map((name) => [name.toLowerCase(), { name, target: 'object' as const }] as const),
  ...BUCKET_ACTIONS.map((name) => [name.toLowerCase(), { name, target: 'bucket' as const }] as const),
  ...OTHER_ACTIONS.map((name) => [name.toLowerCase(), { name, target: 'other' as const }] as const),
]);

/** Every known action name, for suggestions. */
export const S3_ACTION_NAMES: readonly string[] = [...ACTIONS.values()].map((action) => action.name);

/**
 * API operation names people write where IAM has another action (the operation authorizes with
 * the named action), so the fix names the action that works rather than the nearest spelling.
 */
export const OPERATION_ACTIONS: Readonly<Record<string, string>> = {
  headobject: 'GetObject',
  copyobject: 'GetObject and s3:PutObject',
  deleteobjects: 'DeleteObject',
  createmultipartupload: 'PutObject',
  uploadpart: 'PutObject',
  uploadpartcopy: 'PutObject',
  completemultipartupload: 'PutObject',
  listparts: 'ListMultipartUploadParts',
  listobjects: 'ListBucket',
  listobjectsv2: 'ListBucket',
  listobjectversions: 'ListBucketVersions',
  listmultipartuploads: 'ListBucketMultipartUploads',
  headbucket: 'ListBucket',
  listbuckets: 'ListAllMyBuckets',
  getbucketencryption: 'GetEncryptionConfiguration',
  putbucketencryption: 'PutEncryptionConfiguration',
  deletebucketencryption: 'PutEncryptionConfiguration',
  getbucketlifecycleconfiguration: 'GetLifecycleConfiguration',
  putbucketlifecycleconfiguration: 'PutLifecycleConfiguration',
  deletebucketlifecycle: 'PutLifecycleConfiguration',
  getbucketlifecycle: 'GetLifecycleConfiguration',
  putbucketlifecycle: 'PutLifecycleConfiguration',
  getbucketreplication: 'GetReplicationConfiguration',
  putbucketreplication: 'PutReplicationConfiguration',
  getobjectlockconfiguration: 'GetBucketObjectLockConfiguration',
  putobjectlockconfiguration: 'PutBucketObjectLockConfiguration',
  getbucketaccelerateconfiguration: 'GetAccelerateConfiguration',
  putbucketaccelerateconfiguration: 'PutAccelerateConfiguration',
  getpublicaccessblock: 'GetBucketPublicAccessBlock',
  putpublicaccessblock: 'PutBucketPublicAccessBlock',
  deletebuckettagging: 'PutBucketTagging',
  deletebucketcors: 'PutBucketCORS',
  selectobjectcontent: 'GetObject',
};

/** The known action a name (without `s3:`) names, case-insensitively. */
export function lookUpAction(name: string): { readonly name: string; readonly target: S3ActionTarget } | undefined {
  return ACTIONS.get(name.toLowerCase());
}

/** The known actions an IAM wildcard pattern (`Get*`, `Put?bject`, `*`) matches, case-insensitively. */
export function matchActions(pattern: string): { readonly name: string; readonly target: S3ActionTarget }[] {
  const regex = globToRegExp(pattern, 'i');
  return [...ACTIONS.values()].filter((action) => regex.test(action.name));
}

/** IAM's wildcards: `*` any run of characters (slashes included), `?` one character. */
export function globToRegExp(pattern: string, flags = ''): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
}
