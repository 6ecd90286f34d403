import {
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ConfigError } from '../core/errors.js';
import type { BucketDescription, BucketEncryption, BucketLogging, BucketSetting, PublicAccessBlock } from './bucket-description.js';
import { BucketRequestError, isNotSupported, notSupportedReason } from './bucket-request-error.js';
import { checkBucketName, describeBucket, readBucketSetting, type BucketRequestOptions } from './describe-bucket.js';
import type { LifecycleConfigurationDocument } from './lifecycle-document.js';
import { lifecycleToSdk } from './lifecycle-sdk.js';
import { mergeBucketPolicy } from './merge-bucket-policy.js';
import { mergeLifecycleRules } from './merge-lifecycle.js';
import type { BucketPolicyDocument } from './policy-document.js';
import { show, throwIfErrors } from './problems.js';
import { renderLifecycleTemplate, renderPolicyTemplate } from './templates.js';
import { validateBucketPolicy } from './validate-bucket-policy.js';
import { validateLifecycle } from './validate-lifecycle.js';

/**
 * What {@link planBucketSetup} should make true of a bucket. Every field left out is left as it is;
 * nothing here ever turns a setting off.
 * @public
 */
export interface BucketSetupWanted {
  /**
   * Enable versioning.
   * @defaultValue `false` (versioning left as it is)
   */
  readonly versioning?: boolean;
  /**
   * Enable MFA delete (implies versioning). Applying it needs the MFA device's serial and a
   * current code ({@link ApplyBucketSetupOptions.mfa}); on AWS only the root user may.
   * @defaultValue `false`
   */
  readonly mfaDelete?: boolean;
  /**
   * Default encryption of new objects.
   * @defaultValue `undefined` (left as it is)
   */
  readonly encryption?: { readonly algorithm: BucketEncryption['algorithm']; readonly kmsKeyId?: string };
  /**
   * Turn on all four switches of Block Public Access.
   * @defaultValue `false`
   */
  readonly blockPublicAccess?: boolean;
  /**
   * Merge the `tls-only` template's statement (deny requests without TLS) into the bucket policy,
   * keeping every other statement.
   * @defaultValue `false`
   */
  readonly tlsOnly?: boolean;
  /**
   * Merge a lifecycle rule (the `abort-incomplete-uploads` template, ID `abort-incomplete-uploads`)
   * that aborts multipart uploads this many days after they start, keeping every other rule.
   * @defaultValue `undefined` (no rule added)
   */
  readonly abortIncompleteUploadsDays?: number;
  /**
   * Send server access logs to this bucket and prefix.
   * @defaultValue `undefined` (left as it is)
   */
  readonly accessLog?: { readonly bucket: string; readonly prefix?: string };
}

/**
 * What every {@link BucketChange} has.
 * @public
 */
export interface BucketChangeBase {
  /** What the change does, as a phrase: `enable versioning`, `merge the policy statement S3kitDenyInsecureTransport`. */
  readonly summary: string;
  /** The setting as it is now, as a phrase: `not set`, `Suspended`, `2 statements`. */
  readonly from: string;
  /**
   * False when {@link describeBucket} found that the server does not support this setting:
   * {@link applyBucketSetup} sends nothing for it and reports `not-supported`.
   */
  readonly supported: boolean;
}

/**
 * Enable versioning (and MFA delete).
 * @public
 */
export interface VersioningChange extends BucketChangeBase {
  readonly setting: 'versioning';
  readonly to: { readonly status: 'Enabled'; readonly mfaDelete?: 'Enabled' };
}

/**
 * Set default encryption.
 * @public
 */
export interface EncryptionChange extends BucketChangeBase {
  readonly setting: 'encryption';
  readonly to: BucketEncryption;
}

/**
 * Set Block Public Access.
 * @public
 */
export interface PublicAccessBlockChange extends BucketChangeBase {
  readonly setting: 'publicAccessBlock';
  readonly to: PublicAccessBlock;
}

/**
 * Put a bucket policy: the existing one with statements merged in by Sid.
 * @public
 */
export interface PolicyChange extends BucketChangeBase {
  readonly setting: 'policy';
  /** The whole policy to put. */
  readonly to: BucketPolicyDocument;
  /** Sids of statements added and replaced. */
  readonly added: readonly string[];
  readonly replaced: readonly string[];
}

