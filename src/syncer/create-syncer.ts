import { setMaxListeners } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { EventEmitter } from 'eventemitter3';
import { digestFile } from '../transfer/file-digest.js';
import { localPathForKey } from '../transfer/local-key-path.js';
import { DOWNLOAD_TEMP_NAME } from '../transfer/download-object.js';
import { requestCounter } from '../core/request-counter.js';
import type { Action } from '../core/action.js';
import { s3SourceOf, type Entry } from '../core/entry.js';
import { ConfigError, S3kitError } from '../core/errors.js';
import { partCountOf } from '../transfer/limits.js';
import type { SyncerEvents, SyncSummary, SyncWarning, TransferAction } from '../core/events.js';
import { formatLocation, type Location, type S3Location } from '../core/location.js';
import { shardOfKey, type Shard } from '../core/shard.js';
import { assertLocalDirectory } from '../listing/local-directory.js';
import { KeyFilter } from '../listing/key-filter.js';
import { listManifest } from '../listing/list-manifest.js';
import { listS3 } from '../listing/list-s3.js';
import { walkLocal, type WalkLocalOptions } from '../listing/walk-local.js';
import { verifyAgainstPlan } from '../plan/plan-file.js';
import { planSync } from '../plan/plan-sync.js';
import type { TransferHooks, TransferManager, TransferResult } from '../transfer/transfer-manager.js';
import type { BackupDestination } from '../transfer/backup.js';
import { SpillQueue } from '../state/spill-queue.js';
import { connect, transferManagerFor, type Connections } from './connections.js';
import { deleteGate, type DeleteGateInput } from './delete-gate.js';
import type { PlanOptions, RunOptions, SyncOptions } from './options.js';
import { resolveSyncOptions, type ResolvedSyncOptions } from './resolve-options.js';
import { SummaryBuilder } from './summary-builder.js';
import { objectMetadataReader } from './object-metadata.js';
import { cannotRead } from '../core/cannot-read.js';

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
  plan(options?: PlanOptions): AsyncGenerator<Action>;
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

class DirectionalSyncer extends EventEmitter<SyncerEvents> implements Syncer {
  readonly source: Location;
  readonly target: Location;
  readonly #options: ResolvedSyncOptions;
  readonly #clients: Connections;
  readonly #manager: TransferManager;
  #running = false;

