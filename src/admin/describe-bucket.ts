import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ConfigError } from '../core/errors.js';
import { s3ErrorCode } from '../core/s3-errors.js';
import { BucketRequestError, isNotSupported, notSupportedReason } from './bucket-request-error.js';
import type { BucketDescription, BucketEncryption, BucketLogging, BucketSetting, BucketSettingName, ObjectOwnership, PublicAccessBlock } from './bucket-description.js';
import type { LifecycleConfigurationDocument } from './lifecycle-document.js';
import { lifecycleFromSdk } from './lifecycle-sdk.js';
import type { BucketPolicyDocument } from './policy-document.js';
import { isObject } from './problems.js';

/**
 * Options of {@link describeBucket} and the other calls of s3kit/admin that make requests.
 * @public
 */
export interface BucketRequestOptions {
  /**
   * Aborts the requests.
   * @defaultValue `undefined` (not abortable)
   */
  readonly signal?: AbortSignal;
}

/** The error codes by which S3 says a setting is not set. */
const NOT_SET_CODES = new Set([
  'NoSuchBucketPolicy',
  'NoSuchLifecycleConfiguration',
  'NoSuchPublicAccessBlockConfiguration',
  'ServerSideEncryptionConfigurationNotFoundError',
  'OwnershipControlsNotFoundError',
]);

/**
 * Reads every setting s3kit administers: versioning and MFA delete, default encryption, Block
 * Public Access, the policy (parsed), lifecycle rules, access logging and object ownership. Each
 * is its value, `not-set`, or `not-supported` (the server does not implement the call: 501
 * NotImplemented, 405 MethodNotAllowed, or an answer that is not the configuration asked for,
 * such as the bucket listing radosgw 16 returns for GetBucketEncryption).
 *
 * Read-only. Other errors (a missing bucket, denied access) reject with a
 * {@link BucketRequestError}.
 * @public
 */
export async function describeBucket(client: S3Client, bucket: string, options: BucketRequestOptions = {}): Promise<BucketDescription> {
  checkBucketName(bucket);
  // Versioning first and alone: every S3 server implements it, so a missing bucket or bad
  // credentials fail here once instead of in seven requests at the same time.
  const versioning = await readVersioning(client, bucket, options);
  const [encryption, publicAccessBlock, policy, lifecycle, logging, ownershipControls] = await Promise.all([
    READERS.encryption(client, bucket, options),
    READERS.publicAccessBlock(client, bucket, options),
    READERS.policy(client, bucket, options),
    READERS.lifecycle(client, bucket, options),
    READERS.logging(client, bucket, options),
    READERS.ownershipControls(client, bucket, options),
  ]);
  return { bucket, ...versioning, encryption, publicAccessBlock, policy, lifecycle, logging, ownershipControls };
}

/**
 * One setting of {@link describeBucket}, with only the request that reads it (so a user allowed
 * to read the lifecycle configuration and nothing else can still read it).
 * @public
 */
export async function readBucketSetting<K extends BucketSettingName>(client: S3Client, bucket: string, setting: K, options: BucketRequestOptions = {}): Promise<BucketDescription[K]> {
  checkBucketName(bucket);
  if (setting === 'versioning' || setting === 'mfaDelete') return (await readVersioning(client, bucket, options))[setting as 'versioning' | 'mfaDelete'] as BucketDescription[K];
  const reader = READERS[setting as Exclude<BucketSettingName, 'versioning' | 'mfaDelete'>];
  if (reader === undefined) throw new ConfigError('setting', `There is no bucket setting ${JSON.stringify(setting)}; the settings are versioning, mfaDelete, ${Object.keys(READERS).join(', ')}.`);
  return (await reader(client, bucket, options)) as BucketDescription[K];
}

type Reader<T> = (client: S3Client, bucket: string, options: BucketRequestOptions) => Promise<BucketSetting<T>>;

async function readVersioning(client: S3Client, Bucket: string, options: BucketRequestOptions): Promise<Pick<BucketDescription, 'versioning' | 'mfaDelete'>> {
  const versioning = await read('GetBucketVersioning', Bucket, () => client.send(new GetBucketVersioningCommand({ Bucket }), { abortSignal: options.signal }));
  return {
    versioning: map(versioning, (output) => (output.Status === 'Enabled' || output.Status === 'Suspended' ? set(output.Status) : NOT_SET)),
    mfaDelete: map(versioning, (output) => (output.MFADelete === 'Enabled' || output.MFADelete === 'Disabled' ? set(output.MFADelete) : NOT_SET)),
  };
}