/**
 * Put a lifecycle configuration: the existing rules with rules merged in by ID.
 * @public
 */
export interface LifecycleChange extends BucketChangeBase {
  readonly setting: 'lifecycle';
  /** The whole configuration to put. */
  readonly to: LifecycleConfigurationDocument;
  /** IDs of rules added and replaced. */
  readonly added: readonly string[];
  readonly replaced: readonly string[];
}

/**
 * Turn on server access logging.
 * @public
 */
export interface LoggingChange extends BucketChangeBase {
  readonly setting: 'logging';
  readonly to: BucketLogging;
}

/**
 * One change {@link planBucketSetup} found to make, for {@link applyBucketSetup}.
 * @public
 */
export type BucketChange = VersioningChange | EncryptionChange | PublicAccessBlockChange | PolicyChange | LifecycleChange | LoggingChange;

/**
 * What {@link planBucketSetup} returns.
 * @public
 */
export interface BucketSetupPlan {
  /** The bucket as it was read. */
  readonly current: BucketDescription;
  /** The changes to make, in the order {@link applyBucketSetup} makes them; empty when the bucket is already as wanted. */
  readonly changes: readonly BucketChange[];
}

/**
 * Options of {@link applyBucketSetup}.
 * @public
 */
export interface ApplyBucketSetupOptions extends BucketRequestOptions {
  /**
   * The MFA device's serial number and its current code, separated by a space
   * (`arn:aws:iam::111122223333:mfa/root-device 123456`), for a change that enables MFA delete.
   * Sent in the `x-amz-mfa` header, never logged.
   * @defaultValue `undefined` (a change enabling MFA delete is refused before anything is sent)
   */
  readonly mfa?: string;
}

/**
 * What happened to one change in {@link applyBucketSetup}.
 * @public
 */
export interface BucketChangeResult {
  readonly change: BucketChange;
  /** `applied`; `not-supported` (the server does not implement the call; nothing changed); `failed`. */
  readonly outcome: 'applied' | 'not-supported' | 'failed';
  /** Why it was not applied (for `not-supported` and `failed`). */
  readonly reason?: string;
  /** The error, for `failed`. */
  readonly error?: BucketRequestError;
}

const ALL_BLOCKED: PublicAccessBlock = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };
const MFA = /^\S+ \d{6}$/;

/**
 * Reads the bucket ({@link describeBucket}) and returns the changes that make it as `wanted`:
 * idempotent, so a setting already as wanted is no change and running it on a bucket set up
 * before gives no changes. The policy and the lifecycle rules are merged (by Sid, by ID), never
 * replaced. A setting the server does not support is still listed, with `supported: false`.
 *
 * Read-only: changes nothing. A ConfigError for contradictory or invalid wants.
 * @public
 */
