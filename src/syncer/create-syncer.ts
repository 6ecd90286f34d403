import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { EventEmitter } from 'eventemitter3';
import type { Comparator } from '../compare/comparator.js';
import { comparatorFor } from '../compare/comparator-for.js';
import { digestFile } from '../compare/file-digest.js';
import type { Action } from '../core/action.js';
import type { Entry } from '../core/entry.js';
import { ConfigError, S3kitError } from '../core/errors.js';
import type { SyncerEvents, SyncSummary, SyncWarning, TransferAction } from '../core/events.js';
import {
  assertLocalDirectory,
  formatLocation,
  parseLocation,
  type LocalLocation,
  type Location,
  type S3Location,
} from '../core/location.js';
import { KeyFilter } from '../listing/key-filter.js';
import { listS3 } from '../listing/list-s3.js';
import { walkLocal } from '../listing/walk-local.js';
import { verifyAgainstPlan } from '../plan/plan-file.js';
import { planSync } from '../plan/plan-sync.js';
import { createS3Client } from '../transfer/s3-client.js';
import { TransferManager, type TransferHooks } from '../transfer/transfer-manager.js';
import { SpillQueue } from './spill-queue.js';
import { maxDeleteAllowance, validateMaxDelete, type MaxDelete } from './max-delete.js';
import type { RunOptions, SyncOptions } from './options.js';
import { SummaryBuilder } from './summary-builder.js';
import { targetMetadataReader } from './target-metadata.js';

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
  return new LocalToS3Syncer(options);
}

type Side = { from: LocalLocation; to: S3Location };

class LocalToS3Syncer extends EventEmitter<SyncerEvents> implements Syncer {
  readonly source: Location;
  readonly target: Location;
  readonly #options: SyncOptions;
  readonly #route: Side;
  readonly #client: S3Client;
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
    if (this.source.kind !== 'local' || this.target.kind !== 's3') {
      throw new ConfigError(
        'target',
        `syncing ${this.source.kind === 's3' ? 'from S3' : 'from a local directory'} to ${this.target.kind === 's3' ? 'S3' : 'a local directory'} is not supported yet: give a local source and an s3:// target.`,
      );
    }
    this.#route = { from: this.source, to: this.target };
    this.#maxDelete = validateMaxDelete(options.maxDelete);
    if (options.deleteExcluded === true && options.delete !== true) {
      throw new ConfigError('deleteExcluded', 'deleteExcluded only has an effect with delete: true; set both or neither.');
    }
    this.#comparator = comparatorFor(options.compare ?? 'size-mtime', options.mtimeWindowMs);
    this.#client = createS3Client({ ...options, maxSockets: options.maxSockets ?? Math.max(64, (options.concurrency ?? 16) * 4) });
    this.#manager = new TransferManager({
      client: this.#client,
      concurrency: options.concurrency,
      retries: options.retries,
      multipartThreshold: options.multipartThreshold,
      partSize: options.partSize,
      queueSize: options.queueSize,
      upload: options.upload,
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
    const planFirst = runOptions.planFirst ?? runOptions.expectedPlan !== undefined;
    const pending = planFirst ? new SpillQueue<TransferAction>() : undefined;
    let incompleteListing = false;
    let targetCount = 0;
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
        summary.planned(action);
        this.emit('planned', { action, totals: summary.totals() });
        if (action.type === 'skip') this.emit('skipped', { action });
        else if (action.type === 'delete') await deletes.add(action.target);
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
      await this.#deletePhase(deletes, summary, { incompleteListing, targetCount, dryRun, signal });
      signal.throwIfAborted();
      const result = summary.build();
      this.emit('done', { summary: result });
      return result;
    } catch (error) {
      stop.abort(error);
      this.#manager.clear();
      await this.#manager.onIdle();
      if (runOptions.signal?.aborted === true) {
        summary.aborted = true;
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
    await assertLocalDirectory(from, 'source');
    const filter = new KeyFilter({
      ignorePatterns: [...(this.#options.ignorePatterns ?? []), ...(await readPatternFiles(this.#options.ignorePatternFiles))],
      ignoreFileName: this.#options.ignoreFileName,
      rules: this.#options.rules,
      localRoot: from.path,
    });
    const source = walkLocal(from.path, {
      followSymlinks: this.#options.followSymlinks,
      filter: filter.isActive ? filter : undefined,
      onWarning,
      signal,
    });
    const target = listS3(this.#client, to, { signal });
    yield* planSync(source, target, {
      comparator: this.#comparator,
      context: {
        targetMetadata: targetMetadataReader(this.#client, to, signal),
        sourceDigest: (entry, partSizes) => digestFile(entry.path!, partSizes, signal),
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
        if (bytes > 0) {
          this.emit('progress', { key: action.key, bytes, loaded, total: action.source.size, totals: summary.totals() });
        }
      },
      onEnd: (method, durationMs) => {
        advance(action.source.size);
        summary.filesDone++;
        summary.transferred(action);
        this.emit('transferEnd', { action, method, durationMs, totals: summary.totals() });
      },
      onFailed: (error) => {
        summary.filesDone++;
        summary.failed(action.key, error);
        this.emit('failed', { key: action.key, action, error });
      },
    };
  }

  async #deletePhase(
    deletes: SpillQueue<Entry>,
    summary: SummaryBuilder,
    run: { incompleteListing: boolean; targetCount: number; dryRun: boolean; signal: AbortSignal },
  ): Promise<void> {
    if (deletes.count === 0) return;
    const skip = (reason: 'failures' | 'incomplete-listing' | 'max-delete', message: string): void => {
      summary.deletesSkipped = { reason, count: deletes.count, message };
      this.emit('deletesSkipped', summary.deletesSkipped);
    };
    if (summary.failedCount > 0) {
      return skip('failures', `${deletes.count} delete(s) skipped because ${summary.failedCount} transfer(s) failed.`);
    }
    if (run.incompleteListing) {
      return skip('incomplete-listing', `${deletes.count} delete(s) skipped because part of the source could not be read.`);
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
      this.#route.to,
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
