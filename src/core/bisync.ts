import type { Entry } from './entry.js';
import type { S3kitError } from './errors.js';
import type { ActionTally, DeletesSkippedReason, FailureRecord, SyncWarning, TransferMethod } from './events.js';

/*
 * The vocabulary of two-way sync's runs: conflicts, how they are resolved, the events and the
 * summary of a bisync. The facade (syncer/create-bisyncer.ts) produces them; the CLI reports them.
 */

/**
 * One of the two locations of a bisync.
 * @public
 */
export type BisyncSideName = 'path1' | 'path2';

/**
 * How a conflict (a key changed on both sides to different contents, or new on both) is
 * resolved when no `resolveConflict` callback decides:
 * - `keep-both`: path1's version keeps the name, path2's is renamed on both sides to
 *   `name.conflict-path2-YYYY-MM-DD.ext` (never over an existing name: `-2`, `-3`… are added);
 * - `newer` / `older`: the version with the later / earlier modification time overwrites the
 *   other (equal times: keep both);
 * - `larger`: the larger version overwrites the other (equal sizes: keep both);
 * - `path1` / `path2`: that side's version overwrites the other.
 * @public
 */
export type ConflictPolicy = 'keep-both' | 'newer' | 'older' | 'larger' | 'path1' | 'path2';

/** Every {@link ConflictPolicy}, the default first. */
export const CONFLICT_POLICIES = ['keep-both', 'newer', 'older', 'larger', 'path1', 'path2'] as const satisfies readonly ConflictPolicy[];

/**
 * What happens to one conflict: a side's version wins (overwrites the other), both are kept
 * (path2's under a conflict name), or the key is left as it is on both sides (a conflict again
 * next run).
 * @public
 */
export type ConflictChoice = 'path1' | 'path2' | 'keep-both' | 'skip';

/**
 * A key whose two versions differ and both changed since the last run (or both are new).
 * @public
 */
export interface BisyncConflict {
  /** The key, relative to both locations. */
  readonly key: string;
  /** Why the key reached content comparison. */
  readonly reason: 'new-on-both' | 'changed-on-both';
  /** path1's version as listed. */
  readonly path1: Entry;
  /** path2's version as listed. */
  readonly path2: Entry;
}

/**
 * A conflict as the summary keeps it: the choice made and, when both were kept, the name the
 * losing version now has on both sides.
 * @public
 */
export interface ConflictRecord {
  /** The key in conflict. */
  readonly key: string;
  /** What was done. */
  readonly choice: ConflictChoice;
  /** Where the other version was kept (`keep-both`). */
  readonly conflictKey?: string;
}

/**
 * A bisync delete phase that did not run on one side.
 * @public
 */
export interface BisyncDeletesSkipped {
  /** The side whose deletes were not made. */
  readonly side: BisyncSideName;
  /** Why. */
  readonly reason: DeletesSkippedReason;
  /** Deletes planned on that side and not made. */
  readonly count: number;
  /** A sentence for people. */
  readonly message: string;
}

/**
 * What a bisync run did. Dry runs count what would have been done.
 * @public
 */
export interface BisyncSummary {
  /** path1 as a string. */
  readonly path1: string;
  /** path2 as a string. */
  readonly path2: string;
  /** True when nothing was changed on purpose (`dryRun`). */
  readonly dryRun: boolean;
  /** True when the run rebuilt the baseline (`resync`). */
  readonly resync: boolean;
  /** Versions copied from path2 into path1 (new, changed, conflict copies). */
  readonly copiedToPath1: ActionTally;
  /** Versions copied from path1 into path2. */
  readonly copiedToPath2: ActionTally;
  /** Keys deleted in path1 (deleted in path2 since the last run). */
  readonly deletedInPath1: ActionTally;
  /** Keys deleted in path2. */
  readonly deletedInPath2: ActionTally;
  /** Keys both sides hold as the last run left them, or with equal contents. */
  readonly unchanged: number;
  /** The conflicts (the first 1000; `conflictCount` has the total). */
  readonly conflicts: readonly ConflictRecord[];
  /** Number of conflicts. */
  readonly conflictCount: number;
  /** Number of copies, renames and deletes that failed (retried next run). */
  readonly failedCount: number;
  /** The failures (the first 1000). */
  readonly failures: readonly FailureRecord[];
  /** Warnings emitted while listing. */
  readonly warningCount: number;
  /** Delete phases that did not run, per side. */
  readonly deletesSkipped: readonly BisyncDeletesSkipped[];
  /** True when the run was cancelled through its signal. */
  readonly aborted: boolean;
  /** When the run began. */
  readonly startedAt: Date;
  /** How long the run took, in milliseconds. */
  readonly durationMs: number;
}

/**
 * The events a bisyncer emits, as an eventemitter3 event map; the names and payloads follow a
 * sync's where they mean the same, with the side a copy goes to.
 * @public
 */
export interface BisyncerEvents {
  /** A listing passed over something. */
  warning: (event: SyncWarning) => void;
  /** Planning finished: every key was judged; copies may still run. */
  planComplete: (event: { readonly deletesPlanned: { readonly path1: number; readonly path2: number } }) => void;
  /** A copy to the other side (or a rename on one side, `from === to`) began. */
  transferStart: (event: { readonly key: string; readonly from: BisyncSideName; readonly to: BisyncSideName; readonly method: TransferMethod }) => void;
  /** Bytes moved for one key. */
  progress: (event: { readonly key: string; readonly bytes: number; readonly loaded: number; readonly total: number }) => void;
  /** A copy succeeded; the baseline records it at once. */
  transferEnd: (event: {
    readonly key: string;
    readonly from: BisyncSideName;
    readonly to: BisyncSideName;
    readonly method: TransferMethod;
    readonly bytes: number;
    readonly durationMs: number;
  }) => void;
  /** A key was deleted on `side`. */
  deleted: (event: { readonly key: string; readonly side: BisyncSideName; readonly target: Entry }) => void;
  /** A conflict was found and resolved (or skipped). */
  conflict: (event: { readonly conflict: BisyncConflict; readonly choice: ConflictChoice; readonly conflictKey?: string }) => void;
  /** A copy, rename or delete failed; the run goes on, deletes are cancelled, the key is retried next run. */
  failed: (event: { readonly key: string; readonly side: BisyncSideName | undefined; readonly error: S3kitError }) => void;
  /** One side's delete phase did not run. */
  deletesSkipped: (event: BisyncDeletesSkipped) => void;
  /** The run ended (also after an abort); the summary is final. */
  done: (event: { readonly summary: BisyncSummary }) => void;
}