const READERS: {
  readonly encryption: Reader<BucketEncryption>;
  readonly publicAccessBlock: Reader<PublicAccessBlock>;
  readonly policy: Reader<BucketPolicyDocument>;
  readonly lifecycle: Reader<LifecycleConfigurationDocument>;
  readonly logging: Reader<BucketLogging>;
  readonly ownershipControls: Reader<ObjectOwnership>;
} = {
  encryption: async (client, Bucket, options) =>
    map(await read('GetBucketEncryption', Bucket, () => client.send(new GetBucketEncryptionCommand({ Bucket }), { abortSignal: options.signal })), (output) => {
      const rules = output.ServerSideEncryptionConfiguration?.Rules;
      // S3 answers ServerSideEncryptionConfigurationNotFoundError when nothing is set, never an
      // empty configuration: an answer without rules is not an encryption configuration.
      if (rules === undefined || rules.length === 0) return notUnderstood('GetBucketEncryption');
      const rule = rules[0]!;
      const byDefault = rule.ApplyServerSideEncryptionByDefault;
      if (byDefault?.SSEAlgorithm === undefined) return NOT_SET;
      const value: BucketEncryption = {
        algorithm: byDefault.SSEAlgorithm as BucketEncryption['algorithm'],
        ...(byDefault.KMSMasterKeyID === undefined ? {} : { kmsKeyId: byDefault.KMSMasterKeyID }),
        ...(rule.BucketKeyEnabled === undefined ? {} : { bucketKeyEnabled: rule.BucketKeyEnabled }),
      };
      return set(value);
    }),
  publicAccessBlock: async (client, Bucket, options) =>
    map(await read('GetPublicAccessBlock', Bucket, () => client.send(new GetPublicAccessBlockCommand({ Bucket }), { abortSignal: options.signal })), (output) => {
      const config = output.PublicAccessBlockConfiguration;
      if (config === undefined) return NOT_SET;
      return set<PublicAccessBlock>({
        blockPublicAcls: config.BlockPublicAcls === true,
        ignorePublicAcls: config.IgnorePublicAcls === true,
        blockPublicPolicy: config.BlockPublicPolicy === true,
        restrictPublicBuckets: config.RestrictPublicBuckets === true,
      });
    }),
  policy: async (client, Bucket, options) =>
    map(await read('GetBucketPolicy', Bucket, () => client.send(new GetBucketPolicyCommand({ Bucket }), { abortSignal: options.signal })), (output) => {
      if (output.Policy === undefined || output.Policy.trim() === '') return NOT_SET;
      let parsed: unknown;
      try {
        parsed = JSON.parse(output.Policy);
      } catch (error) {
        throw new BucketRequestError('GetBucketPolicy', Bucket, new ConfigError('policy', `the server returned a policy that is not JSON (${(error as Error).message})`, { cause: error }));
      }
      return isObject(parsed) ? set(parsed as unknown as BucketPolicyDocument) : notUnderstood('GetBucketPolicy');
    }),
  lifecycle: async (client, Bucket, options) =>
    map(await read('GetBucketLifecycleConfiguration', Bucket, () => client.send(new GetBucketLifecycleConfigurationCommand({ Bucket }), { abortSignal: options.signal })), (output) =>
      output.Rules === undefined || output.Rules.length === 0 ? NOT_SET : set<LifecycleConfigurationDocument>(lifecycleFromSdk(output.Rules)),
    ),
  logging: async (client, Bucket, options) =>
    map(await read('GetBucketLogging', Bucket, () => client.send(new GetBucketLoggingCommand({ Bucket }), { abortSignal: options.signal })), (output) => {
      const enabled = output.LoggingEnabled;
      if (enabled?.TargetBucket === undefined) return NOT_SET;
      return set<BucketLogging>({ targetBucket: enabled.TargetBucket, targetPrefix: enabled.TargetPrefix ?? '' });
    }),
  ownershipControls: async (client, Bucket, options) =>
    map(await read('GetBucketOwnershipControls', Bucket, () => client.send(new GetBucketOwnershipControlsCommand({ Bucket }), { abortSignal: options.signal })), (output) => {
      const rules = output.OwnershipControls?.Rules;
      // As for encryption: S3 answers OwnershipControlsNotFoundError, never an empty configuration.
      if (rules === undefined || rules.length === 0) return notUnderstood('GetBucketOwnershipControls');
      const ownership = rules[0]!.ObjectOwnership;
      return ownership === undefined ? NOT_SET : set(ownership as ObjectOwnership);
    }),
};

/** The outcome of one read: the output, or the setting it already tells (not set, not supported). */
type Read<T> = { readonly output: T } | { readonly setting: BucketSetting<never> };

const NOT_SET = { status: 'not-set' } as const;

function set<T>(value: T): BucketSetting<T> {
  return { status: 'set', value };
}

function notUnderstood(operation: string): BucketSetting<never> {
  return {
    status: 'not-supported',
    reason: `the server does not support ${operation}: its answer is not the configuration asked for (radosgw 16 answers with a bucket listing).`,
  };
}

async function read<T>(operation: string, bucket: string, request: () => Promise<T>): Promise<Read<T>> {
  try {
    return { output: await request() };
  } catch (error) {
    const code = s3ErrorCode(error);
    if (code !== undefined && NOT_SET_CODES.has(code)) return { setting: NOT_SET };
    if (isNotSupported(error)) return { setting: { status: 'not-supported', reason: notSupportedReason(operation, error) } };
    throw new BucketRequestError(operation, bucket, error);
  }
}

function map<T, V>(result: Read<T>, interpret: (output: T) => BucketSetting<V>): BucketSetting<V> {
  return 'setting' in result ? result.setting : interpret(result.output);
}

/** A ConfigError unless `bucket` is a bucket name (not a URL, not empty). */
export function checkBucketName(bucket: string): void {
  if (typeof bucket !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(bucket)) {
    throw new ConfigError('bucket', `${JSON.stringify(bucket)} is not a bucket name: give the name alone (my-bucket), not a URL or a path.`);
  }
}
