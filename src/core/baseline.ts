/*
 * The vocabulary of two-way sync's baseline: what both sides held after the last successful run.
 * The planner (plan/bisync-plan.ts) reads it as a third sorted stream; the baseline file
 * (state/baseline-file.ts) stores it.
 */

/** What the baseline remembers of one side's entry. */
export interface SideState {
  readonly size: number;
  readonly mtimeMs: number;
  /** The ETag (S3) or content MD5, when known. */
  readonly etag?: string;
}

/** One key of the baseline: what both sides held after the last successful run. */
export interface BaselineRecord {
  readonly key: string;
  readonly path1: SideState;
  readonly path2: SideState;
}
