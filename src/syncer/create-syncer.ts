import { setMaxListeners } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { EventEmitter } from 'eventemitter3';
import type { Comparator } from '../compare/comparator.js';
import { comparatorFor } from '../compare/comparator-for.js';
import { digestFile } from '../compare/file-digest.js';
import { localPathForKey } from '../transfer/local-key-path.js';
import { DOWNLOAD_TEMP_NAME } from '../transfer/download-object.js';
import { requestCounter } from '../transfer/request-counter.js';
import type { S3ConnectionOptions } from '../transfer/s3-client.js';
import type { Action } from '../core/action.js';
import type { Entry } from '../core/entry.js';
import { ConfigError, S3kitError } from '../core/errors.js';
import type { DeletesSkippedReason, SyncerEvents, SyncSummary, SyncWarning, TransferAction } from '../core/events.js';
import { formatLocation, parseLocation, type Location } from '../core/location.js';
import { assertLocalDirectory } from '../listing/local-directory.js';
import { KeyFilter } from '../listing/key-filter.js';
import { listManifest } from '../listing/list-manifest.js';
import { listS3 } from '../listing/list-s3.js';
import { walkLocal, type WalkLocalOptions } from '../listing/walk-local.js';
import { verifyAgainstPlan } from '../plan/plan-file.js';
import { planSync } from '../plan/plan-sync.js';
import { createS3Client } from '../transfer/s3-client.js';
import { TransferManager, type TransferHooks, type TransferResult } from '../transfer/transfer-manager.js';
import { SpillQueue } from './spill-queue.js';
import { maxDeleteAllowance, validateMaxDelete, type MaxDelete } from './max-delete.js';
import type { RunOptions, SyncOptions } from './options.js';
import { SummaryBuilder } from './summary-builder.js';
import { objectMetadataReader } from './object-metadata.js';
import { assertNoOverlap } from './overlap.js';

/**
 * A configured sync between two locations. Emits {@link SyncerEvents}.
 * @public
 */
export interface Syncer extends EventEmitter<SyncerEvents> {
  /** The parsed source location. */
  readonly source: Location;
  /** The parsed target location. */
  readonly target: Location;
  /**
   * Lists both sides and yields the actions a run would take, executing nothing. Actions
   * stream as the listings do; a `break` stops the listings.
   */
  plan(options?: RunOptions): AsyncGenerator<Action>;
  /**
   * Runs the sync: transfers, then (when asked, and only if nothing failed) deletes. Per-object
   * failures are collected in the summary; a failed listing rejects with a `ListingError`, an
   * abort with the signal's reason (after the `done` event with the partial summary).
   */
  run(options?: RunOptions): Promise<SyncSummary>;
}

/**
 * Creates a {@link Syncer}. Validates every option now and throws a `ConfigError` naming the
 * option at fault; does no I/O until `plan()` or `run()`.
 * @public
 */
export function createSyncer(options: SyncOptions): Syncer {
  return new DirectionalSyncer(options);
}

type Route = { readonly from: Location; readonly to: Location };

class DirectionalSyncer extends EventEmitter<SyncerEvents> implements Syncer {
  readonly source: Location;
  readonly target: Location;
  readonly #options: SyncOptions;
  readonly #route: Route;
  /** The client of an S3 source (undefined for a local source). */
  readonly #sourceClient: S3Client | undefined;
  /** The client of an S3 target (undefined for a local target). */
  readonly #targetClient: S3Client | undefined;
  readonly #comparator: Comparator;
  readonly #manager: TransferManager;
  readonly #maxDelete: MaxDelete | undefined;
  #running = false;

