import { lstat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, TransferError, walkLocal, type Entry, type S3Location } from '../index.js';
import { deleteLocalFile } from '../transfer/delete-local.js';
import { DOWNLOAD_TEMP_NAME } from '../transfer/download-object.js';
import { checkPathBelowRoot, resolveDestinationRoot } from '../transfer/local-destination.js';
import { localKeyPath } from '../core/local-path.js';
import { downloadVersion, holdsVersion } from './download-version.js';
import { mergeByKey, type Paired } from './merge-by-key.js';
import { orderedMap, plannedVersion, versionOf, type PlannedKey, type RestoreAction } from './restore-plan.js';
import { runRestore } from './restore-run.js';
import { RestoreTally, type RestoreEvent, type RestoreSummary } from './restore-types.js';
import { concurrencyOf } from './task-pool.js';
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
  /**
   * A saved plan ({@link planRestore}, or `s3kit restore … --plan`): the restore plans afresh
   * and runs only if every action equals it — the same keys and versions, and the same local
   * files (size and mtime) to replace or remove — and otherwise rejects with a
   * `PlanMismatchError` naming the first difference, having changed nothing.
   * @defaultValue none: the fresh plan runs as it is made
   */
  readonly expectedPlan?: AsyncIterable<RestoreAction>;
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
  const { at, signal } = options;
  if (!(at instanceof Date) || !Number.isFinite(at.getTime())) throw new ConfigError('at', 'at must be a valid Date.');
  if (options.source?.kind !== 's3') throw new ConfigError('source', 'source must be an S3 location (s3://bucket/prefix).');
  const dryRun = options.dryRun ?? false;
  const concurrency = concurrencyOf(options.concurrency, 4);
  const tally = new RestoreTally(at, dryRun, options.onEvent);
  const root = await destinationRoot(options.target, dryRun);
  await runRestore({
    plan: () => planLocal(options, root, concurrency),
    execute: (action) => executeLocal(options, root!, action),
    failureOf: (action, error) => {
      const failure = error instanceof TransferError ? error : undefined;
      return {
        key: action.key,
        operation: failure?.operation ?? (action.type === 'delete' ? 'delete' : 'get'),
        message: error instanceof Error ? error.message : String(error),
        code: failure?.code ?? (error as NodeJS.ErrnoException | undefined)?.code,
      };
    },
    deleteLast: true,
    expectedPlan: options.expectedPlan,
    concurrency,
    tally,
    signal,
  });
  return tally.summary();
}

/**
 * What a restore to `root` would do to each key, in key order: download the version current at
 * the time over (or to) the local file, remove (with `delete`) a file whose key did not exist
 * then, or nothing. Files are compared with their versions a few at a time, in order.
 */
export function planLocal(options: RestoreToLocalOptions, root: string | undefined, concurrency: number): AsyncGenerator<PlannedKey> {
  const { client, source, at, signal } = options;
  // Without deletes the local side need not be walked: each key's file is looked at on its own.
  const local: AsyncIterable<Entry> = options.delete === true && root !== undefined ? withoutTempFiles(walkLocal(root, { followSymlinks: false, signal })) : empty();
  return withoutUndefined(orderedMap(mergeByKey(versionsAt(client, source, at, { signal }), local), (pair) => decideLocal(options, root, pair), concurrency));
}

async function decideLocal(options: RestoreToLocalOptions, root: string | undefined, pair: Paired<KeyAtTime, Entry>): Promise<PlannedKey | undefined> {
  const { key, left: state, right: file } = pair;
  const version = state?.version;
  if (version === undefined) return file === undefined ? undefined : { type: 'delete', key, replaces: { size: file.size, mtimeMs: file.mtimeMs } };
  const where = localKeyPath(root ?? resolve(options.target), key);
  const found = root === undefined || where.unsafe !== undefined ? undefined : await lstat(where.path).catch(() => undefined);
  const restore: PlannedKey = { type: 'restore', key, version: plannedVersion(version), replaces: found === undefined ? null : { size: found.size, mtimeMs: found.mtimeMs } };
  if (where.unsafe !== undefined || root === undefined) return restore; // an unsafe key fails when executed
  // A folder marker is a directory, with no content.
  if (key.endsWith('/')) return found?.isDirectory() === true ? { type: 'unchanged', key, versionId: version.versionId } : restore;
  if (await holdsVersion(root, where.path, version, options.signal)) return { type: 'unchanged', key, versionId: version.versionId };
  return restore;
}

async function executeLocal(options: RestoreToLocalOptions, root: string, action: RestoreAction): Promise<void> {
  const { key } = action;
  if (action.type === 'delete') {
    await deleteLocalFile(root, { key, size: action.replaces.size ?? 0, mtimeMs: action.replaces.mtimeMs ?? 0 });
    return;
  }
  const where = localKeyPath(root, key);
  if (where.unsafe !== undefined) throw new TransferError('get', key, where.unsafe, { code: 'UnsafeKey' });
  if (key.endsWith('/')) {
    await checkPathBelowRoot(root, where.path, { operation: 'get', key, create: true, directory: true });
    return;
  }
  await downloadVersion({
    client: options.client,
    bucket: options.source.bucket,
    objectKey: options.source.prefix + key,
    version: versionOf(key, action.version),
    root,
    path: where.path,
    signal: options.signal,
  });
}

async function* withoutUndefined<T>(items: AsyncIterable<T | undefined>): AsyncGenerator<T> {
  for await (const item of items) if (item !== undefined) yield item;
}

/** The destination's real path, made when missing; in a dry run a missing one is left missing (undefined). */
export async function destinationRoot(target: string, dryRun: boolean): Promise<string | undefined> {
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
