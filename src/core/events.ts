import type { Action } from './action.js';
import type { Entry } from './entry.js';
import type { S3kitError } from './errors.js';

/**
 * How a transfer is carried out: `put` (one PutObject), `multipart` (upload in parts), `get`
 * (one GetObject to a temp file), `ranged-get` (parallel ranged GETs), `mkdir` (a directory
 * marker), `server-copy` (CopyObject), `multipart-copy` (parallel UploadPartCopy),
 * `stream-copy` (GetObject streamed into an upload, between services), `url-stream` (an HTTP
 * download streamed into an upload, from a manifest).
 * @public
 */
export type TransferMethod =
  | 'put'
  | 'multipart'
  | 'get'
  | 'ranged-get'
  | 'mkdir'
  | 'server-copy'
  | 'multipart-copy'
  | 'stream-copy'
  | 'url-stream';

/**
 * An action that moves bytes.
 * @public
 */
export type TransferAction = Extract<Action, { type: 'copy' | 'update' }>;

/**
 * Running totals carried by progress events, so a progress bar never has to guess.
 * @public
 */
export interface ProgressTotals {
  /** Copies and updates planned so far. */
  readonly filesPlanned: number;
  /** Bytes of the copies and updates planned so far. */
  readonly bytesPlanned: number;
  /** True once the plan is complete, so the planned figures are final. */
  readonly planComplete: boolean;
  /** Transfers finished (successfully or not). */
  readonly filesDone: number;
  /** Bytes sent or received so far, including parts of unfinished transfers. */
  readonly bytesDone: number;
}

/**
 * Something s3kit passed over without failing the run: a FIFO, a socket, a symlink loop, a
 * broken symlink, an unreadable directory; a setting worth a second look (a storage-class rule
 * that archives); or (`weak-lock`, bisync) a server that ignores conditional requests, so the S3
 * lock or the checks of overwrites are weaker than planned.
 * @public
 */
export interface SyncWarning {
  /** What was passed over. */
  readonly code:
    | 'special-file'
    | 'symlink-loop'
    | 'broken-symlink'
    | 'unreadable'
    | 'skipped-symlink'
    | 'unreachable-url'
    | 'invalid-name'
    | 'ignore-file-symlink'
    | 'reserved-name'
    | 'weak-lock'
    /** A storage-class rule writes GLACIER or DEEP_ARCHIVE objects, which need a restore before a read (the path is the rule, `storageClassRules[i]`). */
    | 'archived-storage-class';
  /** The absolute local path, the key or the location concerned. */
  readonly path: string;
  /** A sentence for people, starting with the path. */
  readonly message: string;
  /**
   * True when the warning leaves the source listing incomplete (an unreadable directory or
   * file), which cancels the delete phase.
   */
  readonly incompleteListing: boolean;
}

/**
 * A transfer or delete that failed, as kept in the summary.
 * @public
 */
export interface FailureRecord {
  /** The key, relative to the location root. */
  readonly key: string;
  /** What was being done: `put`, `multipart`, `delete`, `read`. */
  readonly operation: string;
  /** The server's or the system's error code, when there is one. */
  readonly code: string | undefined;
  /** What went wrong and, where s3kit knows, what to do about it. */
  readonly message: string;
}

/**
 * Why the delete phase did not run.
 * @public
 */
export type DeletesSkippedReason = 'failures' | 'incomplete-listing' | 'max-delete' | 'empty-source' | 'aborted';

/**
 * The delete phase was skipped: deletes run only after every transfer succeeded.
 * @public
 */
export interface DeletesSkipped {
  /** Why the deletes did not run. */
  readonly reason: DeletesSkippedReason;
  /** How many deletes were planned and not carried out. */
  readonly count: number;
  /** A sentence for people. */
  readonly message: string;
}

/**
 * Counts and bytes for one kind of action.
 * @public
 */
export interface ActionTally {
  /** Number of keys. */
  readonly count: number;
  /** Their total size in bytes. */
  readonly bytes: number;
}

/**
 * What an S3 → S3 sync saved by copying server-side.
 * @public
 */
export interface CopyStats {
  /** Bytes copied by the server without passing through this process. */
  readonly serverSideBytes: number;
  /** Bytes streamed through this process (copies between services). */
  readonly streamedBytes: number;
  /** Requests a download-then-upload cycle would have needed and these copies did not. */
  readonly requestsAvoided: number;
}

/**
 * What a sync did. `dryRun` summaries count what would have been done.
 * @public
 */