  constructor(options: SyncOptions) {
    super();
    this.#options = resolveSyncOptions(options);
    this.source = this.#options.route.from;
    this.target = this.#options.route.to;
    this.#clients = connect(this.#options);
    const { transfer } = this.#options;
    this.#manager = transferManagerFor(this.#clients, transfer, {
      state: options.state,
      resume: this.#options.resume,
      sseCustomerKey: options.sseCustomerKey,
      copySourceSseCustomerKey: options.copySourceSseCustomerKey,
    });
  }

  async *plan(planOptions: PlanOptions = {}): AsyncGenerator<Action> {
    yield* this.#actions(planOptions.signal ?? new AbortController().signal, (warning) => this.emit('warning', warning));
  }

  async run(runOptions: RunOptions = {}): Promise<SyncSummary> {
    if (this.#running) throw new S3kitError('This syncer is already running; wait for run() to settle or create another.');
    this.#running = true;
    const stop = new AbortController();
    const signal = runOptions.signal === undefined ? stop.signal : AbortSignal.any([runOptions.signal, stop.signal]);
    // Every request in flight listens to the run's signal: many more than Node's warning level of 10.
    setMaxListeners(0, signal);
    const dryRun = this.#options.dryRun;
    const summary = new SummaryBuilder(formatLocation(this.source), formatLocation(this.target), dryRun);
    const deletes = new SpillQueue<Entry>();
    // A saved plan is verified in full before anything runs: executing its first actions while a
    // later one may still differ would carry out part of a plan nobody reviewed.
    const planFirst = runOptions.expectedPlan !== undefined || runOptions.planFirst === true;
    const pending = planFirst ? new SpillQueue<TransferAction>() : undefined;
    let incompleteListing = false;
    let targetCount = 0;
    let sourceCount = 0;
    const counters = [...new Set([this.#clients.source, this.#clients.target])].flatMap((client) => (client === undefined ? [] : [requestCounter(client)]));
    const requestsAtStart = counters.reduce((sum, read) => sum + read(), 0);
    const countRequests = (): void => {
      summary.requests = counters.reduce((sum, read) => sum + read(), 0) - requestsAtStart;
    };
    // S3 → S3, and copy lists (manifests of s3:// objects): how much was copied server-side.
    if (this.#options.route.direction === 'copy' || this.#options.route.direction === 'ingest') summary.copyStats = { serverSideBytes: 0, streamedBytes: 0, requestsAvoided: 0 };
    const onWarning = (warning: SyncWarning): void => {
      summary.warningCount++;
      incompleteListing ||= warning.incompleteListing;
      this.emit('warning', warning);
    };
    try {
      // The backup location of this run ({date}, {time} rendered now), checked as the run would
      // check it; a dry run keeps nothing.
      const checkedBackup = await this.#options.backup?.resolveAt(new Date());
      const backup = dryRun ? undefined : checkedBackup;
      const route = { from: this.#options.route.from, to: this.#options.route.to, backup };
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
        else await this.#manager.enqueue(action, route, this.#hooks(action, summary), signal);
      }
      summary.planComplete = true;
      this.emit('planComplete', { totals: summary.totals(), deletesPlanned: deletes.count });
      if (pending !== undefined) {
        for await (const action of pending.items()) {
          await this.#manager.enqueue(action, route, this.#hooks(action, summary), signal);
        }
      }
      await this.#manager.onIdle();
      signal.throwIfAborted();
      await this.#deletePhase(deletes, summary, { incompleteListing, targetCount, sourceCount, signal, backup });
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
        const verdict = deleteGate({ ...this.#gateInput(deletes.count, summary, { incompleteListing, targetCount, sourceCount }), done: summary.deleted.count, aborted: true });
        if (verdict.run === false && verdict.reason !== 'nothing-to-delete' && summary.deletesSkipped === undefined) {
          summary.deletesSkipped = { reason: verdict.reason, count: verdict.count, message: verdict.message };
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
    const options = this.#options;
    const { given, route } = options;
    const { source: sourceClient, target: targetClient } = this.#clients;
    // Judged once per run, so one file's age is not measured against two clocks.
    const startedAt = Date.now();
    for (const warning of options.warnings) onWarning(warning);
    const localRoot = route.direction === 'upload' ? route.from.path : undefined;
    if (route.direction === 'upload') await assertLocalDirectory(route.from, 'source');
    const filter = new KeyFilter({
      ignorePatterns: [...(given.ignorePatterns ?? []), ...(await readPatternFiles(options.ignorePatternFiles))],
      ignoreFileName: given.ignoreFileName,
      ignoreCase: given.ignoreCase,
      rules: options.rules,
      localRoot,
      onWarning,
    });
    const listSource = (client: S3Client | undefined, from: S3Location, directoryMarkers: boolean): AsyncIterable<Entry> =>
      filtered(listS3(defined(client, 'source'), from, { signal, side: 'source', directoryMarkers, pageSize: options.listPageSize }), filter);
    const listTarget = (to: S3Location): AsyncIterable<Entry> => listS3(defined(targetClient, 'target'), to, { signal, pageSize: options.listPageSize });
    // The sides in S3, by direction: only those have object metadata to read.
    const sourceObjects = route.direction === 'download' || route.direction === 'copy' ? { client: defined(sourceClient, 'source'), location: route.from, sseCustomer: options.sseCustomer.source } : undefined;
    const targetObjects = route.direction === 'download' ? undefined : { client: defined(targetClient, 'target'), location: route.to, sseCustomer: options.sseCustomer.target };
    let source: AsyncIterable<Entry>;
    let target: AsyncIterable<Entry>;
    switch (route.direction) {
      case 'upload':
        source = walkLocal(route.from.path, { followSymlinks: given.followSymlinks, filter: filter.isActive ? filter : undefined, onWarning, signal });
        target = listTarget(route.to);
        break;
      case 'ingest':
        source = filtered(listManifest(route.from.path, { signal, onWarning, s3Client: sourceClient }), filter);
        target = listTarget(route.to);
        break;
      case 'download':
        source = withoutExistingDirectories(withoutTempNames(listSource(sourceClient, route.from, true), onWarning), route.to.path);
        target = withoutTempFiles(walkLocalIfPresent(route.to.path, { onWarning: asTargetWarning(onWarning), signal }));
        break;
      case 'copy':
        source = listSource(sourceClient, route.from, false);
        target = listTarget(route.to);
        break;
    }
    // Backups kept beside their originals (a suffix without a backup location) are not content.
    const suffixed = options.backup?.suffixed;
    if (suffixed !== undefined) {
      source = withoutKeys(source, suffixed);
      target = withoutKeys(target, suffixed);
    }
    // A shard sees only its part of both sides: it neither copies nor deletes another's keys.
    if (options.shard !== undefined) {
      source = inShard(source, options.shard);
      target = inShard(target, options.shard);
    }
    const actions = planSync(withinWindow(source, options.modifiedAfter, options.modifiedBefore), target, {
      comparator: options.comparator,
      context: {
        objectMetadata: objectMetadataReader((side) => (side === 'source' ? sourceObjects : targetObjects), signal),
        fileDigest: (entry, partSizes) => digestFile(defined(entry.path, 'path'), partSizes, signal),
      },
      delete: options.delete,
      deleteExcluded: options.deleteExcluded,
      isTargetExcluded: (key) => filter.excludesFile(key),
    });
    yield* options.storageClasses === undefined ? actions : options.storageClasses.annotate(actions, startedAt);
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
      onBackedUp: (entry) => summary.backedUp(entry),
      onEnd: (result) => {
        advance(action.source.size);
        summary.filesDone++;
        summary.transferred(action);
        summary.byMethod[result.method] = (summary.byMethod[result.method] ?? 0) + 1;
        if (result.bytesResumed !== undefined) {
          summary.resumed.count++;
          summary.resumed.bytes += result.bytesResumed;
        }
        // URLs fetched from a manifest are no copies: only S3 objects count (S3 → S3, copy lists).
        if (summary.copyStats !== undefined && (action.source.url === undefined || s3SourceOf(action.source.url) !== undefined)) {
          this.#countCopy(summary.copyStats, action.source.size, result);
        }
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
    const { partSize, multipartThreshold } = this.#options.transfer;
    const inParts = size >= multipartThreshold;
    const parts = partCountOf(size, partSize);
    const cycle = inParts ? parts + (parts + 2) : 2;
    stats.requestsAvoided += Math.max(0, cycle - (result.requests ?? 1));
  }

  #gateInput(
    planned: number,
    summary: SummaryBuilder,
    listed: { readonly incompleteListing: boolean; readonly targetCount: number; readonly sourceCount: number },
  ): DeleteGateInput {
    return {
      planned,
      done: 0,
      failedCount: summary.failedCount,
      incompleteListing: listed.incompleteListing,
      targetCount: listed.targetCount,
      sourceCount: listed.sourceCount,
      maxDelete: this.#options.maxDelete,
      dryRun: this.#options.dryRun,
      aborted: false,
    };
  }

  async #deletePhase(
    deletes: SpillQueue<Entry>,
    summary: SummaryBuilder,
    run: { incompleteListing: boolean; targetCount: number; sourceCount: number; signal: AbortSignal; backup: BackupDestination | undefined },
  ): Promise<void> {
    const verdict = deleteGate(this.#gateInput(deletes.count, summary, run));
    if (!verdict.run) {
      if (verdict.reason === 'nothing-to-delete') return;
      summary.deletesSkipped = { reason: verdict.reason, count: verdict.count, message: verdict.message };
      this.emit('deletesSkipped', summary.deletesSkipped);
      return;
    }
    if (verdict.dryRun) {
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
        onBackedUp: (entry) => summary.backedUp(entry),
      },
      run.signal,
      run.backup,
    );
  }
}

/** The lines of the `ignorePatternFiles`, read at the start of a run (a check reads them the same way). */
export async function readPatternFiles(paths: readonly string[] | undefined): Promise<string[]> {
  const patterns: string[] = [];
  for (const path of paths ?? []) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new ConfigError('ignorePatternFiles', `${cannotRead(`pattern file ${path}`, error)}.`, {
        cause: error,
      });
    }
    patterns.push(...text.split(/\r?\n/));
  }
  return patterns;
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

/** The entries of one shard's part of the key space. */
async function* inShard(entries: AsyncIterable<Entry>, shard: Shard): AsyncGenerator<Entry> {
  for await (const entry of entries) if (shardOfKey(entry.key, shard.count) === shard.index) yield entry;
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
async function* withoutExistingDirectories(entries: AsyncIterable<Entry>, root: string): AsyncGenerator<Entry> {
  for await (const entry of entries) {
    if (entry.key.endsWith('/')) {
      try {
        if ((await stat(localPathForKey(root, entry.key))).isDirectory()) continue;
      } catch {
        // missing (or an unsafe key, which the transfer reports): keep it in the plan
      }
    }
    yield entry;
  }
}

/** A value the direction guarantees; a missing one is a bug here, not the user's. */
function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new S3kitError(`internal error: no ${what} for this direction.`);
  return value;
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
async function* withoutTempNames(entries: AsyncIterable<Entry>, onWarning: (warning: SyncWarning) => void): AsyncGenerator<Entry> {
  for await (const entry of entries) {
    if (DOWNLOAD_TEMP_NAME.test(entry.key.slice(entry.key.lastIndexOf('/') + 1))) {
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

/** Drops entries whose key matches `pattern`. */
async function* withoutKeys(entries: AsyncIterable<Entry>, pattern: RegExp): AsyncGenerator<Entry> {
  for await (const entry of entries) if (!pattern.test(entry.key)) yield entry;
}

/** Leftovers of interrupted downloads are not content: never planned, compared or deleted. */
async function* withoutTempFiles(entries: AsyncIterable<Entry>): AsyncGenerator<Entry> {
  for await (const entry of entries) if (!DOWNLOAD_TEMP_NAME.test(entry.key.slice(entry.key.lastIndexOf('/') + 1))) yield entry;
}
