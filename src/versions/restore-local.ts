import { lstat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, TransferError, walkLocal, type Entry, type S3Location } from '../index.js';
import { deleteLocalFile } from '../transfer/delete-local.js';
import { DOWNLOAD_TEMP_NAME } from '../transfer/download-object.js';
import { checkPathBelowRoot, resolveDestinationRoot } from '../transfer/local-destination.js';
import { localKeyPath } from '../core/local-path.js';
import { downloadVersion, holdsVersion } from './download-version.js';
import { mergeByKey } from './merge-by-key.js';
import { RestoreTally, type RestoreEvent, type RestoreSummary } from './restore-types.js';
import { concurrencyOf, TaskPool } from './task-pool.js';
import { versionsAt, type KeyAtTime } from './versions-at.js';

/**
 * Options of {@link restoreToLocal}.
 * @public
 */
export interface RestoreToLocalOptions {
  /** The client of the versioned bucket. */
  readonly client: S3Client;
  /** The bucket and prefix to restore from. */
  readonly source: S3Location;
  /** The local directory to restore into (made when missing). */
  readonly target: string;
  /** The point in time whose state is restored. */
  readonly at: Date;
  /**
   * Also remove local files whose key did not exist at `at` (deleted then, or not yet written),
   * only after every download succeeded.
   * @defaultValue `false`
   */
  readonly delete?: boolean;
  /**
   * Report what would be done (through `onEvent` and the summary) and change nothing.
   * @defaultValue `false`
   */
  readonly dryRun?: boolean;
  /**
   * Downloads at once.
   * @defaultValue `4`
   */
  readonly concurrency?: number;
  /** Called for each key restored, deleted, unchanged or failed. */
  readonly onEvent?: (event: RestoreEvent) => void;
  /** Cancels the restore: downloads in flight stop and leave no file behind. */
  readonly signal?: AbortSignal;
}

/**
 * Restores a local directory to the state of a versioned bucket's prefix at a point in time:
 * each key's version current at `at` ({@link versionsAt}) is downloaded with its VersionId,
 * byte for byte, to a temp file renamed into place (never a partial file at a destination
 * path), with its mtime set to the version's LastModified. Files already holding that version
 * are left alone. Keys that did not exist at `at` are not written; with `delete`, their local
 * files are removed after every download succeeded (a failure skips the deletes, as in a sync).
 * Unsafe keys (`..`, absolute) and symbolic links on the way fail their key; the run goes on.
 * Streams the version listing in key order: memory stays flat. Rejects with the signal's reason
 * when aborted, a `ListingError` when the versions cannot be listed.
 * @public
 */
export async function restoreToLocal(options: RestoreToLocalOptions): Promise<RestoreSummary> {
  const { client, source, at, signal } = options;
  if (!(at instanceof Date) || !Number.isFinite(at.getTime())) throw new ConfigError('at', 'at must be a valid Date.');
  if (source?.kind !== 's3') throw new ConfigError('source', 'source must be an S3 location (s3://bucket/prefix).');
  const dryRun = options.dryRun ?? false;
  const pool = new TaskPool(concurrencyOf(options.concurrency, 4));
  const tally = new RestoreTally(at, dryRun, options.onEvent);
  const root = await destinationRoot(options.target, dryRun);
  const walk = (): AsyncIterable<Entry> => (root === undefined ? empty() : withoutTempFiles(walkLocal(root, { followSymlinks: false, signal })));

  try {
    // Without deletes the local side need not be walked: each key's file is looked at on its own.
    const local: AsyncIterable<Entry> = options.delete === true && dryRun ? walk() : empty();
    for await (const { key, left: state, right: file } of mergeByKey(versionsAt(client, source, at, { signal }), local)) {
      signal?.throwIfAborted();
      if (state?.version === undefined) {
        if (file !== undefined) {
          tally.deleted++;
          tally.onEvent?.({ type: 'delete', key, dryRun: true });
        }
        continue;
      }
      await pool.add(() => restoreKey(options, state, root, tally, dryRun));
    }
    await pool.drain();
    // A download stopped by the signal is not a failure of its key: the restore was cut short.
    signal?.throwIfAborted();
  } catch (error) {
    // Downloads in flight end on the signal and remove their temp files before this settles.
    await pool.drain();
    throw signal?.aborted === true ? signal.reason : error;
  }

  if (options.delete === true && !dryRun && root !== undefined) {
    if (tally.failed > 0) tally.deletesSkipped = true;
    else await deleteAbsent(options, root, tally);
  }
  return tally.summary();
}