export interface SyncSummary {
  /** The source location as a string. */
  readonly source: string;
  /** The target location as a string. */
  readonly target: string;
  /** True when nothing was transferred or deleted on purpose (`dryRun`). */
  readonly dryRun: boolean;
  /** Keys the target lacked, now copied. */
  readonly copied: ActionTally;
  /** Keys that differed, now replaced. */
  readonly updated: ActionTally;
  /** Target keys removed. */
  readonly deleted: ActionTally;
  /** Keys left alone (equal, excluded, or deletes not asked for); includes `keptInTarget`. */
  readonly skipped: ActionTally;
  /**
   * Of `skipped`, the keys only the target holds, kept because deletes were not asked for (or
   * they are excluded): not "unchanged", since the source has no such key. The difference of
   * the two counts is the keys equal on both sides.
   */
  readonly keptInTarget: ActionTally;
  /**
   * Uploads resumed from an earlier, interrupted run, and the bytes of the parts they kept (not
   * sent again). `copied`/`updated` count these uploads at their full size.
   */
  readonly resumed: ActionTally;
  /**
   * Target entries kept under the backup location (`SyncOptions.backup`) before they were
   * overwritten or deleted.
   */
  readonly backedUp: ActionTally;
  /** Skips by reason, e.g. `{ 'target-not-older': 12, excluded: 3 }`. */
  readonly skippedByReason: Readonly<Record<string, number>>;
  /** Number of transfers and deletes that failed. */
  readonly failedCount: number;
  /** The failures (the first 1000; `failedCount` has the total). */
  readonly failures: readonly FailureRecord[];
  /** Warnings emitted while listing. */
  readonly warningCount: number;
  /** Set when the delete phase was skipped or refused. */
  readonly deletesSkipped: DeletesSkipped | undefined;
  /** True when the run was cancelled through its signal. */
  readonly aborted: boolean;
  /** S3 requests sent during the run (listing, HEADs, transfers, deletes). */
  readonly requests: number;
  /** Copies by method (`put`, `multipart`, `get`, `server-copy`…). */
  readonly byMethod: Readonly<Record<string, number>>;
  /** S3 → S3 efficiency figures; undefined for other directions. */
  readonly copyStats: CopyStats | undefined;
  /** When the run began. */
  readonly startedAt: Date;
  /** How long the run took, in milliseconds. */
  readonly durationMs: number;
}

/**
 * The events a syncer emits, as an eventemitter3 event map.
 * @public
 */
export interface SyncerEvents {
  /** The planner decided an action (emitted for every action, skips included). */
  planned: (event: { readonly action: Action; readonly totals: ProgressTotals }) => void;
  /** Planning finished; `totals.planComplete` is true from now on. */
  planComplete: (event: { readonly totals: ProgressTotals; readonly deletesPlanned: number }) => void;
  /** A listing passed over something (see {@link SyncWarning}). */
  warning: (event: SyncWarning) => void;
  /** A transfer began. */
  transferStart: (event: { readonly action: TransferAction; readonly method: TransferMethod }) => void;
  /** Bytes moved. `loaded` counts this transfer's bytes so far, `bytes` the increment. */
  progress: (event: {
    readonly key: string;
    readonly bytes: number;
    readonly loaded: number;
    readonly total: number;
    readonly totals: ProgressTotals;
  }) => void;
  /** A transfer succeeded. */
  transferEnd: (event: {
    readonly action: TransferAction;
    readonly method: TransferMethod;
    /** Why this method was chosen, where there was a choice (S3 → S3 copies), or that it resumed. */
    readonly why: string | undefined;
    readonly durationMs: number;
    readonly totals: ProgressTotals;
    /** Bytes this run sent: the size, less the parts a resumed upload kept from an earlier run. */
    readonly bytesSent: number;
    /** Set when an interrupted upload was resumed: the bytes of the parts kept, not sent again. */
    readonly bytesResumed?: number;
  }) => void;
  /** A key was left alone, with the reason. */
  skipped: (event: { readonly action: Extract<Action, { type: 'skip' }> }) => void;
  /** A transfer or delete failed; the run goes on. */
  failed: (event: { readonly key: string; readonly action: Action | undefined; readonly error: S3kitError }) => void;
  /** A target key was deleted. */
  deleted: (event: { readonly key: string; readonly target: Entry }) => void;
  /** The delete phase was skipped or refused. */
  deletesSkipped: (event: DeletesSkipped) => void;
  /** The run ended (also after an abort); the summary is final. */
  done: (event: { readonly summary: SyncSummary }) => void;
}
