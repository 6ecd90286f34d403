import type { SyncSummary } from '../core/events.js';
import { updateState, type StateStore } from '../state/state-store.js';

/**
 * Outcome of one job in one run.
 * @public
 */
export type JobStatus = 'success' | 'failure' | 'skipped';

/**
 * What one job did in one run.
 * @public
 */
export interface JobRunRecord {
  /** The job's name. */
  readonly job: string;
  /** How it ended. */
  readonly status: JobStatus;
  /** A sentence: counts, or what went wrong. */
  readonly message: string;
  /** The date the run was for, YYYY-MM-DD. */
  readonly targetDate: string;
  /** ISO 8601. */
  readonly startedAt: string;
  /** ISO 8601. */
  readonly endedAt: string;
  /** Milliseconds. */
  readonly durationMs: number;
  /** The concrete source and target after the strategy. */
  readonly source: string;
  /** The concrete target. */
  readonly target: string;
  /** Keys by outcome. */
  readonly counts: { readonly copied: number; readonly updated: number; readonly deleted: number; readonly skipped: number; readonly failed: number };
  /** Bytes copied and updated. */
  readonly bytes: number;
}

/**
 * Everything kept about a job across runs.
 * @public
 */
export interface JobState {
  /** The most recent run, whatever its outcome. */
  readonly lastRun: JobRunRecord;
  /** The last run that succeeded, if any did. */
  readonly lastSuccess: JobRunRecord | undefined;
  /** Failures since the last success. */
  readonly consecutiveFailures: number;
  /** Sums over every recorded run. */
  readonly totals: {
    readonly runs: number;
    readonly successes: number;
    readonly failures: number;
    readonly skipped: number;
    readonly filesTransferred: number;
    readonly bytesTransferred: number;
  };
}

/**
 * One `s3kit run`.
 * @public
 */
export interface RunRecord {
  /** ISO 8601. */
  readonly startedAt: string;
  /** ISO 8601. */
  readonly endedAt: string;
  /** Milliseconds. */
  readonly durationMs: number;
  /** The date the run was for, YYYY-MM-DD. */
  readonly targetDate: string;
  /** True when no job failed. */
  readonly success: boolean;
  /** Each job's outcome, in config order. */
  readonly jobs: readonly { readonly job: string; readonly status: JobStatus; readonly message: string }[];
}

/**
 * The state key of a job's {@link JobState}.
 * @public
 */
export const jobStateKey = (job: string): string => `jobs/${job}`;
/**
 * The state key of the last {@link RunRecord}.
 * @public
 */
export const LAST_RUN_KEY = 'runs/last';

/** Builds a job's record from a sync summary. */
export function recordFromSummary(
  base: Pick<JobRunRecord, 'job' | 'targetDate' | 'startedAt' | 'source' | 'target'>,
  summary: SyncSummary,
  status: JobStatus,
  message: string,
): JobRunRecord {
  const counts = { copied: summary.copied.count, updated: summary.updated.count, deleted: summary.deleted.count, skipped: summary.skipped.count, failed: summary.failedCount };
  return endedRecord(base, status, message, counts, summary.copied.bytes + summary.updated.bytes);
}

/** A job's record as it ends now, from its start in `base`. */
export function endedRecord(
  base: Pick<JobRunRecord, 'job' | 'targetDate' | 'startedAt' | 'source' | 'target'>,
  status: JobStatus,
  message: string,
  counts: JobRunRecord['counts'],
  bytes: number,
): JobRunRecord {
  const endedAt = new Date();
  return { ...base, status, message, endedAt: endedAt.toISOString(), durationMs: endedAt.getTime() - Date.parse(base.startedAt), counts, bytes };
}

/**
 * Job runs kept per job for `report history`: a year of nightly runs. Bounded, so the state file
 * (rewritten whole on each update) stays small; totals keep counting past it.
 */
export const RUNS_KEPT = 366;

/** Where a job's recent runs are kept, oldest first. */
const jobRunsKey = (job: string): string => `jobs/${job}/runs`;

/**
 * Adds a job's run to its state, as read-modify-writes (safe across processes with the JSON file
 * store): the job's summary and its list of recent runs.
 */
export async function recordJobRun(store: StateStore, record: JobRunRecord): Promise<JobState> {
  await updateState<readonly JobRunRecord[]>(store, jobRunsKey(record.job), (previous) => [...(previous ?? []), record].slice(-RUNS_KEPT));
  return updateState<JobState>(store, jobStateKey(record.job), (previous) => {
    const totals = previous?.totals ?? { runs: 0, successes: 0, failures: 0, skipped: 0, filesTransferred: 0, bytesTransferred: 0 };
    return {
      lastRun: record,
      lastSuccess: record.status === 'success' ? record : previous?.lastSuccess,
      consecutiveFailures: record.status === 'failure' ? (previous?.consecutiveFailures ?? 0) + 1 : record.status === 'success' ? 0 : (previous?.consecutiveFailures ?? 0),
      totals: {
        runs: totals.runs + 1,
        successes: totals.successes + (record.status === 'success' ? 1 : 0),
        failures: totals.failures + (record.status === 'failure' ? 1 : 0),
        skipped: totals.skipped + (record.status === 'skipped' ? 1 : 0),
        filesTransferred: totals.filesTransferred + record.counts.copied + record.counts.updated,
        bytesTransferred: totals.bytesTransferred + record.bytes,
      },
    };
  });
}

/**
 * What the state store remembers of a config's jobs: the last `s3kit run`, and each job's
 * {@link JobState} (undefined for a job that never ran).
 * @public
 */
export interface JobHistory {
  /** The most recent run of any jobs of this config, if one was recorded. */
  readonly lastRun: RunRecord | undefined;
  /** Each named job's state, in the order asked for. */
  readonly jobs: ReadonlyMap<string, JobState | undefined>;
}

/**
 * Reads the run history that {@link runJobs} records: what `s3kit status` prints. The layout of
 * the state (its keys) stays private to this module.
 * @param store - The config's state store (`jsonFileStore(config.stateFile)`).
 * @param jobs - The names of the jobs to read.
 * @public
 */
export async function readJobHistory(store: StateStore, jobs: readonly string[]): Promise<JobHistory> {
  const states = new Map<string, JobState | undefined>();
  for (const job of jobs) states.set(job, await store.get<JobState>(jobStateKey(job)));
  return { lastRun: await store.get<RunRecord>(LAST_RUN_KEY), jobs: states };
}

/**
 * The recent runs of a job that {@link runJobs} recorded (at most the last 366), oldest first;
 * those that started at or after `since` when it is given.
 * @public
 */
export async function readJobRuns(store: StateStore, job: string, options: { readonly since?: Date } = {}): Promise<readonly JobRunRecord[]> {
  const runs = (await store.get<readonly JobRunRecord[]>(jobRunsKey(job))) ?? [];
  const since = options.since?.getTime();
  return since === undefined ? runs : runs.filter((run) => Date.parse(run.startedAt) >= since);
}
