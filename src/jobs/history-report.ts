import type { StateStore } from '../state/state-store.js';
import { readJobRuns, type JobRunRecord } from './run-history.js';

/**
 * One job's runs over the period of a history report.
 * @public
 */
export interface JobHistorySummary {
  readonly job: string;
  /** Runs recorded in the period. */
  readonly runs: number;
  readonly successes: number;
  readonly failures: number;
  readonly skipped: number;
  /** Successes over the runs that did not skip (0–1); undefined when every run skipped or none ran. */
  readonly successRate: number | undefined;
  /** Milliseconds, summed over the runs. */
  readonly totalDurationMs: number;
  /** Milliseconds; undefined when no run was recorded. */
  readonly meanDurationMs: number | undefined;
  readonly longestDurationMs: number | undefined;
  /** Files copied or updated. */
  readonly files: number;
  /** Bytes copied or updated. */
  readonly bytes: number;
  /** The most recent run in the period. */
  readonly lastRun: JobRunRecord | undefined;
}

/**
 * What `s3kit report history` shows: each job's runs over a period, and the runs themselves.
 * @public
 */
export interface HistoryReport {
  /** The start of the period (ISO 8601), or undefined for every run kept. */
  readonly since: string | undefined;
  /** One summary per job asked for, in the order asked. */
  readonly jobs: readonly JobHistorySummary[];
  /** Every run of those jobs in the period, oldest first. */
  readonly runs: readonly JobRunRecord[];
}

/**
 * Summarises the recorded runs of `jobs` (the last 366 of each are kept) since a date.
 * @param store - The config's state store (`jsonFileStore(config.stateFile)`).
 * @public
 */
export async function reportHistory(store: StateStore, jobs: readonly string[], options: { readonly since?: Date } = {}): Promise<HistoryReport> {
  const summaries: JobHistorySummary[] = [];
  const runs: JobRunRecord[] = [];
  for (const job of jobs) {
    const mine = await readJobRuns(store, job, options);
    runs.push(...mine);
    summaries.push(summarise(job, mine));
  }
  runs.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  return { since: options.since?.toISOString(), jobs: summaries, runs };
}

function summarise(job: string, runs: readonly JobRunRecord[]): JobHistorySummary {
  const count = (status: JobRunRecord['status']): number => runs.filter((run) => run.status === status).length;
  const [successes, failures, skipped] = [count('success'), count('failure'), count('skipped')];
  const durations = runs.map((run) => run.durationMs);
  const totalDurationMs = durations.reduce((sum, ms) => sum + ms, 0);
  return {
    job,
    runs: runs.length,
    successes,
    failures,
    skipped,
    successRate: successes + failures === 0 ? undefined : successes / (successes + failures),
    totalDurationMs,
    meanDurationMs: runs.length === 0 ? undefined : totalDurationMs / runs.length,
    longestDurationMs: runs.length === 0 ? undefined : Math.max(...durations),
    files: runs.reduce((sum, run) => sum + run.counts.copied + run.counts.updated, 0),
    bytes: runs.reduce((sum, run) => sum + run.bytes, 0),
    lastRun: runs.at(-1),
  };
}

/** The runs as CSV: one row per run, RFC 4180 quoting. */
export function historyCsv(report: HistoryReport): string {
  const header = 'job,started_at,ended_at,status,duration_ms,copied,updated,deleted,skipped,failed,bytes,message';
  const quote = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const rows = report.runs.map((run) =>
    [run.job, run.startedAt, run.endedAt, run.status, run.durationMs, run.counts.copied, run.counts.updated, run.counts.deleted, run.counts.skipped, run.counts.failed, run.bytes, run.message]
      .map((value) => quote(String(value)))
      .join(','),
  );
  return `${[header, ...rows].join('\n')}\n`;
}
