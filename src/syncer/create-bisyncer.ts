import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { link, lstat, mkdir, realpath, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { EventEmitter } from 'eventemitter3';
import { checkContent, type CheckSide, type ContentCheckContext, type ObjectFacts } from '../compare/content-check.js';
import type { SideState } from '../core/baseline.js';
import {
  CONFLICT_POLICIES,
  type BisyncConflict,
  type BisyncDeletesSkipped,
  type BisyncerEvents,
  type BisyncSideName,
  type BisyncSummary,
  type ConflictChoice,
  type ConflictPolicy,
  type ConflictRecord,
} from '../core/bisync.js';
import { PART_SIZE_METADATA, type Entry } from '../core/entry.js';
import { BisyncRefusedError, ConfigError, S3kitError, TransferError } from '../core/errors.js';
import { stripEtagQuotes } from '../core/etag.js';
import type { FailureRecord, SyncWarning, TransferAction } from '../core/events.js';
import { localKeyPath } from '../core/local-path.js';
import { formatLocation, type Location, type S3Location } from '../core/location.js';
import { describeS3Error, httpStatus, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';
import { assertKnownNames } from '../core/validate.js';
import { connect, CONNECTION_OPTION_NAMES, transferManagerFor, type Connections } from './connections.js';
import { KeyFilter } from '../listing/key-filter.js';
import { assertLocalDirectory } from '../listing/local-directory.js';
import { listS3 } from '../listing/list-s3.js';
import { walkLocal } from '../listing/walk-local.js';
import { mergeThree, decide, type BaselineRecord } from '../plan/bisync-plan.js';
import { BaselineWriter, readBaseline, readBaselineHeader } from '../state/baseline-file.js';
import { BisyncJournal, foldJournal } from '../state/bisync-journal.js';
import { DOWNLOAD_TEMP_NAME } from '../transfer/download-object.js';
import { digestFile } from '../transfer/file-digest.js';
import { checkPathBelowRoot } from '../transfer/local-destination.js';
import { localPathForKey } from '../transfer/local-key-path.js';
import type { TransferManager } from '../transfer/transfer-manager.js';
import type { WriteCondition } from '../transfer/write-condition.js';
import type { BisyncOptions, BisyncRunOptions } from './bisync-options.js';
import { conflictKey } from './conflict-name.js';
import { readPatternFiles } from './create-syncer.js';
import { maxDeleteAllowance, validateMaxDelete, type MaxDelete } from './max-delete.js';
import { localPairLock, type PairLock } from './pair-lock.js';
import { acquireS3LeaseLock, S3_LOCK_NAME, type ConditionalWrites, type HeldS3Lock } from './s3-pair-lock.js';
import { resolveSyncOptions, type ResolvedSyncOptions } from './resolve-options.js';
import { SpillQueue } from '../state/spill-queue.js';

/*
 * Two-way sync. Each run lists both sides and reads the baseline (what both held after the last
 * run), merges the three sorted streams (plan/bisync-plan.ts) and acts on each key's decision:
 * copies go through the same TransferManager as a sync's (uploads, downloads, S3 → S3 copies),
 * deletes wait until every copy succeeded, conflicts follow the policy. Every applied operation is
 * appended to a journal at once, and the journal is folded into the baseline when the run ends
 * (or, after a kill, when the next one starts): no run ever needs a resync because the one
 * before it was interrupted, and what failed is simply planned again.
 */

/**
 * A configured two-way sync between two locations. Emits {@link BisyncerEvents}.
 * @public
 */
export interface Bisyncer extends EventEmitter<BisyncerEvents> {
  /** The parsed first location. */
  readonly path1: Location;
  /** The parsed second location. */
  readonly path2: Location;
  /** Where this pair's baseline is kept. */
  readonly baselinePath: string;
  /**
   * Runs the bisync. Refusals (no baseline without `resync`, changed filters, an empty side, a
   * held lock) reject with a `BisyncRefusedError` before anything changes; per-key failures are
   * collected in the summary and retried by the next run.
   */
  run(options?: BisyncRunOptions): Promise<BisyncSummary>;
}

/**
 * Creates a {@link Bisyncer}. Validates the options now (a `ConfigError` names the one at fault);
 * does no I/O until `run()`.
 * @public
 */
export function createBisyncer(options: BisyncOptions): Bisyncer {
  return new TwoWaySyncer(options);
}

/** Every option name of {@link BisyncOptions}; `satisfies` keeps the list equal to the type. */
const BISYNC_OPTION_NAMES = {
  path1: true,
  path2: true,
  stateDirectory: true,
  resync: true,
  conflict: true,
  resolveConflict: true,
  force: true,
  maxDelete: true,
  dryRun: true,
  ignorePatternFiles: true,
  concurrency: true,
  listPageSize: true,
  retries: true,
  bandwidthLimit: true,
  upload: true,
  lock: true,
  s3Lock: true,
  s3LockLeaseSeconds: true,
  accessCheck: true,
  now: true,
  ignorePatterns: true,
  rules: true,
  ignoreCase: true,
  client: true,
  ...CONNECTION_OPTION_NAMES,
  multipartThreshold: true,
  partSize: true,
  queueSize: true,
} as const satisfies Record<keyof BisyncOptions, true>;

const FAILURES_KEPT = 1000;
const DEFAULT_S3_LEASE_SECONDS = 300;
const CONFLICTS_KEPT = 1000;

interface Tally {
  count: number;
  bytes: number;
}

/** The counts of one run. */
class RunState {
  readonly startedAt = new Date();
  readonly started = performance.now();
  readonly copiedTo: Record<BisyncSideName, Tally> = { path1: { count: 0, bytes: 0 }, path2: { count: 0, bytes: 0 } };
  readonly deletedIn: Record<BisyncSideName, Tally> = { path1: { count: 0, bytes: 0 }, path2: { count: 0, bytes: 0 } };
  unchanged = 0;
  readonly conflicts: ConflictRecord[] = [];
  conflictCount = 0;
  readonly failures: FailureRecord[] = [];
  failedCount = 0;
  warningCount = 0;
  incompleteListing = false;
  readonly deletesSkipped: BisyncDeletesSkipped[] = [];
  aborted = false;
  baselineCount = 0;
  /** Conflict copies made by this run: the listings may still meet them; they are not new keys. */
  readonly madeThisRun = new Set<string>();
  readonly pending = new Set<Promise<void>>();
  journal: BisyncJournal | undefined;
  /** What each S3 side's server honours, learnt while its lock was taken (none in a dry run). */
  readonly writes: Partial<Record<BisyncSideName, ConditionalWrites>> = {};
  /** The deletes planned per side, made after every copy settled. */
  deletes: Record<BisyncSideName, SpillQueue<Entry>> | undefined;

  constructor(readonly signal: AbortSignal) {}

  failed(key: string, error: S3kitError): void {
    this.failedCount++;
    if (this.failures.length < FAILURES_KEPT) {
      const transfer = error instanceof TransferError ? error : undefined;
      this.failures.push({ key, operation: transfer?.operation ?? 'bisync', code: transfer?.code, message: error.message });
    }
  }
}

class TwoWaySyncer extends EventEmitter<BisyncerEvents> implements Bisyncer {
  readonly path1: Location;
  readonly path2: Location;
  readonly baselinePath: string;
  readonly #given: BisyncOptions;
  readonly #resolved: ResolvedSyncOptions;
  readonly #clients: Connections;
  readonly #manager: TransferManager;
  readonly #conflict: ConflictPolicy;
  readonly #maxDelete: MaxDelete;
  readonly #lock: PairLock;
  readonly #now: () => Date;
  readonly #localRoots = new Map<string, Promise<string>>();
  #running = false;
  #asking: Promise<unknown> = Promise.resolve();

  constructor(options: BisyncOptions) {
    super();
    if (typeof options !== 'object' || options === null) throw new TypeError('createBisyncer needs an options object.');
    assertKnownNames(options, BISYNC_OPTION_NAMES);
    const { path1, path2, stateDirectory, resync: _resync, conflict, resolveConflict, force: _force, maxDelete, lock, now, s3Lock, s3LockLeaseSeconds, accessCheck, ...rest } = options;
    if (typeof stateDirectory !== 'string' || stateDirectory === '') throw new ConfigError('stateDirectory', 'stateDirectory must name the directory where the pair’s baseline is kept.');
    if (conflict !== undefined && !(CONFLICT_POLICIES as readonly string[]).includes(conflict)) {
      throw new ConfigError('conflict', `conflict must be one of ${CONFLICT_POLICIES.join(', ')}, got ${JSON.stringify(conflict)}.`);
    }
    if (resolveConflict !== undefined && typeof resolveConflict !== 'function') throw new ConfigError('resolveConflict', 'resolveConflict must be a function.');
    if (s3Lock !== undefined && typeof s3Lock !== 'boolean') throw new ConfigError('s3Lock', `s3Lock must be true or false, got ${JSON.stringify(s3Lock)}.`);
    if (s3LockLeaseSeconds !== undefined && !(typeof s3LockLeaseSeconds === 'number' && Number.isFinite(s3LockLeaseSeconds) && s3LockLeaseSeconds >= 1)) {
      throw new ConfigError('s3LockLeaseSeconds', `s3LockLeaseSeconds must be a number of seconds, 1 or more, got ${JSON.stringify(s3LockLeaseSeconds)}.`);
    }
    if (accessCheck !== undefined && (typeof accessCheck !== 'string' || localKeyPath('/', accessCheck).unsafe !== undefined || accessCheck.endsWith('/'))) {
      throw new ConfigError('accessCheck', `accessCheck must be a relative key such as ".s3kit-access-check" (no leading "/", no "." or ".." parts), got ${JSON.stringify(accessCheck)}.`);
    }
    // A sync's validation covers the locations (their pair, overlap), filters, transfer settings
    // and connection; path1 plays the source, path2 the target.
    this.#resolved = resolveSyncOptions({ ...rest, source: path1, target: path2 });
    this.path1 = this.#resolved.route.from;
    this.path2 = this.#resolved.route.to;
    if (this.#resolved.route.direction === 'ingest') throw new ConfigError('path1', 'a manifest of URLs cannot be one side of a bisync.');
    this.#given = options;
    this.#conflict = conflict ?? 'keep-both';
    this.#maxDelete = validateMaxDelete(maxDelete) ?? '50%';
    const pair = createHash('sha256')
      .update(JSON.stringify([formatLocation(this.path1), formatLocation(this.path2), options.endpoint ?? '']))
      .digest('hex')
      .slice(0, 32);
    this.baselinePath = join(stateDirectory, `bisync-${pair}.baseline`);
    this.#lock = lock ?? localPairLock(join(stateDirectory, `bisync-${pair}.lock`));
    this.#now = now ?? (() => new Date());
    this.#clients = connect(this.#resolved);
    const { transfer } = this.#resolved;
    this.#manager = transferManagerFor(this.#clients, transfer);
  }

  async run(runOptions: BisyncRunOptions = {}): Promise<BisyncSummary> {
    if (this.#running) throw new S3kitError('This bisyncer is already running; wait for run() to settle or create another.');
    this.#running = true;
    const stop = new AbortController();
    const signal = runOptions.signal === undefined ? stop.signal : AbortSignal.any([runOptions.signal, stop.signal]);
    setMaxListeners(0, signal);
    const run = new RunState(signal);
    const dryRun = this.#given.dryRun === true;
    const journalPath = `${this.baselinePath}.journal`;
    let release: (() => Promise<void>) | undefined;
    const s3Locks: HeldS3Lock[] = [];
    try {
      await mkdir(this.#given.stateDirectory, { recursive: true });
      release = await this.#lock.acquire(signal);
      if (!dryRun) await this.#lockS3Sides(run, s3Locks, (error) => stop.abort(error));
      await this.#checkAccess(run);
      const filters = await this.#filterFingerprint();
      const header = { path1: formatLocation(this.path1), path2: formatLocation(this.path2), filters };
      // What a killed run did is in its journal: fold it in before anything is planned.
      await foldJournal(this.baselinePath, journalPath, header);
      const resync = this.#given.resync === true;
      const existing = await readBaselineHeader(this.baselinePath);
      if (!resync) {
        if (existing === undefined) {
          throw new BisyncRefusedError('needs-resync', `There is no baseline for ${header.path1} ⇄ ${header.path2} yet: the first run must merge both sides with resync (--resync).`);
        }
        if (existing.filters !== filters) {
          throw new BisyncRefusedError('filters-changed', 'The filters changed since the last run: keys they now include or exclude would look new or deleted. Run with resync (--resync) to rebuild the baseline.');
        }
      }
      if (resync && !dryRun) {
        // An empty baseline first: a resync killed half-way resumes as a union, never with the
        // old baseline's deletes.
        const writer = await BaselineWriter.create(this.baselinePath, header);
        await writer.commit();
      }
      if (!dryRun) run.journal = await BisyncJournal.open(journalPath);
      await this.#plan(run, resync, dryRun);
      await this.#settle(run);
      signal.throwIfAborted();
      await this.#deletePhases(run, dryRun);
      await this.#settle(run);
      signal.throwIfAborted();
      const summary = this.#summary(run, dryRun, resync);
      this.emit('done', { summary });
      return summary;
    } catch (caught) {
      // A lost S3 lock aborts the run: what the run stopped with is that, not the abort's echo.
      const error: unknown = stop.signal.aborted && stop.signal.reason instanceof BisyncRefusedError ? stop.signal.reason : caught;
      stop.abort(error);
      this.#manager.clear();
      await this.#manager.onIdle();
      await this.#settle(run);
      if (runOptions.signal?.aborted === true) {
        run.aborted = true;
        this.emit('done', { summary: this.#summary(run, dryRun, this.#given.resync === true) });
        throw runOptions.signal.reason;
      }
      throw error;
    } finally {
      try {
        if (run.journal !== undefined) {
          await run.journal.close();
          await foldJournal(this.baselinePath, journalPath, { path1: formatLocation(this.path1), path2: formatLocation(this.path2), filters: '' });
        }
      } finally {
        await Promise.all(s3Locks.map((lock) => lock.release()));
        await release?.();
        this.#running = false;
      }
    }
  }

  /** Takes the lease lock of each S3 side (see s3-pair-lock.ts), learning what its server honours. */
  async #lockS3Sides(run: RunState, held: HeldS3Lock[], onLost: (error: BisyncRefusedError) => void): Promise<void> {
    if (this.#given.s3Lock === false) return;
    for (const side of ['path1', 'path2'] as const) {
      const location = this.#location(side);
      if (location.kind !== 's3') continue;
      const lock = await acquireS3LeaseLock(
        {
          client: this.#clientOf(side),
          location,
          leaseMs: (this.#given.s3LockLeaseSeconds ?? DEFAULT_S3_LEASE_SECONDS) * 1000,
          onLost,
          onWarning: (message) => this.#warn(run, { code: 'weak-lock', path: formatLocation(location), message, incompleteListing: false }),
        },
        run.signal,
      );
      held.push(lock);
      run.writes[side] = lock.writes;
    }
  }

  /** The `accessCheck` key must exist on both sides before anything is listed. */
  async #checkAccess(run: RunState): Promise<void> {
    const key = this.#given.accessCheck;
    if (key === undefined) return;
    for (const side of ['path1', 'path2'] as const) {
      if (await this.#exists(side, key, run.signal)) continue;
      const where = formatLocation(this.#location(side));
      throw new BisyncRefusedError(
        'access-check',
        `${side} (${where}) has no ${JSON.stringify(key)}, the access check file: the side may be unmounted, the prefix wrong or the key hidden from this account, so nothing was changed. If the side is right, create the file on it (it must exist on both sides).`,
      );
    }
  }

  /** Lists both sides, merges them with the baseline and acts on each decision. */
  async #plan(run: RunState, resync: boolean, dryRun: boolean): Promise<void> {
    const filter = new KeyFilter({
      ignorePatterns: [...(this.#given.ignorePatterns ?? []), ...(await readPatternFiles(this.#given.ignorePatternFiles))],
      ignoreCase: this.#given.ignoreCase,
      rules: this.#given.rules,
      onWarning: (warning) => this.#warn(run, warning),
    });
    const side1 = await peek(await this.#list(run, 'path1', filter));
    const side2 = await peek(await this.#list(run, 'path2', filter));
    const baseline = await peek(resync ? empty<BaselineRecord>() : readBaseline(this.baselinePath));
    if (!baseline.empty && this.#given.force !== true) {
      for (const [side, listed] of [['path1', side1], ['path2', side2]] as const) {
        if (!listed.empty) continue;
        await Promise.allSettled([side1.close(), side2.close(), baseline.close()]);
        throw new BisyncRefusedError(
          'empty-side',
          `${side} (${formatLocation(this.#location(side))}) lists no keys, but held keys after the last run: refusing to propagate what looks like deleting everything (an unmounted disk, a wrong prefix?). If it is meant, run with force (--force).`,
        );
      }
    }
    const deletes: Record<BisyncSideName, SpillQueue<Entry>> = { path1: new SpillQueue<Entry>(), path2: new SpillQueue<Entry>() };
    run.deletes = deletes;
    for await (const merged of mergeThree(side1.items, side2.items, counted(baseline.items, run))) {
      run.signal.throwIfAborted();
      if (run.madeThisRun.has(merged.key)) continue;
      const decision = decide(merged);
      switch (decision.kind) {
        case 'none':
          run.unchanged++;
          break;
        case 'forget':
          if (!dryRun) await run.journal?.append({ key: decision.key, path1: null, path2: null });
          break;
        case 'delete':
          await deletes[decision.side].add(decision.target);
          break;
        case 'copy': {
          const to = other(decision.from);
          if (dryRun) {
            add(run.copiedTo[to], decision.source.size);
            break;
          }
          await this.#background(run, async () => {
            const target = await this.#copy(run, decision.key, decision.from, decision.source, decision.target);
            if (target !== undefined) await this.#record(run, decision.key, decision.from, decision.source, target);
          });
          break;
        }
        case 'compare':
          await this.#background(run, () => this.#compare(run, { key: decision.key, reason: decision.reason, path1: decision.path1, path2: decision.path2 }, dryRun));
          break;
      }
    }
    this.emit('planComplete', { deletesPlanned: { path1: deletes.path1.count, path2: deletes.path2.count } });
  }

  /** Both contents equal: nothing to copy, the baseline records them. Else a conflict. */
  async #compare(run: RunState, conflict: BisyncConflict, dryRun: boolean): Promise<void> {
    let equal = false;
    try {
      const verdict = await checkContent(conflict.path1, conflict.path2, this.#contentContext(run.signal));
      equal = verdict.result === 'equal';
    } catch (error) {
      if (run.signal.aborted) return;
      // What cannot be read cannot be proved equal: a conflict, which keeps both.
      this.#fail(run, conflict.key, undefined, asError(error, conflict.key));
      return;
    }
    if (equal) {
      run.unchanged++;
      if (!dryRun) await run.journal?.append({ key: conflict.key, path1: stateOf(conflict.path1), path2: stateOf(conflict.path2) });
      return;
    }
    const choice = await this.#choose(conflict, run.signal);
    run.conflictCount++;
    if (choice === 'skip' || dryRun) {
      this.#conflictDone(run, conflict, choice, undefined);
      if (dryRun && choice !== 'skip') {
        if (choice === 'keep-both') {
          add(run.copiedTo.path1, conflict.path2.size);
          add(run.copiedTo.path2, conflict.path1.size);
        } else add(run.copiedTo[other(choice)], conflict[choice].size);
      }
      return;
    }
    if (choice === 'path1' || choice === 'path2') {
      const loser = other(choice);
      const target = await this.#copy(run, conflict.key, choice, conflict[choice], conflict[loser]);
      if (target === undefined) return;
      await this.#record(run, conflict.key, choice, conflict[choice], target);
      this.#conflictDone(run, conflict, choice, undefined);
      return;
    }
    await this.#keepBoth(run, conflict);
  }

  /**
   * Keeps both versions: path2's is renamed on its side to a free conflict name and copied from
   * there to path1; then path1's version is copied to path2 under the key. A failure stops at the
   * step it reached; the next run finds both versions still there and plans the rest.
   */
  async #keepBoth(run: RunState, conflict: BisyncConflict): Promise<void> {
    const winner: BisyncSideName = 'path1';
    const loser: BisyncSideName = 'path2';
    const { key } = conflict;
    let renamedKey: string;
    let renamed: Entry;
    try {
      renamedKey = await this.#freeConflictKey(run, key, loser);
      run.madeThisRun.add(renamedKey);
      renamed = await this.#rename(run, loser, conflict[loser], renamedKey);
    } catch (error) {
      if (run.signal.aborted) return;
      this.#fail(run, key, loser, asError(error, key));
      return;
    }
    const copied = await this.#copy(run, renamedKey, loser, renamed, undefined);
    if (copied === undefined) return;
    await this.#record(run, renamedKey, loser, renamed, copied);
    const location = this.#location(loser);
    // A local loser was moved away: the winner's copy creates the file; in S3 it overwrites.
    const target = await this.#copy(run, key, winner, conflict[winner], location.kind === 'local' ? undefined : conflict[loser]);
    if (target === undefined) return;
    await this.#record(run, key, winner, conflict[winner], target);
    this.#conflictDone(run, conflict, 'keep-both', renamedKey);
  }

  #conflictDone(run: RunState, conflict: BisyncConflict, choice: ConflictChoice, renamedKey: string | undefined): void {
    if (run.conflicts.length < CONFLICTS_KEPT) run.conflicts.push({ key: conflict.key, choice, ...(renamedKey === undefined ? {} : { conflictKey: renamedKey }) });
    this.emit('conflict', { conflict, choice, ...(renamedKey === undefined ? {} : { conflictKey: renamedKey }) });
  }

  async #choose(conflict: BisyncConflict, signal: AbortSignal): Promise<ConflictChoice> {
    const ask = this.#given.resolveConflict;
    if (ask !== undefined) {
      // One conflict at a time: a prompt must not interleave with the next.
      const turn = this.#asking.then(() => ask(conflict));
      this.#asking = turn.catch(() => {});
      // A stopped run (interrupted, its S3 lock lost) does not wait for an answer.
      const choice = await Promise.race([turn, abortOf(signal)]);
      if (!['path1', 'path2', 'keep-both', 'skip'].includes(choice)) {
        throw new ConfigError('resolveConflict', `resolveConflict must return path1, path2, keep-both or skip, got ${JSON.stringify(choice)}.`);
      }
      return choice;
    }
    const { path1, path2 } = conflict;
    const by = (a: number, b: number): ConflictChoice => (a > b ? 'path1' : a < b ? 'path2' : 'keep-both');
    switch (this.#conflict) {
      case 'keep-both':
        return 'keep-both';
      case 'path1':
      case 'path2':
        return this.#conflict;
      case 'newer':
        return by(path1.mtimeMs, path2.mtimeMs);
      case 'older':
        return by(path2.mtimeMs, path1.mtimeMs);
      case 'larger':
        return by(path1.size, path2.size);
    }
  }

  /** A conflict name free on both sides and not given out by this run. */
  async #freeConflictKey(run: RunState, key: string, loser: BisyncSideName): Promise<string> {
    const day = this.#now().toISOString().slice(0, 10);
    for (let attempt = 1; attempt <= 1000; attempt++) {
      const candidate = conflictKey(key, loser, day, attempt);
      if (run.madeThisRun.has(candidate)) continue;
      if ((await this.#exists('path1', candidate, run.signal)) || (await this.#exists('path2', candidate, run.signal))) continue;
      return candidate;
    }
    throw new TransferError('rename', key, `no free conflict name for ${JSON.stringify(key)} after 1000 tries.`);
  }

  async #exists(side: BisyncSideName, key: string, signal: AbortSignal): Promise<boolean> {
    const location = this.#location(side);
    if (location.kind === 'local') {
      const path = localPathForKey(await this.#localRoot(location.path), key);
      return lstat(path).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return false;
          throw error;
        },
      );
    }
    return (await this.#head(side, key, signal)) !== undefined;
  }

  /**
   * Moves `entry` to `newKey` on its own side, never over an existing name: a local file is
   * hard-linked to the new name (which fails if it exists) and unlinked; an object is copied
   * server-side (the old key is overwritten by the winner next). Returns the entry at its new key.
   */
  async #rename(run: RunState, side: BisyncSideName, entry: Entry, newKey: string): Promise<Entry> {
    const location = this.#location(side);
    this.emit('transferStart', { key: entry.key, from: side, to: side, method: location.kind === 'local' ? 'mkdir' : 'server-copy' });
    const started = performance.now();
    if (location.kind === 'local') {
      const root = await this.#localRoot(location.path);
      const from = localPathForKey(root, entry.key);
      const to = localPathForKey(root, newKey);
      await checkPathBelowRoot(root, from, { operation: 'rename', key: entry.key, create: false });
      await checkPathBelowRoot(root, to, { operation: 'rename', key: newKey, create: true });
      // The file must still be the version listed: a later edit is judged by the next run.
      const now = await lstat(from);
      if (now.size !== entry.size || Math.trunc(now.mtimeMs) !== Math.trunc(entry.mtimeMs)) {
        throw new TransferError('rename', entry.key, `${from} changed since it was listed; the conflict is left for the next run.`, { code: 'Changed' });
      }
      try {
        await link(from, to);
        await unlink(from);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new TransferError('rename', entry.key, `${to} appeared while the conflict was resolved.`, { code });
        // File systems without hard links: a rename after the name was found free.
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
        await rename(from, to);
      }
      const stats = await lstat(to);
      this.emit('transferEnd', { key: newKey, from: side, to: side, method: 'mkdir', bytes: 0, durationMs: performance.now() - started });
      return { key: newKey, size: stats.size, mtimeMs: stats.mtimeMs, path: to };
    }
    const done = await this.#transfer(run, { type: 'copy', key: entry.key, reason: 'missing-in-target', source: entry }, side, side, newKey);
    if (done === undefined) throw new TransferError('rename', entry.key, `cannot keep ${JSON.stringify(entry.key)} as ${JSON.stringify(newKey)}.`);
    const head = await this.#head(side, newKey, run.signal);
    if (head === undefined) throw new TransferError('rename', newKey, `${newKey} is gone right after it was written.`);
    return entryOfHead(newKey, head);
  }

  /**
   * Copies `source` from side `from` to the other side; resolves to the new entry there (for the
   * baseline), or undefined after a failure (reported).
   */
  async #copy(run: RunState, key: string, from: BisyncSideName, source: Entry, replaced: Entry | undefined): Promise<SideState | undefined> {
    const to = other(from);
    const action: TransferAction =
      replaced === undefined ? { type: 'copy', key, reason: 'missing-in-target', source } : { type: 'update', key, reason: 'checksum-differs', source, target: replaced };
    if (replaced !== undefined && !(await this.#stillAsPlanned(run, to, replaced))) return undefined;
    const done = await this.#transfer(run, action, from, to, undefined);
    if (done === undefined) return undefined;
    try {
      return await this.#stateAt(to, key, run.signal);
    } catch (error) {
      this.#fail(run, key, to, asError(error, key));
      return undefined;
    }
  }

  /** One transfer through the manager; resolves true on success, undefined after a failure (reported). */
  #transfer(run: RunState, action: TransferAction, from: BisyncSideName, to: BisyncSideName, targetKey: string | undefined): Promise<true | undefined> {
    return new Promise((settle) => {
      const onAbort = (): void => resolve(undefined);
      const resolve = (value: true | undefined): void => {
        run.signal.removeEventListener('abort', onAbort);
        settle(value);
      };
      // An aborted run drops queued transfers without calling their hooks.
      run.signal.addEventListener('abort', onAbort, { once: true });
      let loaded = 0;
      this.#manager
        .enqueue(
          action,
          { from: this.#location(from), to: this.#location(to), ...(targetKey === undefined ? {} : { targetKey }), ...this.#writeCondition(run, action, to) },
          {
            onStart: (method) => this.emit('transferStart', { key: action.key, from, to, method }),
            onProgress: (now) => {
              const bytes = Math.max(0, now - loaded);
              loaded += bytes;
              if (bytes > 0 && this.listenerCount('progress') > 0) this.emit('progress', { key: action.key, bytes, loaded, total: action.source.size });
            },
            onEnd: (result) => {
              if (from !== to) add(run.copiedTo[to], action.source.size);
              this.emit('transferEnd', { key: targetKey ?? action.key, from, to, method: result.method, bytes: action.source.size, durationMs: result.durationMs });
              resolve(true);
            },
            onFailed: (error) => {
              this.#fail(run, action.key, to, isPreconditionFailure(error) ? changedMeanwhile(targetKey ?? action.key, to, this.#location(to)) : error);
              resolve(undefined);
            },
          },
          run.signal,
        )
        .catch((error: unknown) => {
          if (!run.signal.aborted) this.#fail(run, action.key, to, asError(error, action.key));
          resolve(undefined);
        });
    });
  }

  /**
   * The precondition of a write to an S3 side, in the form its server takes: an overwrite only of
   * the version planned from, a new key only where none is. None where the server ignores them
   * (and for downloads: a local file is checked before it is replaced).
   */
  #writeCondition(run: RunState, action: TransferAction, to: BisyncSideName): { writeCondition?: WriteCondition } {
    const writes = run.writes[to];
    if (writes === undefined) return {};
    if (action.type === 'update') {
      const etag = action.target?.etag;
      return writes.ifMatch === undefined || etag === undefined ? {} : { writeCondition: { ifMatch: writes.ifMatch(etag) } };
    }
    return writes.ifNoneMatch ? { writeCondition: { ifNoneMatch: '*' } } : {};
  }

  /**
   * An S3 object about to be overwritten must still be the version planned from: a HEAD just
   * before, for servers (and requests: multipart completions and copies on radosgw) that ignore
   * If-Match. A changed object is left alone and reported; the next run sees the change.
   */
  async #stillAsPlanned(run: RunState, side: BisyncSideName, planned: Entry): Promise<boolean> {
    const location = this.#location(side);
    if (location.kind !== 's3' || planned.etag === undefined) return true;
    try {
      const head = await this.#head(side, planned.key, run.signal);
      // Gone meanwhile: a delete has nothing left to do, and an overwrite of a deleted key keeps
      // the changed copy (a conditional write is then refused and the next run copies it).
      if (head === undefined || stripEtagQuotes(head.ETag) === planned.etag) return true;
    } catch (error) {
      if (run.signal.aborted) return false;
      this.#fail(run, planned.key, side, asError(error, planned.key));
      return false;
    }
    this.#fail(run, planned.key, side, changedMeanwhile(planned.key, side, location));
    return false;
  }

  /** S3 objects still as listed, HEADed a bounded number at once, in order. */
  async *#objectsStillAsListed(run: RunState, side: BisyncSideName, entries: AsyncIterable<Entry>): AsyncGenerator<Entry> {
    const window: Promise<Entry | undefined>[] = [];
    const check = async (entry: Entry): Promise<Entry | undefined> => ((await this.#stillAsPlanned(run, side, entry)) ? entry : undefined);
    for await (const entry of entries) {
      if (run.signal.aborted) return;
      window.push(check(entry));
      if (window.length >= this.#resolved.transfer.concurrency) {
        const checked = await window.shift();
        if (checked !== undefined) yield checked;
      }
    }
    for (const pending of window) {
      const checked = await pending;
      if (checked !== undefined) yield checked;
    }
  }

  /** Appends what a copy left on both sides to the journal. */
  async #record(run: RunState, key: string, from: BisyncSideName, source: Entry, target: SideState): Promise<void> {
    const sourceState = stateOf(source);
    await run.journal?.append(from === 'path1' ? { key, path1: sourceState, path2: target } : { key, path1: target, path2: sourceState });
  }

  /**
   * The deletes, side by side, once every copy is settled: none after a failure or an
   * incomplete listing, and none on a side past `maxDelete` (unless `force`).
   */
  async #deletePhases(run: RunState, dryRun: boolean): Promise<void> {
    const deletes = run.deletes;
    if (deletes === undefined) return;
    try {
      for (const side of ['path1', 'path2'] as const) {
        const queue = deletes[side];
        if (queue.count === 0) continue;
        const skip = (reason: BisyncDeletesSkipped['reason'], message: string): void => {
          const skipped = { side, reason, count: queue.count, message };
          run.deletesSkipped.push(skipped);
          this.emit('deletesSkipped', skipped);
        };
        if (run.failedCount > 0) {
          skip('failures', `${queue.count} delete(s) in ${side} not made: ${run.failedCount} operation(s) failed (they are retried, and the deletes made, next run).`);
          continue;
        }
        if (run.incompleteListing) {
          skip('incomplete-listing', `${queue.count} delete(s) in ${side} not made: a listing was incomplete, so missing keys prove nothing.`);
          continue;
        }
        const allowance = maxDeleteAllowance(this.#maxDelete, run.baselineCount);
        if (this.#given.force !== true && queue.count > allowance) {
          skip(
            'max-delete',
            `${queue.count} delete(s) in ${side} not made: more than maxDelete ${String(this.#maxDelete)} of the ${run.baselineCount} key(s) of the last run allows (${allowance}). Check the other side; run with force (--force) if it is meant.`,
          );
          continue;
        }
        if (dryRun) {
          for await (const entry of queue.items()) add(run.deletedIn[side], entry.size);
          continue;
        }
        const location = this.#location(side);
        const entries = location.kind === 'local' ? this.#stillAsListed(run, side, queue.items()) : this.#objectsStillAsListed(run, side, queue.items());
        const ifMatch = run.writes[side]?.ifMatch;
        await this.#manager.deleteEntries(
          location,
          entries,
          {
            onDeleted: (entry) => {
              add(run.deletedIn[side], entry.size);
              this.emit('deleted', { key: entry.key, side, target: entry });
              this.#background(run, () => run.journal?.append({ key: entry.key, path1: null, path2: null }) ?? Promise.resolve()).catch(() => {});
            },
            onFailed: (entry, error) => this.#fail(run, entry.key, side, isPreconditionFailure(error) ? changedMeanwhile(entry.key, side, location) : error),
            ...(ifMatch === undefined ? {} : { ifMatch: (entry: Entry) => (entry.etag === undefined ? undefined : ifMatch(entry.etag)) }),
          },
          run.signal,
        );
      }
    } finally {
      await Promise.all([deletes.path1.dispose(), deletes.path2.dispose()]);
    }
  }

  /** Local files still as listed: one edited since is not deleted (the next run copies it back). */
  async *#stillAsListed(run: RunState, side: BisyncSideName, entries: AsyncIterable<Entry>): AsyncGenerator<Entry> {
    for await (const entry of entries) {
      const stats = await lstat(defined(entry.path, 'path')).catch(() => undefined);
      if (stats !== undefined && (stats.size !== entry.size || Math.trunc(stats.mtimeMs) !== Math.trunc(entry.mtimeMs))) {
        this.#fail(run, entry.key, side, new TransferError('delete', entry.key, `${entry.path} changed since it was listed; not deleted.`, { code: 'Changed' }));
        continue;
      }
      yield entry;
    }
  }

  /** Runs `task` beside the planner, at most a bounded number at once. */
  async #background(run: RunState, task: () => Promise<void>): Promise<void> {
    const limit = this.#resolved.transfer.concurrency + this.#resolved.transfer.backlog;
    while (run.pending.size >= limit) await Promise.race(run.pending);
    const promise: Promise<void> = task()
      .catch((error: unknown) => {
        if (!run.signal.aborted) this.#fail(run, '', undefined, asError(error, ''));
      })
      .finally(() => run.pending.delete(promise));
    run.pending.add(promise);
  }

  async #settle(run: RunState): Promise<void> {
    while (run.pending.size > 0) await Promise.allSettled([...run.pending]);
    await this.#manager.onIdle();
  }

  #fail(run: RunState, key: string, side: BisyncSideName | undefined, error: S3kitError): void {
    run.failed(key, error);
    this.emit('failed', { key, side, error });
  }

  #warn(run: RunState, warning: SyncWarning): void {
    run.warningCount++;
    run.incompleteListing ||= warning.incompleteListing;
    this.emit('warning', warning);
  }

  /** One side's listing: filtered, without download leftovers, links in a local side passed over. */
  async #list(run: RunState, side: BisyncSideName, filter: KeyFilter): Promise<AsyncIterable<Entry>> {
    const location = this.#location(side);
    const onWarning = (warning: SyncWarning): void => this.#warn(run, warning);
    if (location.kind === 'local') {
      await assertLocalDirectory(location, side === 'path1' ? 'source' : 'target');
      // Links are not followed: a bisync writes to this side too, and never writes through a link.
      return withoutOwnFiles(walkLocal(location.path, { followSymlinks: false, filter: filter.isActive ? filter : undefined, onWarning, signal: run.signal }));
    }
    if (location.kind !== 's3') throw new ConfigError(side, `${side} must be a local directory or an s3:// location.`);
    const listed = listS3(this.#clientOf(side), location, { signal: run.signal, side: side === 'path1' ? 'source' : 'target', pageSize: this.#resolved.listPageSize });
    return withoutOwnFiles(filtered(listed, filter));
  }

  #location(side: BisyncSideName): Location {
    return side === 'path1' ? this.path1 : this.path2;
  }

  #clientOf(side: BisyncSideName): S3Client {
    const client = side === 'path1' ? this.#clients.source : this.#clients.target;
    return defined(client ?? this.#clients.transfer, `${side} client`);
  }

  #localRoot(path: string): Promise<string> {
    let root = this.#localRoots.get(path);
    if (root === undefined) {
      root = realpath(path);
      this.#localRoots.set(path, root);
    }
    return root;
  }

  /** What `side` now holds at `key`, for the baseline. */
  async #stateAt(side: BisyncSideName, key: string, signal: AbortSignal): Promise<SideState> {
    const location = this.#location(side);
    if (location.kind === 'local') {
      const stats = await lstat(localPathForKey(await this.#localRoot(location.path), key));
      return { size: stats.size, mtimeMs: stats.mtimeMs };
    }
    const head = await this.#head(side, key, signal);
    if (head === undefined) throw new TransferError('head', key, `${key} is gone from ${side} right after it was written.`);
    return stateOf(entryOfHead(key, head));
  }

  async #head(side: BisyncSideName, key: string, signal: AbortSignal, partNumber?: number): Promise<HeadObjectCommandOutput | undefined> {
    const location = this.#location(side) as S3Location;
    const objectKey = location.prefix + key;
    try {
      return await this.#clientOf(side).send(new HeadObjectCommand({ Bucket: location.bucket, Key: objectKey, PartNumber: partNumber }), { abortSignal: signal });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (httpStatus(error) === 404) return undefined;
      throw new TransferError('head', key, `Cannot read the metadata of s3://${location.bucket}/${objectKey} (${side}): ${describeS3Error(error, location.bucket)}`, {
        retryable: isRetryableError(error),
        code: s3ErrorCode(error),
        cause: error,
      });
    }
  }

  /** The I/O a content comparison may ask for (as `check` does): HEADs of objects, digests of files. */
  #contentContext(signal: AbortSignal): ContentCheckContext {
    const present = async (entry: Entry, side: CheckSide, partNumber?: number): Promise<HeadObjectCommandOutput> => {
      const head = await this.#head(side, entry.key, signal, partNumber);
      if (head === undefined) throw new TransferError('head', entry.key, `${entry.key} is gone from ${side} since it was listed.`);
      return head;
    };
    return {
      head: async (entry, side): Promise<ObjectFacts> => {
        const response = await present(entry, side);
        const partSize = Number(response.Metadata?.[PART_SIZE_METADATA]);
        return {
          etag: stripEtagQuotes(response.ETag),
          recordedPartSize: Number.isInteger(partSize) && partSize > 0 ? partSize : undefined,
          encrypted: (response.ServerSideEncryption ?? '').startsWith('aws:kms') || response.SSECustomerAlgorithm !== undefined,
          checksums: {},
        };
      },
      firstPartSize: async (entry, side) => {
        const response = await present(entry, side, 1);
        const length = response.ContentLength;
        if (response.PartsCount === undefined || response.PartsCount < 2 || length === undefined || length <= 0 || length >= entry.size) return undefined;
        return length;
      },
      digest: (entry, request) => digestFile(defined(entry.path, 'path'), request.partSizes, signal, request.checksums),
    };
  }

  /** A digest of the filters: a baseline made with other filters needs a resync. */
  async #filterFingerprint(): Promise<string> {
    const given = this.#given;
    const patterns = [...(given.ignorePatterns ?? []), ...(await readPatternFiles(given.ignorePatternFiles))];
    return createHash('sha256')
      .update(JSON.stringify({ patterns, rules: given.rules ?? [], ignoreCase: given.ignoreCase ?? false }))
      .digest('hex')
      .slice(0, 32);
  }

  #summary(run: RunState, dryRun: boolean, resync: boolean): BisyncSummary {
    return {
      path1: formatLocation(this.path1),
      path2: formatLocation(this.path2),
      dryRun,
      resync,
      copiedToPath1: { ...run.copiedTo.path1 },
      copiedToPath2: { ...run.copiedTo.path2 },
      deletedInPath1: { ...run.deletedIn.path1 },
      deletedInPath2: { ...run.deletedIn.path2 },
      unchanged: run.unchanged,
      conflicts: [...run.conflicts],
      conflictCount: run.conflictCount,
      failedCount: run.failedCount,
      failures: [...run.failures],
      warningCount: run.warningCount,
      deletesSkipped: [...run.deletesSkipped],
      aborted: run.aborted,
      startedAt: run.startedAt,
      durationMs: performance.now() - run.started,
    };
  }
}