  constructor(options: SyncOptions) {
    super();
    if (typeof options !== 'object' || options === null) throw new TypeError('createSyncer needs an options object.');
    this.#options = options;
    this.source = typeof options.source === 'string' ? parseLocation(options.source, 'source') : options.source;
    this.target = typeof options.target === 'string' ? parseLocation(options.target, 'target') : options.target;
    if (this.source.kind === 'local' && this.target.kind === 'local') {
      throw new ConfigError('target', 'both source and target are local directories: one side must be an s3://bucket/prefix URL.');
    }
    if (this.target.kind === 'manifest') throw new ConfigError('target', 'a manifest can only be a source: give an s3:// target.');
    if (this.source.kind === 'manifest' && this.target.kind !== 's3') {
      throw new ConfigError('target', 'a manifest of URLs can only be synced into S3: give an s3:// target.');
    }
    if (options.ignoreFileName !== undefined && this.source.kind !== 'local') {
      throw new ConfigError('ignoreFileName', 'ignoreFileName reads ignore files from a local source, and the source is in S3: use ignorePatterns or rules.');
    }
    // Bucket names are global on AWS, so one name is one bucket unless the source is declared to
    // live at another endpoint (a second S3-compatible server may reuse the name).
    const otherEndpoint = options.sourceConnection?.endpoint !== undefined && options.sourceConnection.endpoint !== options.endpoint;
    if (!otherEndpoint) assertNoOverlap(this.source, this.target, options);
    this.#route = { from: this.source, to: this.target };
    this.#maxDelete = validateMaxDelete(options.maxDelete);
    if (options.deleteExcluded === true && options.delete !== true) {
      throw new ConfigError('deleteExcluded', 'deleteExcluded only has an effect with delete: true; set both or neither.');
    }
    for (const field of ['modifiedAfter', 'modifiedBefore'] as const) {
      const value = options[field];
      if (value === undefined) continue;
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new ConfigError(field, `${field} must be a valid Date.`);
      if (options.delete === true) {
        throw new ConfigError(field, `${field} selects files by time and cannot be combined with delete: every key outside the window would be deleted.`);
      }
    }
    this.#comparator = comparatorFor(options.compare ?? 'size-mtime', options.mtimeWindowMs);
    const maxSockets = options.maxSockets ?? Math.max(64, (options.concurrency ?? 16) * 4);
    const mainClient = (): S3Client => createS3Client({ ...options, maxSockets });
    this.#targetClient = this.target.kind === 's3' ? mainClient() : undefined;
    let serverSideCopy = false;
    if (this.source.kind === 's3') {
      if (options.sourceClient !== undefined) this.#sourceClient = options.sourceClient;
      else if (options.sourceConnection !== undefined) {
        this.#sourceClient = createS3Client({ ...connectionOf(options), ...options.sourceConnection, maxSockets });
        serverSideCopy = onlyRegionDiffers(connectionOf(options), options.sourceConnection);
      } else this.#sourceClient = this.#targetClient ?? mainClient();
      serverSideCopy ||= this.#sourceClient === this.#targetClient;
    }
    this.#manager = new TransferManager({
      client: (this.#targetClient ?? this.#sourceClient)!,
      sourceClient: this.#sourceClient,
      serverSideCopy,
      copy: { multipartCopyThreshold: options.multipartCopyThreshold, metadataDirective: options.metadataDirective },
      concurrency: options.concurrency,
      retries: options.retries,
      multipartThreshold: options.multipartThreshold,
      partSize: options.partSize,
      queueSize: options.queueSize,
      upload: options.upload,
      state: options.state,
      resume: options.resume,
    });
  }

  async *plan(runOptions: RunOptions = {}): AsyncGenerator<Action> {
    yield* this.#actions(runOptions.signal ?? new AbortController().signal, (warning) => this.emit('warning', warning));
  }

  async run(runOptions: RunOptions = {}): Promise<SyncSummary> {
    if (this.#running) throw new S3kitError('This syncer is already running; wait for run() to settle or create another.');
    this.#running = true;
    const stop = new AbortController();
    const signal = runOptions.signal === undefined ? stop.signal : AbortSignal.any([runOptions.signal, stop.signal]);
    // Every request in flight listens to the run's signal: many more than Node's warning level of 10.
    setMaxListeners(0, signal);
    const dryRun = this.#options.dryRun ?? false;
    const summary = new SummaryBuilder(formatLocation(this.source), formatLocation(this.target), dryRun);
    const deletes = new SpillQueue<Entry>();
    // A saved plan is verified in full before anything runs: executing its first actions while a
    // later one may still differ would carry out part of a plan nobody reviewed.
    const planFirst = runOptions.expectedPlan !== undefined || runOptions.planFirst === true;
    const pending = planFirst ? new SpillQueue<TransferAction>() : undefined;
    let incompleteListing = false;
    let targetCount = 0;
    let sourceCount = 0;
    const counters = [...new Set([this.#sourceClient, this.#targetClient])].flatMap((client) => (client === undefined ? [] : [requestCounter(client)]));
    const requestsAtStart = counters.reduce((sum, read) => sum + read(), 0);
    const countRequests = (): void => {
      summary.requests = counters.reduce((sum, read) => sum + read(), 0) - requestsAtStart;
    };
    if (this.source.kind === 's3' && this.target.kind === 's3') summary.copyStats = { serverSideBytes: 0, streamedBytes: 0, requestsAvoided: 0 };
    const onWarning = (warning: SyncWarning): void => {
      summary.warningCount++;
      incompleteListing ||= warning.incompleteListing;
      this.emit('warning', warning);
    };
    try {
      const fresh = this.#actions(signal, onWarning);
      const actions = runOptions.expectedPlan === undefined ? fresh : verifyAgainstPlan(fresh, runOptions.expectedPlan);
      for await (const action of actions) {
        if (action.type !== 'copy') targetCount++;
        if (action.type !== 'delete' && action.source !== undefined) sourceCount++;
        summary.planned(action);
        // Payloads are built only for listeners: a no-op over millions of keys allocates nothing here.
        if (this.listenerCount('planned') > 0) this.emit('planned', { action, totals: summary.totals() });
        if (action.type === 'skip') {
          if (this.listenerCount('skipped') > 0) this.emit('skipped', { action });
        } else if (action.type === 'delete') await deletes.add(action.target);
        else if (dryRun) summary.transferred(action);
        else if (pending !== undefined) await pending.add(action);
        else await this.#manager.enqueue(action, this.#route, this.#hooks(action, summary), signal);
      }
      summary.planComplete = true;
      this.emit('planComplete', { totals: summary.totals(), deletesPlanned: deletes.count });
      if (pending !== undefined) {
        for await (const action of pending.items()) {
          await this.#manager.enqueue(action, this.#route, this.#hooks(action, summary), signal);
        }
      }
      await this.#manager.onIdle();
      signal.throwIfAborted();
      await this.#deletePhase(deletes, summary, { incompleteListing, targetCount, sourceCount, dryRun, signal });
      signal.throwIfAborted();
      countRequests();
      const result = summary.build();
      this.emit('done', { summary: result });
      return result;
    } catch (error) {
      stop.abort(error);
      this.#manager.clear();
      await this.#manager.onIdle();
      if (runOptions.signal?.aborted === true) {
        summary.aborted = true;
        countRequests();
        if (deletes.count > summary.deleted.count && summary.deletesSkipped === undefined) {
          summary.deletesSkipped = {
            reason: 'aborted',
            count: deletes.count - summary.deleted.count,
            message: 'The run was interrupted; no deletes were made after the interruption.',
          };
        }
        this.emit('done', { summary: summary.build() });
        throw runOptions.signal.reason;
      }
      throw error;
    } finally {
      await Promise.all([deletes.dispose(), pending?.dispose()]);
      this.#running = false;
    }
  }

  /** The action stream: both listings, filtered, merged and compared. */
  async *#actions(signal: AbortSignal, onWarning: (warning: SyncWarning) => void): AsyncGenerator<Action> {
    const { from, to } = this.#route;
    if (from.kind === 'local') await assertLocalDirectory(from, 'source');
    const filter = new KeyFilter({
      ignorePatterns: [...(this.#options.ignorePatterns ?? []), ...(await readPatternFiles(this.#options.ignorePatternFiles))],
      ignoreFileName: this.#options.ignoreFileName,
      ignoreCase: this.#options.ignoreCase,
      rules: this.#options.rules,
      localRoot: from.kind === 'local' ? from.path : undefined,
      onWarning,
    });
    const source =
      from.kind === 'local'
        ? walkLocal(from.path, { followSymlinks: this.#options.followSymlinks, filter: filter.isActive ? filter : undefined, onWarning, signal })
        : from.kind === 'manifest'
          ? filtered(listManifest(from.path, { signal, onWarning }), filter)
          : withoutExisting(
            withoutTempNames(
              filtered(listS3(this.#sourceClient!, from, { signal, side: 'source', directoryMarkers: to.kind === 'local', pageSize: this.#options.listPageSize }), filter),
              to,
              onWarning,
            ),
            to,
          );
    const target =
      to.kind === 's3'
        ? listS3(this.#targetClient!, to, { signal, pageSize: this.#options.listPageSize })
        : withoutTempFiles(walkLocalIfPresent(to.path, { onWarning: asTargetWarning(onWarning), signal }));
    yield* planSync(withinWindow(source, this.#options.modifiedAfter, this.#options.modifiedBefore), target, {
      comparator: this.#comparator,
      context: {
        objectMetadata: objectMetadataReader(
          (side) => (side === 'source' ? this.#sourceClient : this.#targetClient),
          (side) => (side === 'source' ? from : to),
          signal,
        ),
        fileDigest: (entry, partSizes) => digestFile(entry.path!, partSizes, signal),
      },
      delete: this.#options.delete,
      deleteExcluded: this.#options.deleteExcluded,
      isTargetExcluded: (key) => filter.excludesFile(key),
    });
  }

  #hooks(action: TransferAction, summary: SummaryBuilder): TransferHooks {
    let loaded = 0;
    const advance = (to: number): number => {
      const bytes = Math.max(0, to - loaded);
      loaded += bytes;
      summary.bytesDone += bytes;
      return bytes;
    };
    return {
      onStart: (method) => this.emit('transferStart', { action, method }),
      onProgress: (now) => {
        const bytes = advance(now);
        if (bytes > 0 && this.listenerCount('progress') > 0) {
          this.emit('progress', { key: action.key, bytes, loaded, total: action.source.size, totals: summary.totals() });
        }
      },
      onEnd: (result) => {
        advance(action.source.size);
        summary.filesDone++;
        summary.transferred(action);
        summary.byMethod[result.method] = (summary.byMethod[result.method] ?? 0) + 1;
        if (result.bytesResumed !== undefined) {
          summary.resumed.count++;
          summary.resumed.bytes += result.bytesResumed;
        }
        if (summary.copyStats !== undefined) this.#countCopy(summary.copyStats, action.source.size, result);
        this.emit('transferEnd', {
          action,
          method: result.method,
          why: result.why,
          durationMs: result.durationMs,
          totals: summary.totals(),
          bytesSent: action.source.size - (result.bytesResumed ?? 0),
          ...(result.bytesResumed === undefined ? {} : { bytesResumed: result.bytesResumed }),
        });
      },
      onFailed: (error) => {
        summary.filesDone++;
        summary.failed(action.key, error);
        this.emit('failed', { key: action.key, action, error });
      },
    };
  }

  /**
   * What an S3 → S3 copy saved: server-side bytes never crossed this process, and each saved
   * the requests of a download-then-upload cycle (a GET or ranged GETs, and a PUT or an upload in
   * parts) beyond its own.
   */
  #countCopy(stats: NonNullable<SummaryBuilder['copyStats']>, size: number, result: TransferResult): void {
    if ((result.bytesThroughProcess ?? size) > 0) {
      stats.streamedBytes += size;
      return;
    }
    stats.serverSideBytes += size;
    const partSize = this.#options.partSize ?? 8 * 1024 * 1024;
    const inParts = size >= (this.#options.multipartThreshold ?? 16 * 1024 * 1024);
    const parts = Math.max(1, Math.ceil(size / partSize));
    const cycle = inParts ? parts + (parts + 2) : 2;
    stats.requestsAvoided += Math.max(0, cycle - (result.requests ?? 1));
  }

  async #deletePhase(
    deletes: SpillQueue<Entry>,
    summary: SummaryBuilder,
    run: { incompleteListing: boolean; targetCount: number; sourceCount: number; dryRun: boolean; signal: AbortSignal },
  ): Promise<void> {
    if (deletes.count === 0) return;
    const skip = (reason: Exclude<DeletesSkippedReason, 'aborted'>, message: string): void => {
      summary.deletesSkipped = { reason, count: deletes.count, message };
      this.emit('deletesSkipped', summary.deletesSkipped);
    };
    if (summary.failedCount > 0) {
      return skip('failures', `${deletes.count} delete(s) skipped because ${summary.failedCount} transfer(s) failed.`);
    }
    if (run.incompleteListing) {
      return skip('incomplete-listing', `${deletes.count} delete(s) skipped because part of the source could not be read.`);
    }
    // An empty source is far more often an unmounted drive, a typo'd prefix or a failed mount than
    // a wish to empty the target: mirroring it would delete the only copy. Only an explicit
    // maxDelete (a limit the user chose) lets an empty source delete.
    if (run.sourceCount === 0 && this.#maxDelete === undefined) {
      return skip(
        'empty-source',
        `${deletes.count} delete(s) refused: the source is empty (an unmounted drive, a wrong path or prefix?), and deleting every target key is not done without maxDelete (--max-delete 100% to mean it).`,
      );
    }
    if (this.#maxDelete !== undefined && deletes.count > maxDeleteAllowance(this.#maxDelete, run.targetCount)) {
      return skip(
        'max-delete',
        `${deletes.count} delete(s) refused: more than maxDelete ${String(this.#maxDelete)} ` +
          `(${maxDeleteAllowance(this.#maxDelete, run.targetCount)} of ${run.targetCount} target keys).`,
      );
    }
    if (run.dryRun) {
      for await (const entry of deletes.items()) {
        summary.deleted.count++;
        summary.deleted.bytes += entry.size;
      }
      return;
    }
    await this.#manager.deleteEntries(
      this.target,
      deletes.items(),
      {
        onDeleted: (entry) => {
          summary.deleted.count++;
          summary.deleted.bytes += entry.size;
          this.emit('deleted', { key: entry.key, target: entry });
        },
        onFailed: (entry, error) => {
          summary.failed(entry.key, error);
          this.emit('failed', { key: entry.key, action: undefined, error });
        },
      },
      run.signal,
    );
  }
}

async function readPatternFiles(paths: readonly string[] | undefined): Promise<string[]> {
  const patterns: string[] = [];
  for (const path of paths ?? []) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new ConfigError('ignorePatternFiles', `cannot read pattern file ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, {
        cause: error,
      });
    }
    patterns.push(...text.split(/\r?\n/));
  }
  return patterns;
}

/** Connection fields of the options (the target's connection). */
function connectionOf(options: SyncOptions): Omit<S3ConnectionOptions, 'client'> {
  // The timeouts go with it: a source on another service must not wait longer than the target.
  const { endpoint, region, forcePathStyle, credentials, profile, checksumMode, connectTimeoutMs, timeoutMs } = options;
  return { endpoint, region, forcePathStyle, credentials, profile, checksumMode, connectTimeoutMs, timeoutMs };
}

/** S3 copies across regions of one service; other differences mean another service or account. */
function onlyRegionDiffers(target: Omit<S3ConnectionOptions, 'client'>, source: Omit<S3ConnectionOptions, 'client'>): boolean {
  return (
    (source.endpoint ?? target.endpoint) === target.endpoint &&
    (source.profile ?? target.profile) === target.profile &&
    (source.credentials === undefined || source.credentials === target.credentials)
  );
}

/** Drops source entries modified outside [after, before]. */
async function* withinWindow(entries: AsyncIterable<Entry>, after: Date | undefined, before: Date | undefined): AsyncGenerator<Entry> {
  if (after === undefined && before === undefined) {
    yield* entries;
    return;
  }
  const from = after?.getTime() ?? -Infinity;
  const to = before?.getTime() ?? Infinity;
  for await (const entry of entries) if (entry.mtimeMs >= from && entry.mtimeMs <= to) yield entry;
}

/** Drops S3 source keys the filters exclude. */
async function* filtered(entries: AsyncIterable<Entry>, filter: KeyFilter): AsyncGenerator<Entry> {
  if (!filter.isActive) {
    yield* entries;
    return;
  }
  for await (const entry of entries) if (!(await filter.excludesFile(entry.key))) yield entry;
}

/** Drops directory markers whose directory already exists locally, so they are not copied again. */
async function* withoutExisting(entries: AsyncIterable<Entry>, target: Location): AsyncGenerator<Entry> {
  for await (const entry of entries) {
    if (target.kind === 'local' && entry.key.endsWith('/')) {
      try {
        if ((await stat(localPathForKey(target.path, entry.key))).isDirectory()) continue;
      } catch {
        // missing (or an unsafe key, which the transfer reports): keep it in the plan
      }
    }
    yield entry;
  }
}

/**
 * A local target that does not exist yet is empty; it is created by the first download. The
 * target is walked without following links below its root (whatever `followSymlinks` says of the
 * source): a download never writes and a delete never removes through a link, so what lies behind
 * one is not the destination's and is neither compared nor deleted. Links are reported as such.
 */
async function* walkLocalIfPresent(root: string, options: Omit<WalkLocalOptions, 'followSymlinks'>): AsyncGenerator<Entry> {
  try {
    if (!(await stat(root)).isDirectory()) throw new ConfigError('target', `target ${root} is a file, not a directory.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const onWarning = options.onWarning;
  yield* walkLocal(root, {
    ...options,
    followSymlinks: false,
    onWarning:
      onWarning &&
      ((warning) =>
        onWarning(
          warning.code === 'skipped-symlink'
            ? { ...warning, message: `${warning.path}: symbolic link in the destination; left as it is (never compared, written or deleted through)` }
            : warning,
        )),
  });
}

/**
 * What the target walk passes over is only not deleted: an unreadable directory or a name that
 * cannot be a key in the target proves nothing about the source, so unlike the same warning
 * from the source it does not cancel the delete phase.
 */
function asTargetWarning(onWarning: (warning: SyncWarning) => void): (warning: SyncWarning) => void {
  return (warning) => onWarning({ ...warning, incompleteListing: false });
}

/**
 * Object keys named like s3kit's own download temp files (`.s3kit-<12 hex>.part`) cannot be
 * downloaded: the local walk hides such files, so each run would find the file "appeared" and
 * fail, and the failure would cancel `--delete` for good. They are skipped with a warning.
 */
async function* withoutTempNames(entries: AsyncIterable<Entry>, target: Location, onWarning: (warning: SyncWarning) => void): AsyncGenerator<Entry> {
  for await (const entry of entries) {
    if (target.kind === 'local' && DOWNLOAD_TEMP_NAME.test(entry.key.slice(entry.key.lastIndexOf('/') + 1))) {
      onWarning({
        code: 'reserved-name',
        path: entry.key,
        message: `${entry.key}: the name is reserved for s3kit's own temporary files; skipped (rename the object to download it).`,
        incompleteListing: false,
      });
      continue;
    }
    yield entry;
  }
}

/** Leftovers of interrupted downloads are not content: never planned, compared or deleted. */
async function* withoutTempFiles(entries: AsyncIterable<Entry>): AsyncGenerator<Entry> {
  for await (const entry of entries) if (!DOWNLOAD_TEMP_NAME.test(entry.key.slice(entry.key.lastIndexOf('/') + 1))) yield entry;
}
