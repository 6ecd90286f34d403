/**
 * What a restore did (or, in a dry run, would do) to one key.
 * - `restore`: the key's version at the time was written back — downloaded to the local
 *   directory, or copied over the key in the bucket as its new current version.
 * - `delete`: the key did not exist at the time: its local file was removed, or (in the
 *   bucket) a delete marker was put on it.
 * - `unchanged`: the key already held its state at the time.
 * - `failed`: restoring or deleting the key failed; the run went on.
 * @public
 */
export type RestoreEvent =
  | { readonly type: 'restore'; readonly key: string; readonly versionId: string; readonly size: number; readonly lastModified: Date; readonly dryRun: boolean }
  | { readonly type: 'delete'; readonly key: string; readonly dryRun: boolean }
  | { readonly type: 'unchanged'; readonly key: string; readonly versionId: string | undefined }
  | { readonly type: 'failed'; readonly key: string; readonly operation: string; readonly message: string; readonly code: string | undefined };

/**
 * One key a restore could not restore or delete.
 * @public
 */
export interface RestoreFailure {
  /** The key, relative to the location's prefix. */
  readonly key: string;
  /** `get`, `copy` or `delete`. */
  readonly operation: string;
  /** What went wrong, as a sentence. */
  readonly message: string;
  /** The server's or the system's error code, when there is one. */
  readonly code: string | undefined;
}

/**
 * What a restore did, or in a dry run would do.
 * @public
 */
export interface RestoreSummary {
  /** The point in time restored. */
  readonly at: Date;
  /** True when nothing was changed. */
  readonly dryRun: boolean;
  /** Keys restored to their version at the time (downloaded, or copied in the bucket). */
  readonly restored: number;
  /** Bytes of those versions. */
  readonly restoredBytes: number;
  /** Keys that already held their state at the time. */
  readonly unchanged: number;
  /** Keys that did not exist at the time and were deleted (local files; delete markers in the bucket). */
  readonly deleted: number;
  /** Keys that failed (see `failures`). */
  readonly failed: number;
  /** The failures, the first 1000 of them. */
  readonly failures: readonly RestoreFailure[];
  /**
   * True when local deletes were asked for but not done, because a key failed: a local file is
   * removed only after every download succeeded.
   */
  readonly deletesSkipped: boolean;
  /** How long the restore took. */
  readonly durationMs: number;
}

/** Failures kept in a summary: enough to act on, bounded whatever the run's size. */
const MAX_FAILURES = 1000;

/** Counts a restore as it goes and builds its summary. */
export class RestoreTally {
  restored = 0;
  restoredBytes = 0;
  unchanged = 0;
  deleted = 0;
  failed = 0;
  deletesSkipped = false;
  readonly failures: RestoreFailure[] = [];
  readonly #started = Date.now();

  constructor(
    readonly at: Date,
    readonly dryRun: boolean,
    readonly onEvent: ((event: RestoreEvent) => void) | undefined,
  ) {}

  fail(failure: RestoreFailure): void {
    this.failed++;
    if (this.failures.length < MAX_FAILURES) this.failures.push(failure);
    this.onEvent?.({ type: 'failed', ...failure });
  }

  summary(): RestoreSummary {
    return {
      at: this.at,
      dryRun: this.dryRun,
      restored: this.restored,
      restoredBytes: this.restoredBytes,
      unchanged: this.unchanged,
      deleted: this.deleted,
      failed: this.failed,
      failures: [...this.failures],
      deletesSkipped: this.deletesSkipped,
      durationMs: Date.now() - this.#started,
    };
  }
}