function isPreconditionFailure(error: S3kitError): boolean {
  return error instanceof TransferError && error.code === 'PreconditionFailed';
}

/** The failure of a write refused because the object changed after it was listed. */
function changedMeanwhile(key: string, side: BisyncSideName, location: Location): TransferError {
  return new TransferError(
    'bisync',
    key,
    `${key} changed in ${side} (${formatLocation(location)}) after it was listed; it was left as it is. The next run sees the change (a conflict if both sides changed).`,
    { code: 'Changed' },
  );
}

function other(side: BisyncSideName): BisyncSideName {
  return side === 'path1' ? 'path2' : 'path1';
}

function add(tally: Tally, bytes: number): void {
  tally.count++;
  tally.bytes += bytes;
}

function stateOf(entry: Entry): SideState {
  return entry.etag === undefined ? { size: entry.size, mtimeMs: entry.mtimeMs } : { size: entry.size, mtimeMs: entry.mtimeMs, etag: entry.etag };
}

function entryOfHead(key: string, head: HeadObjectCommandOutput): Entry {
  const etag = stripEtagQuotes(head.ETag);
  return { key, size: head.ContentLength ?? 0, mtimeMs: head.LastModified?.getTime() ?? 0, ...(etag === undefined ? {} : { etag }) };
}