export async function planBucketSetup(client: S3Client, bucket: string, wanted: BucketSetupWanted, options: BucketRequestOptions = {}): Promise<BucketSetupPlan> {
  checkWanted(bucket, wanted);
  const current = await describeBucket(client, bucket, options);
  const changes: BucketChange[] = [];

  const wantVersioning = wanted.versioning === true || wanted.mfaDelete === true;
  const versioningOff = !isSet(current.versioning, 'Enabled');
  const mfaOff = wanted.mfaDelete === true && !isSet(current.mfaDelete, 'Enabled');
  if (wantVersioning && (versioningOff || mfaOff)) {
    changes.push({
      setting: 'versioning',
      summary: wanted.mfaDelete === true ? 'enable versioning with MFA delete' : 'enable versioning',
      from: `versioning ${describeSetting(current.versioning)}, MFA delete ${describeSetting(current.mfaDelete)}`,
      supported: current.versioning.status !== 'not-supported',
      to: { status: 'Enabled', ...(wanted.mfaDelete === true ? { mfaDelete: 'Enabled' as const } : {}) },
    });
  }

  if (wanted.encryption !== undefined) {
    const to: BucketEncryption = { algorithm: wanted.encryption.algorithm, ...(wanted.encryption.kmsKeyId === undefined ? {} : { kmsKeyId: wanted.encryption.kmsKeyId }) };
    const now = current.encryption;
    if (!(now.status === 'set' && now.value.algorithm === to.algorithm && now.value.kmsKeyId === to.kmsKeyId)) {
      changes.push({ setting: 'encryption', summary: `set default encryption to ${describeEncryption(to)}`, from: describeSetting(now), supported: now.status !== 'not-supported', to });
    }
  }

  if (wanted.tlsOnly === true) {
    const change = policyChange(current.policy, renderPolicyTemplate('tls-only', {}, { bucket }).document);
    if (change !== undefined) changes.push({ ...change, summary: `deny requests without TLS: ${change.summary}` });
  }

  if (wanted.abortIncompleteUploadsDays !== undefined) {
    const rendered = renderLifecycleTemplate('abort-incomplete-uploads', { days: wanted.abortIncompleteUploadsDays });
    const change = lifecycleChange(current.lifecycle, rendered.document);
    if (change !== undefined) changes.push({ ...change, summary: `abort multipart uploads ${wanted.abortIncompleteUploadsDays} day(s) after they start: ${change.summary}` });
  }

  if (wanted.accessLog !== undefined) {
    const to: BucketLogging = { targetBucket: wanted.accessLog.bucket, targetPrefix: wanted.accessLog.prefix ?? '' };
    const now = current.logging;
    if (!(now.status === 'set' && now.value.targetBucket === to.targetBucket && now.value.targetPrefix === to.targetPrefix)) {
      changes.push({ setting: 'logging', summary: `send access logs to s3://${to.targetBucket}/${to.targetPrefix}`, from: describeSetting(now), supported: now.status !== 'not-supported', to });
    }
  }
  // Block Public Access last: with BlockPublicPolicy on, AWS refuses a PutBucketPolicy whose
  // statements it deems public, and the merged policy keeps the user's statements as they are.
  if (wanted.blockPublicAccess === true) {
    const now = current.publicAccessBlock;
    if (!(now.status === 'set' && Object.values(now.value).every((on) => on))) {
      changes.push({ setting: 'publicAccessBlock', summary: 'block all public access (the four switches on)', from: describeSetting(now), supported: now.status !== 'not-supported', to: ALL_BLOCKED });
    }
  }

  return { current, changes };
}

/**
 * What {@link planBucketPolicy} and {@link planBucketLifecycle} return: the merge, and the change
 * to apply (undefined when the bucket already has every statement or rule as given).
 * @public
 */
export interface DocumentPlan<C extends BucketChange> {
  /** The Sids (policy) or rule IDs (lifecycle) added, replaced and already as given. */
  readonly added: readonly string[];
  readonly replaced: readonly string[];
  readonly unchanged: readonly string[];
  readonly change: C | undefined;
}

/**
 * Validates `addition` (every error throws one ConfigError listing them all, before any request)
 * and plans merging its statements into the bucket's policy by Sid ({@link mergeBucketPolicy}).
 * Read-only; apply the change with {@link applyBucketSetup}.
 * @public
 */
export async function planBucketPolicy(client: S3Client, bucket: string, addition: BucketPolicyDocument, options: BucketRequestOptions = {}): Promise<DocumentPlan<PolicyChange>> {
  checkBucketName(bucket);
  throwIfErrors(validateBucketPolicy(addition, { bucket }), 'bucket policy');
  const current = await readBucketSetting(client, bucket, 'policy', options);
  const merged = mergeBucketPolicy(current.status === 'set' ? current.value : undefined, addition);
  return { added: merged.added, replaced: merged.replaced, unchanged: merged.unchanged, change: policyChange(current, addition) };
}

/**
 * Validates `addition` (every error throws one ConfigError listing them all, before any request)
 * and plans merging its rules into the bucket's lifecycle configuration by ID
 * ({@link mergeLifecycleRules}). Read-only; apply the change with {@link applyBucketSetup}.
 * @public
 */
export async function planBucketLifecycle(
  client: S3Client,
  bucket: string,
  addition: LifecycleConfigurationDocument,
  options: BucketRequestOptions = {},
): Promise<DocumentPlan<LifecycleChange>> {
  checkBucketName(bucket);
  throwIfErrors(validateLifecycle(addition), 'lifecycle configuration');
  const current = await readBucketSetting(client, bucket, 'lifecycle', options);
  const merged = mergeLifecycleRules(current.status === 'set' ? current.value : undefined, addition);
  return { added: merged.added, replaced: merged.replaced, unchanged: merged.unchanged, change: lifecycleChange(current, addition) };
}

