import { dirname, join } from 'node:path';
import type { JobConfig } from '../config/config-schema.js';
import { jobFilterOptions } from '../config/job-filters.js';
import type { BisyncSummary } from '../core/bisync.js';
import { escapeText } from '../core/escape.js';
import type { BisyncOptions } from '../syncer/bisync-options.js';
import { createBisyncer } from '../syncer/create-bisyncer.js';
import { jobConnection } from './job-connection.js';
import { endedRecord, type JobRunRecord } from './run-history.js';
import type { RunJobsOptions } from './run-jobs.js';

/**
 * Where `mode: bisync` jobs keep their baselines: `bisync/` beside the state file, so that one
 * config's jobs and their history live together (and a second config keeps its own).
 */
export function bisyncStateDirectory(stateFile: string): string {
  return join(dirname(stateFile), 'bisync');
}

/** The two-way sync options of a `mode: bisync` job: source is path1, target path2. */
export function bisyncOptionsFor(job: JobConfig, context: RunJobsOptions): BisyncOptions {
  const { defaults } = context.config;
  const { rules, ignorePatterns } = jobFilterOptions(job, defaults);
  const settings = job.bisync ?? {};
  return {
    ...jobConnection(job, context.config, context.connection),
    path1: job.source,
    path2: job.target,
    stateDirectory: bisyncStateDirectory(context.config.stateFile),
    rules,
    ...(ignorePatterns === undefined ? {} : { ignorePatterns }),
    ...(job.maxDelete === undefined ? {} : { maxDelete: job.maxDelete as BisyncOptions['maxDelete'] }),
    ...(job.upload === undefined ? {} : { upload: job.upload as BisyncOptions['upload'] }),
    ...dropUndefined({
      concurrency: job.concurrency ?? defaults.concurrency,
      bandwidthLimit: job.bandwidthLimit ?? defaults.bandwidthLimit,
      conflict: settings.conflict,
      accessCheck: settings.accessCheck,
      s3Lock: settings.s3Lock,
      s3LockLeaseSeconds: settings.s3LockLeaseSeconds,
      resync: context.resync,
      dryRun: context.dryRun,
    }),
  };
}

/** Runs one `mode: bisync` job; refusals (no baseline yet, a held lock) are failures of the job. */
export async function runBisyncJob(
  job: JobConfig,
  context: RunJobsOptions,
  base: Pick<JobRunRecord, 'job' | 'targetDate' | 'startedAt' | 'source' | 'target'>,
): Promise<JobRunRecord> {
  const bisyncer = createBisyncer(bisyncOptionsFor(job, context));
  context.onBisyncer?.(job.name, bisyncer);
  const summary = await bisyncer.run({ signal: context.signal });
  return recordOfBisync(base, summary);
}

function recordOfBisync(base: Pick<JobRunRecord, 'job' | 'targetDate' | 'startedAt' | 'source' | 'target'>, summary: BisyncSummary): JobRunRecord {
  const line = `${summary.copiedToPath2.count} copied to target, ${summary.copiedToPath1.count} to source, ${summary.deletedInPath2.count + summary.deletedInPath1.count} deleted, ${summary.unchanged} unchanged, ${summary.conflictCount} conflict(s), ${summary.failedCount} failed`;
  const first = summary.failures[0];
  const [status, message] =
    first !== undefined
      ? (['failure', `${line}; first failure: ${escapeText(first.key)}: ${escapeText(first.message)}`] as const)
      : summary.deletesSkipped.length > 0
        ? (['failure', `${line}; ${summary.deletesSkipped.map((skipped) => skipped.message).join(' ')}`] as const)
        : (['success', line] as const);
  const counts = {
    copied: summary.copiedToPath1.count + summary.copiedToPath2.count,
    updated: 0,
    deleted: summary.deletedInPath1.count + summary.deletedInPath2.count,
    skipped: summary.unchanged,
    failed: summary.failedCount,
  };
  return endedRecord(base, status, message, counts, summary.copiedToPath1.bytes + summary.copiedToPath2.bytes);
}

function dropUndefined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}