function asError(error: unknown, key: string): S3kitError {
  if (error instanceof S3kitError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new TransferError('bisync', key, error instanceof Error ? error.message : String(error), { code, cause: error });
}

function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new S3kitError(`internal error: no ${what} for this bisync.`);
  return value;
}

/** Counts the baseline's records as they pass (the delete cap is a share of them). */
async function* counted(records: AsyncIterable<BaselineRecord>, run: RunState): AsyncGenerator<BaselineRecord> {
  for await (const record of records) {
    run.baselineCount++;
    yield record;
  }
}

async function* empty<T>(): AsyncGenerator<T> {}

/** Rejects with the signal's reason once it aborts. */
function abortOf(signal: AbortSignal): Promise<never> {
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    else signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
  // A race already won by the answer leaves this rejection unobserved: that is not an error.
  aborted.catch(() => {});
  return aborted;
}

/** A stream whose first item was read ahead, to know whether it is empty before merging. */
async function peek<T>(items: AsyncIterable<T>): Promise<{ empty: boolean; items: AsyncIterable<T>; close: () => Promise<unknown> }> {
  const iterator = items[Symbol.asyncIterator]();
  const first = await iterator.next();
  async function* rest(): AsyncGenerator<T> {
    try {
      if (first.done === true) return;
      yield first.value;
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
  return { empty: first.done === true, items: rest(), close: async () => iterator.return?.() };
}

async function* filtered(entries: AsyncIterable<Entry>, filter: KeyFilter): AsyncGenerator<Entry> {
  if (!filter.isActive) {
    yield* entries;
    return;
  }
  for await (const entry of entries) if (!(await filter.excludesFile(entry.key))) yield entry;
}

/**
 * Leftovers of interrupted downloads and the S3 lock object are not content, on either side (a
 * local file named like the lock would otherwise be copied over it).
 */
async function* withoutOwnFiles(entries: AsyncIterable<Entry>): AsyncGenerator<Entry> {
  for await (const entry of entries) {
    if (entry.key === S3_LOCK_NAME || DOWNLOAD_TEMP_NAME.test(entry.key.slice(entry.key.lastIndexOf('/') + 1))) continue;
    yield entry;
  }
}
