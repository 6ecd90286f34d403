import type { Action } from '../core/action.js';
import type { Entry } from '../core/entry.js';
import type { S3kitError, TransferError } from '../core/errors.js';
import type { DeletesSkipped, FailureRecord, ProgressTotals, SyncSummary } from '../core/events.js';

const FAILURES_KEPT = 1000;

interface Tally {
  count: number;
  bytes: number;
}

/** Accumulates the counts of one run; the facade owns one per run. */
export class SummaryBuilder {
  readonly #source: string;
  readonly #target: string;
  readonly #dryRun: boolean;
  readonly #startedAt = new Date();
  readonly #started = performance.now();
  readonly copied: Tally = { count: 0, bytes: 0 };
  readonly updated: Tally = { count: 0, bytes: 0 };
  readonly deleted: Tally = { count: 0, bytes: 0 };
  readonly skipped: Tally = { count: 0, bytes: 0 };
  readonly keptInTarget: Tally = { count: 0, bytes: 0 };
  readonly resumed: Tally = { count: 0, bytes: 0 };
  readonly backedUpTally: Tally = { count: 0, bytes: 0 };
  readonly skippedByReason: Record<string, number> = {};
  readonly failures: FailureRecord[] = [];
  failedCount = 0;
  warningCount = 0;
  deletesSkipped: DeletesSkipped | undefined;
  aborted = false;
  requests = 0;
  readonly byMethod: Record<string, number> = {};
  /** Set for S3 → S3 runs. */
  copyStats: { serverSideBytes: number; streamedBytes: number; requestsAvoided: number } | undefined;
  /** Copies and updates planned, and their bytes. */
  filesPlanned = 0;
  bytesPlanned = 0;
  planComplete = false;
  filesDone = 0;
  bytesDone = 0;

  constructor(source: string, target: string, dryRun: boolean) {
    this.#source = source;
    this.#target = target;
    this.#dryRun = dryRun;
  }

  planned(action: Action): void {
    if (action.type === 'copy' || action.type === 'update') {
      this.filesPlanned++;
      this.bytesPlanned += action.source.size;
    } else if (action.type === 'skip') {
      add(this.skipped, action.source?.size ?? action.target?.size ?? 0);
      if (action.source === undefined && action.target !== undefined) add(this.keptInTarget, action.target.size);
      this.skippedByReason[action.reason] = (this.skippedByReason[action.reason] ?? 0) + 1;
    }
  }

  transferred(action: Action & { type: 'copy' | 'update' }): void {
    add(action.type === 'copy' ? this.copied : this.updated, action.source.size);
  }

  /** A target entry was kept under the backup location before it changed. */
  backedUp(entry: Entry): void {
    add(this.backedUpTally, entry.size);
  }

  failed(key: string, error: S3kitError): void {
    this.failedCount++;
    if (this.failures.length < FAILURES_KEPT) {
      const transferError = error as Partial<TransferError>;
      this.failures.push({
        key,
        operation: transferError.operation ?? 'sync',
        code: transferError.code,
        message: error.message,
      });
    }
  }

  totals(): ProgressTotals {
    return {
      filesPlanned: this.filesPlanned,
      bytesPlanned: this.bytesPlanned,
      planComplete: this.planComplete,
      filesDone: this.filesDone,
      bytesDone: this.bytesDone,
    };
  }

  build(): SyncSummary {
    return {
      source: this.#source,
      target: this.#target,
      dryRun: this.#dryRun,
      copied: { ...this.copied },
      updated: { ...this.updated },
      deleted: { ...this.deleted },
      skipped: { ...this.skipped },
      keptInTarget: { ...this.keptInTarget },
      resumed: { ...this.resumed },
      backedUp: { ...this.backedUpTally },
      skippedByReason: { ...this.skippedByReason },
      failedCount: this.failedCount,
      failures: [...this.failures],
      warningCount: this.warningCount,
      deletesSkipped: this.deletesSkipped,
      aborted: this.aborted,
      requests: this.requests,
      byMethod: { ...this.byMethod },
      copyStats: this.copyStats === undefined ? undefined : { ...this.copyStats },
      startedAt: this.#startedAt,
      durationMs: Math.round(performance.now() - this.#started),
    };
  }
}

function add(tally: Tally, bytes: number): void {
  tally.count++;
  tally.bytes += bytes;
}