async function restoreKey(options: RestoreToLocalOptions, state: KeyAtTime, root: string | undefined, tally: RestoreTally, dryRun: boolean): Promise<void> {
  const version = state.version!;
  const key = state.key;
  try {
    const where = localKeyPath(root ?? resolve(options.target), key);
    if (where.unsafe !== undefined) throw new TransferError('get', key, where.unsafe, { code: 'UnsafeKey' });
    if (key.endsWith('/')) {
      // A folder marker: a directory, no content.
      if (!dryRun) await checkPathBelowRoot(root!, where.path, { operation: 'get', key, create: true, directory: true });
      return;
    }
    if (root !== undefined && (await holdsVersion(root, where.path, version, options.signal))) {
      tally.unchanged++;
      tally.onEvent?.({ type: 'unchanged', key, versionId: version.versionId });
      return;
    }
    if (!dryRun) {
      await downloadVersion({
        client: options.client,
        bucket: options.source.bucket,
        objectKey: options.source.prefix + key,
        version,
        root: root!,
        path: where.path,
        signal: options.signal,
      });
    }
    tally.restored++;
    tally.restoredBytes += version.size;
    tally.onEvent?.({ type: 'restore', key, versionId: version.versionId, size: version.size, lastModified: version.lastModified, dryRun });
  } catch (error) {
    if (options.signal?.aborted === true) return;
    const failure = error instanceof TransferError ? error : undefined;
    tally.fail({
      key,
      operation: failure?.operation ?? 'get',
      message: error instanceof Error ? error.message : String(error),
      code: failure?.code ?? (error as NodeJS.ErrnoException | undefined)?.code,
    });
  }
}

/**
 * The delete phase, after every download succeeded: the local walk merged again with the
 * state at `at` (which later writes to the bucket cannot change), removing each file whose key
 * had no version then. One pass more over the listing instead of a list of files to delete in
 * memory.
 */
async function deleteAbsent(options: RestoreToLocalOptions, root: string, tally: RestoreTally): Promise<void> {
  const { client, source, at, signal } = options;
  const local = withoutTempFiles(walkLocal(root, { followSymlinks: false, signal }));
  for await (const { key, left: state, right: file } of mergeByKey(versionsAt(client, source, at, { signal }), local)) {
    if (file === undefined || state?.version !== undefined) continue;
    signal?.throwIfAborted();
    try {
      await deleteLocalFile(root, file);
      tally.deleted++;
      tally.onEvent?.({ type: 'delete', key, dryRun: false });
    } catch (error) {
      const failure = error instanceof TransferError ? error : undefined;
      tally.fail({ key, operation: 'delete', message: error instanceof Error ? error.message : String(error), code: failure?.code });
    }
  }
}

/** The destination's real path, made when missing; in a dry run a missing one is left missing (undefined). */
async function destinationRoot(target: string, dryRun: boolean): Promise<string | undefined> {
  if (typeof target !== 'string' || target === '') throw new ConfigError('target', 'target must be a local directory.');
  const path = resolve(target);
  if (dryRun) {
    const found = await lstat(path).catch(() => undefined);
    if (found === undefined) return undefined;
  }
  try {
    return await resolveDestinationRoot(path, !dryRun);
  } catch (error) {
    throw new ConfigError('target', `cannot use ${path} as the restore target: ${(error as Error).message}`, { cause: error });
  }
}

async function* withoutTempFiles(entries: AsyncIterable<Entry>): AsyncGenerator<Entry> {
  for await (const entry of entries) if (!DOWNLOAD_TEMP_NAME.test(entry.key.slice(entry.key.lastIndexOf('/') + 1))) yield entry;
}

async function* empty(): AsyncGenerator<never> {}
