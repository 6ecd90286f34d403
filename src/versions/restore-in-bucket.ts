import { DeleteObjectCommand, GetBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConfigError, ListingError, S3ToS3Copier, TransferError, type S3Location } from '../index.js';
import { describeS3Error, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';
import type { ObjectVersion } from './list-versions.js';
import { plannedVersion, versionOf, type PlannedKey, type ReplacedState, type RestoreAction } from './restore-plan.js';
import { runRestore } from './restore-run.js';
import { RestoreTally, type RestoreEvent, type RestoreSummary } from './restore-types.js';
import { concurrencyOf } from './task-pool.js';
import { versionsAt } from './versions-at.js';

/**
 * Options of {@link restoreInBucket}.
 * @public
 */
export interface RestoreInBucketOptions {
  /** The client of the versioned bucket. */
  readonly client: S3Client;
  /** The bucket and prefix to put back as they were. */
  readonly location: S3Location;
  /** The point in time whose state becomes current again. */
  readonly at: Date;
  /**
   * Report what would be done (through `onEvent` and the summary) and change nothing.
   * @defaultValue `false`
   */
  readonly dryRun?: boolean;
  /**
   * Keys restored at once.
   * @defaultValue `4`
   */
  readonly concurrency?: number;
  /**
   * Versions of at least this size are copied with parallel UploadPartCopy requests (S3 caps a
   * single CopyObject at 5 GiB, so larger values are lowered to that).
   * @defaultValue `5 GiB`
   */
  readonly multipartCopyThreshold?: number;
  /** Called for each key restored, deleted, unchanged or failed. */
  readonly onEvent?: (event: RestoreEvent) => void;
  /** Cancels the restore (a multipart copy in progress is aborted). */
  readonly signal?: AbortSignal;
  /**
   * A saved plan ({@link planRestore}, or `s3kit restore … --plan`): the restore plans afresh
   * and runs only if every action equals it — the same keys, versions and replaced versions —
   * and otherwise rejects with a `PlanMismatchError` naming the first difference, having
   * changed nothing.
   * @defaultValue none: the fresh plan runs as it is made
   */
  readonly expectedPlan?: AsyncIterable<RestoreAction>;
}

/**
 * Undoes every change made under a versioned bucket's prefix since a point in time, server-side:
 * - a key whose current version is not the one current at `at` gets that version copied over it
 *   (CopyObject with `?versionId=`, multipart UploadPartCopy above 5 GiB), keeping its metadata
 *   and tags; this also brings back a key deleted since;
 * - a key that did not exist at `at` but exists now is deleted, which in a versioned bucket only
 *   puts a delete marker on it;
 * - a key already in its state at `at` (same version, or the same ETag and size, as after an
 *   earlier restore) is left alone.
 * Nothing is lost: every replaced version stays in the bucket's history, so the restore itself
 * can be undone by restoring to the moment before it. Refused with a `ConfigError` when the
 * bucket's versioning is not Enabled (off, or Suspended: a write would then replace the `null`
 * version for good). Failed keys are counted and the run goes on.
 * @public
 */
export async function restoreInBucket(options: RestoreInBucketOptions): Promise<RestoreSummary> {
  const { client, location, at, signal } = options;
  if (!(at instanceof Date) || !Number.isFinite(at.getTime())) throw new ConfigError('at', 'at must be a valid Date.');
  if (location?.kind !== 's3') throw new ConfigError('location', 'location must be an S3 location (s3://bucket/prefix).');
  const dryRun = options.dryRun ?? false;
  const concurrency = concurrencyOf(options.concurrency, 4);
  await requireVersioning(client, location, signal);
  const copier = new S3ToS3Copier({ sourceClient: client, targetClient: client, serverSide: true, multipartCopyThreshold: options.multipartCopyThreshold });
  const tally = new RestoreTally(at, dryRun, options.onEvent);
  await runRestore({
    plan: () => planInBucket(client, location, at, signal),
    execute: (action) => executeInBucket(options, copier, action),
    failureOf: (action, error) => {
      const operation = action.type === 'delete' ? 'delete' : 'copy';
      const failure = error instanceof TransferError ? error : new TransferError(operation, action.key, describeS3Error(error, location.bucket), { code: s3ErrorCode(error), cause: error });
      return { key: action.key, operation, message: failure.message, code: failure.code };
    },
    deleteLast: false,
    expectedPlan: options.expectedPlan,
    concurrency,
    tally,
    signal,
  });
  return tally.summary();
}

/**
 * What a restore in place would do to each key under the location, in key order: put the
 * version current at `at` back (a copy over the key), delete a key that did not exist then (a
 * delete marker), or nothing. Each action names the version it replaces.
 */
export async function* planInBucket(client: S3Client, location: S3Location, at: Date, signal: AbortSignal | undefined): AsyncGenerator<PlannedKey> {
  for await (const { key, version, latest } of versionsAt(client, location, at, { signal })) {
    if (version === undefined) {
      yield latest.deleteMarker ? { type: 'unchanged', key, versionId: undefined } : { type: 'delete', key, replaces: replacedVersion(latest) };
    } else if (holds(latest, version)) {
      yield { type: 'unchanged', key, versionId: version.versionId };
    } else {
      yield { type: 'restore', key, version: plannedVersion(version), replaces: replacedVersion(latest) };
    }
  }
}

/** Refuses a bucket whose versioning is not Enabled, saying how to enable it. */
export async function requireVersioning(client: S3Client, location: S3Location, signal: AbortSignal | undefined): Promise<void> {
  let status: string | undefined;
  try {
    status = (await client.send(new GetBucketVersioningCommand({ Bucket: location.bucket }), { abortSignal: signal })).Status;
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    throw new ListingError('target', `Cannot read the versioning of s3://${location.bucket}: ${describeS3Error(error, location.bucket)}`, {
      code: s3ErrorCode(error),
      cause: error,
      retryable: isRetryableError(error),
    });
  }
  if (status === 'Enabled') return;
  throw new ConfigError(
    'location',
    `s3://${location.bucket} does not have versioning enabled (it is ${status === undefined ? 'off' : status}): a restore in place needs it, ` +
      'so that every version it replaces or deletes is kept. Enable it with ' +
      `"aws s3api put-bucket-versioning --bucket ${location.bucket} --versioning-configuration Status=Enabled"; ` +
      'only changes made after that can be restored.',
  );
}

async function executeInBucket(options: RestoreInBucketOptions, copier: S3ToS3Copier, action: RestoreAction): Promise<void> {
  const { client, location, signal } = options;
  const objectKey = location.prefix + action.key;
  if (action.type === 'delete') {
    await client.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: objectKey }), { abortSignal: signal });
    return;
  }
  const version = versionOf(action.key, action.version);
  await copier.copy({
    sourceBucket: location.bucket,
    sourceKey: objectKey,
    sourceVersionId: version.versionId,
    source: { key: action.key, size: version.size, mtimeMs: version.lastModified.getTime(), etag: version.etag, storageClass: version.storageClass },
    targetBucket: location.bucket,
    targetKey: objectKey,
    signal,
  });
}

/** The key's current version already is (or has the content of) its version at the time. */
function holds(latest: ObjectVersion, version: ObjectVersion): boolean {
  if (latest.deleteMarker) return false;
  if (latest.versionId === version.versionId) return true;
  // A copy made by an earlier restore: a new version id, the same ETag (same MD5, or the same
  // parts) and size.
  return latest.etag !== undefined && latest.etag === version.etag && latest.size === version.size;
}

/** What a plan records of the version an action replaces. */
function replacedVersion(latest: ObjectVersion): ReplacedState {
  return latest.deleteMarker
    ? { versionId: latest.versionId, deleteMarker: true }
    : { versionId: latest.versionId, size: latest.size, ...(latest.etag === undefined ? {} : { etag: latest.etag }) };
}
