import { DeleteObjectCommand, GetBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConfigError, ListingError, S3ToS3Copier, TransferError, type S3Location } from '../index.js';
import { describeS3Error, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';
import type { ObjectVersion } from './list-versions.js';
import { RestoreTally, type RestoreEvent, type RestoreSummary } from './restore-types.js';
import { concurrencyOf, TaskPool } from './task-pool.js';
import { versionsAt, type KeyAtTime } from './versions-at.js';

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
  const pool = new TaskPool(concurrencyOf(options.concurrency, 4));
  await requireVersioning(client, location, signal);
  const copier = new S3ToS3Copier({ sourceClient: client, targetClient: client, serverSide: true, multipartCopyThreshold: options.multipartCopyThreshold });
  const tally = new RestoreTally(at, dryRun, options.onEvent);
  try {
    for await (const state of versionsAt(client, location, at, { signal })) {
      signal?.throwIfAborted();
      await pool.add(() => restoreKey(options, copier, state, tally, dryRun));
    }
    await pool.drain();
    signal?.throwIfAborted();
  } catch (error) {
    await pool.drain();
    throw signal?.aborted === true ? signal.reason : error;
  }
  return tally.summary();
}

/** Refuses a bucket whose versioning is not Enabled, saying how to enable it. */
async function requireVersioning(client: S3Client, location: S3Location, signal: AbortSignal | undefined): Promise<void> {
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

async function restoreKey(options: RestoreInBucketOptions, copier: S3ToS3Copier, state: KeyAtTime, tally: RestoreTally, dryRun: boolean): Promise<void> {
  const { client, location, signal } = options;
  const { key, version, latest } = state;
  const objectKey = location.prefix + key;
  try {
    if (version === undefined) {
      if (latest.deleteMarker) return unchanged(tally, key, undefined);
      if (!dryRun) await client.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: objectKey }), { abortSignal: signal });
      tally.deleted++;
      tally.onEvent?.({ type: 'delete', key, dryRun });
      return;
    }
    if (holds(latest, version)) return unchanged(tally, key, version.versionId);
    if (!dryRun) {
      await copier.copy({
        sourceBucket: location.bucket,
        sourceKey: objectKey,
        sourceVersionId: version.versionId,
        source: { key, size: version.size, mtimeMs: version.lastModified.getTime(), etag: version.etag, storageClass: version.storageClass },
        targetBucket: location.bucket,
        targetKey: objectKey,
        signal,
      });
    }
    tally.restored++;
    tally.restoredBytes += version.size;
    tally.onEvent?.({ type: 'restore', key, versionId: version.versionId, size: version.size, lastModified: version.lastModified, dryRun });
  } catch (error) {
    if (signal?.aborted === true) return;
    const failure =
      error instanceof TransferError
        ? error
        : new TransferError(version === undefined ? 'delete' : 'copy', key, describeS3Error(error, location.bucket), { code: s3ErrorCode(error), cause: error });
    tally.fail({ key, operation: version === undefined ? 'delete' : 'copy', message: failure.message, code: failure.code });
  }
}

/** The key's current version already is (or has the content of) its version at the time. */
function holds(latest: ObjectVersion, version: ObjectVersion): boolean {
  if (latest.deleteMarker) return false;
  if (latest.versionId === version.versionId) return true;
  // A copy made by an earlier restore: a new version id, the same ETag (same MD5, or the same
  // parts) and size.
  return latest.etag !== undefined && latest.etag === version.etag && latest.size === version.size;
}

function unchanged(tally: RestoreTally, key: string, versionId: string | undefined): void {
  tally.unchanged++;
  tally.onEvent?.({ type: 'unchanged', key, versionId });
}