/**
 * Makes the changes of a plan, in order, one request each. A change the server does not support
 * (planned with `supported: false`, or answered 501 NotImplemented / 405 MethodNotAllowed) is
 * reported `not-supported`; a failed request is reported `failed` and the next change is still
 * made (the settings are independent). Resolves with one result per change.
 *
 * A ConfigError before any request when a change enables MFA delete without `options.mfa`.
 * @public
 */
export async function applyBucketSetup(client: S3Client, bucket: string, changes: readonly BucketChange[], options: ApplyBucketSetupOptions = {}): Promise<BucketChangeResult[]> {
  checkBucketName(bucket);
  for (const change of changes) {
    if (change.setting === 'versioning' && change.to.mfaDelete === 'Enabled' && change.supported && (options.mfa === undefined || !MFA.test(options.mfa))) {
      throw new ConfigError(
        'mfa',
        `Enabling MFA delete needs the MFA device's serial number and its current 6-digit code, separated by a space ("SERIAL 123456"); got ${options.mfa === undefined ? 'none' : 'something else'}.`,
      );
    }
  }
  const results: BucketChangeResult[] = [];
  for (const change of changes) {
    if (!change.supported) {
      results.push({ change, outcome: 'not-supported', reason: `the server does not support ${operationOf(change)} (found when reading the bucket); nothing was sent.` });
      continue;
    }
    try {
      await send(client, bucket, change, options);
      results.push({ change, outcome: 'applied' });
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      if (isNotSupported(error)) {
        results.push({ change, outcome: 'not-supported', reason: notSupportedReason(operationOf(change), error) });
        continue;
      }
      const failure = new BucketRequestError(operationOf(change), bucket, error);
      results.push({ change, outcome: 'failed', reason: failure.message, error: failure });
    }
  }
  return results;
}

function operationOf(change: BucketChange): string {
  switch (change.setting) {
    case 'versioning':
      return 'PutBucketVersioning';
    case 'encryption':
      return 'PutBucketEncryption';
    case 'publicAccessBlock':
      return 'PutPublicAccessBlock';
    case 'policy':
      return 'PutBucketPolicy';
    case 'lifecycle':
      return 'PutBucketLifecycleConfiguration';
    case 'logging':
      return 'PutBucketLogging';
  }
}

/** Sends the one request that makes `change`. */
async function send(client: S3Client, Bucket: string, change: BucketChange, options: ApplyBucketSetupOptions): Promise<unknown> {
  const how = { abortSignal: options.signal };
  const mfa = options.mfa;
  switch (change.setting) {
    case 'versioning':
      return client.send(new PutBucketVersioningCommand({
        Bucket,
        ...(change.to.mfaDelete === undefined ? {} : { MFA: mfa }),
        VersioningConfiguration: { Status: change.to.status, ...(change.to.mfaDelete === undefined ? {} : { MFADelete: change.to.mfaDelete }) },
      }), how);
    case 'encryption':
      return client.send(new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: change.to.algorithm, ...(change.to.kmsKeyId === undefined ? {} : { KMSMasterKeyID: change.to.kmsKeyId }) } }],
        },
      }), how);
    case 'publicAccessBlock':
      return client.send(new PutPublicAccessBlockCommand({
        Bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: change.to.blockPublicAcls,
          IgnorePublicAcls: change.to.ignorePublicAcls,
          BlockPublicPolicy: change.to.blockPublicPolicy,
          RestrictPublicBuckets: change.to.restrictPublicBuckets,
        },
      }), how);
    case 'policy':
      return client.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(change.to) }), how);
    case 'lifecycle':
      return client.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: lifecycleToSdk(change.to) } }), how);
    case 'logging':
      return client.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: change.to.targetBucket, TargetPrefix: change.to.targetPrefix } } }), how);
  }
}

function policyChange(current: BucketSetting<BucketPolicyDocument>, addition: BucketPolicyDocument): PolicyChange | undefined {
  const merged = mergeBucketPolicy(current.status === 'set' ? current.value : undefined, addition);
  if (!merged.changed && current.status !== 'not-supported') return undefined;
  const statements = current.status === 'set' ? count(current.value.Statement) : 0;
  return {
    setting: 'policy',
    summary: mergeSummary('statement', merged.added, merged.replaced, 'policy'),
    from: current.status === 'set' ? `${statements} statement(s)` : describeSetting(current),
    supported: current.status !== 'not-supported',
    to: merged.policy,
    added: merged.added,
    replaced: merged.replaced,
  };
}

function lifecycleChange(current: BucketSetting<LifecycleConfigurationDocument>, addition: LifecycleConfigurationDocument): LifecycleChange | undefined {
  const merged = mergeLifecycleRules(current.status === 'set' ? current.value : undefined, addition);
  if (!merged.changed && current.status !== 'not-supported') return undefined;
  return {
    setting: 'lifecycle',
    summary: mergeSummary('rule', merged.added, merged.replaced, 'lifecycle configuration'),
    from: current.status === 'set' ? `${current.value.Rules.length} rule(s)` : describeSetting(current),
    supported: current.status !== 'not-supported',
    to: merged.configuration,
    added: merged.added,
    replaced: merged.replaced,
  };
}

function mergeSummary(what: string, added: readonly string[], replaced: readonly string[], where: string): string {
  const parts = [
    ...(added.length > 0 ? [`add ${what}(s) ${added.map((id) => JSON.stringify(id)).join(', ')}`] : []),
    ...(replaced.length > 0 ? [`replace ${what}(s) ${replaced.map((id) => JSON.stringify(id)).join(', ')}`] : []),
  ];
  return `${parts.join(' and ')} in the ${where}, keeping the others`;
}

function count(statement: BucketPolicyDocument['Statement']): number {
  return Array.isArray(statement) ? statement.length : 1;
}

function isSet<T>(setting: BucketSetting<T>, value: T): boolean {
  return setting.status === 'set' && setting.value === value;
}

/** A setting as a short phrase: its value, `not set`, `not supported by this server`. */
function describeSetting(setting: BucketSetting<unknown>): string {
  if (setting.status === 'not-set') return 'not set';
  if (setting.status === 'not-supported') return 'not supported by this server';
  const value = setting.value;
  if (typeof value === 'string') return value;
  if (isEncryption(value)) return describeEncryption(value);
  if (typeof value === 'object' && value !== null && 'targetBucket' in value) return `s3://${(value as BucketLogging).targetBucket}/${(value as BucketLogging).targetPrefix}`;
  if (typeof value === 'object' && value !== null && 'blockPublicAcls' in value) {
    const on = Object.entries(value).filter(([, flag]) => flag === true).map(([name]) => name);
    return on.length === 0 ? 'all four off' : on.length === 4 ? 'all four on' : `only ${on.join(', ')}`;
  }
  return show(value);
}

function isEncryption(value: unknown): value is BucketEncryption {
  return typeof value === 'object' && value !== null && 'algorithm' in value;
}

function describeEncryption(encryption: BucketEncryption): string {
  return encryption.kmsKeyId === undefined ? encryption.algorithm : `${encryption.algorithm} with key ${encryption.kmsKeyId}`;
}

function checkWanted(bucket: string, wanted: BucketSetupWanted): void {
  checkBucketName(bucket);
  const encryption = wanted.encryption;
  if (encryption !== undefined) {
    if (!['AES256', 'aws:kms', 'aws:kms:dsse'].includes(encryption.algorithm)) {
      throw new ConfigError('encryption.algorithm', `The default encryption must be AES256, aws:kms or aws:kms:dsse, got ${show(encryption.algorithm)}.`);
    }
    if (encryption.kmsKeyId !== undefined && encryption.algorithm === 'AES256') {
      throw new ConfigError('encryption.kmsKeyId', 'A KMS key goes with aws:kms (or aws:kms:dsse) encryption, not AES256: choose aws:kms or leave the key out.');
    }
  }
  const days = wanted.abortIncompleteUploadsDays;
  if (days !== undefined && (!Number.isSafeInteger(days) || days < 1)) {
    throw new ConfigError('abortIncompleteUploadsDays', `abortIncompleteUploadsDays must be a whole number of days, at least 1, got ${show(days)}.`);
  }
  if (wanted.accessLog !== undefined) checkBucketName(wanted.accessLog.bucket);
}
