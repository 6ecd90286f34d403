import { stat } from 'node:fs/promises';
import { format } from 'date-fns/format';
import { startOfYesterday } from 'date-fns/startOfYesterday';
import PQueue from 'p-queue';
import type { LoadedConfig } from '../config/load-config.js';
import type { JobConfig } from '../config/config-schema.js';
import { ConfigError } from '../core/errors.js';
import { parseLocation } from '../core/location.js';
import { escapeText } from '../core/escape.js';
import { createRedactor } from '../core/redact.js';
import type { StateStore } from '../state/state-store.js';
import { updateState } from '../state/state-store.js';
import { StrategyResolver } from '../strategies/strategy-resolver.js';
import { createSyncer, type Syncer } from '../syncer/create-syncer.js';
import { jobFilterOptions } from '../config/job-filters.js';
import type { SyncOptions } from '../syncer/options.js';
import type { S3ConnectionOptions } from '../index.js';
import { jobConnection } from './job-connection.js';
import { runBisyncJob } from './bisync-job.js';
import type { Bisyncer } from '../syncer/create-bisyncer.js';
import type { JobLog, LogLevel } from './job-log.js';
import { endedRecord, LAST_RUN_KEY, recordFromSummary, recordJobRun, type JobRunRecord, type RunRecord } from './run-history.js';

/**
 * Options of {@link runJobs}.
 * @public
 */
export interface RunJobsOptions {
  /** The config whose jobs run. */
  readonly config: LoadedConfig;
  /**
   * Names of the jobs to run (disabled ones included when named).
   * @defaultValue every enabled job
   */
  readonly jobs?: readonly string[];
  /**
   * The date the run is for.
   * @defaultValue yesterday (local time)
   */
  readonly date?: Date;
  /**
   * Jobs run at once.
   * @defaultValue `1`
   */
  readonly parallel?: number;
  /**
   * Plan and record, transfer nothing.
   * @defaultValue `false`
   */
  readonly dryRun?: boolean;
  /** Where run history goes. */
  readonly state: StateStore;
  /** Where log lines go. */
  readonly log?: JobLog;
  /** The strategies jobs may use. @defaultValue the built-ins */
  readonly strategies?: StrategyResolver;
  /** Connection settings applied under every job's own (credentials, a client for tests). */
  readonly connection?: S3ConnectionOptions;
  /** Called with each job's syncer before it runs, to attach reporters. */
  readonly onSyncer?: (job: string, syncer: Syncer) => void;
  /** Called with each `mode: bisync` job's bisyncer before it runs. */
  readonly onBisyncer?: (job: string, bisyncer: Bisyncer) => void;
  /**
   * `mode: bisync` jobs rebuild their baselines by merging both sides (needed on their first
   * run and after a change of their filters); one-way jobs ignore it.
   * @defaultValue `false`
   */
  readonly resync?: boolean;
  /** Called when a job ends. */
  readonly onJobEnd?: (record: JobRunRecord) => void;
  /** Cancels the run: the jobs in progress are aborted. */
  readonly signal?: AbortSignal;
}

/**
 * Runs the jobs of a config, in order or `parallel` at a time. A failing job does not stop the
 * others. Each job's outcome is recorded in the state store (last run, last success,
 * consecutive failures, totals) and the log; the run itself under `runs/last`. A job whose local
 * source directory does not exist fails; only a dated subfolder not created yet is skipped.
 * Credentials ({@link LoadedConfig.secrets}, URL passwords) are masked in every record, log line
 * and `onJobEnd` call.
 * @public
 */
export async function runJobs(options: RunJobsOptions): Promise<RunRecord> {
  const { config } = options;
  const strategies = options.strategies ?? new StrategyResolver();
  const date = options.date ?? startOfYesterday();
  const targetDate = format(date, 'yyyy-MM-dd');
  const jobs = selectJobs(config, options.jobs);
  const started = new Date();
  // Everything bound for the log, the state store and the caller passes through one redactor.
  const redact = createRedactor(config.secrets ?? []);
  const log = (level: LogLevel, job: string | undefined, message: string) => options.log?.write(level, job, redact(message));
  await options.log?.applyRetention(config.logRetentionMonths);
  await log('INFO', undefined, `run started for ${targetDate}: ${jobs.map((job) => job.name).join(', ')}${options.dryRun === true ? ' (dry run)' : ''}`);

  const records: JobRunRecord[] = [];
  const queue = new PQueue({ concurrency: options.parallel ?? 1 });
  await Promise.all(
    jobs.map((job) =>
      queue.add(async () => {
        const raw = await runJob(job, { ...options, strategies, date, targetDate });
        const record: JobRunRecord = { ...raw, message: redact(raw.message), source: redact(raw.source), target: redact(raw.target) };
        records.push(record);
        if (options.dryRun !== true) await recordJobRun(options.state, record);
        await log(record.status === 'failure' ? 'ERROR' : 'INFO', job.name, `${record.status}: ${record.message}`);
        options.onJobEnd?.(record);
      }),
    ),
  );

  const ended = new Date();
  const run: RunRecord = {
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    durationMs: ended.getTime() - started.getTime(),
    targetDate,
    success: records.every((record) => record.status !== 'failure'),
    jobs: jobs.map((job) => {
      const record = records.find((r) => r.job === job.name)!;
      return { job: job.name, status: record.status, message: record.message };
    }),
  };
  if (options.dryRun !== true) await updateState(options.state, LAST_RUN_KEY, () => run);
  await log(run.success ? 'INFO' : 'ERROR', undefined, `run ended: ${records.filter((r) => r.status === 'success').length} succeeded, ${records.filter((r) => r.status === 'failure').length} failed, ${records.filter((r) => r.status === 'skipped').length} skipped`);
  return run;
}

function selectJobs(config: LoadedConfig, names: readonly string[] | undefined): JobConfig[] {
  if (names === undefined || names.length === 0) return config.jobs.filter((job) => job.enabled);
  const known = new Map(config.jobs.map((job) => [job.name, job]));
  return names.map((name) => {
    const job = known.get(name);
    if (job === undefined) throw new ConfigError('jobs', `no job named "${name}" in ${config.path}; the jobs are: ${[...known.keys()].join(', ')}.`);
    return job;
  });
}

async function runJob(
  job: JobConfig,
  context: RunJobsOptions & { readonly strategies: StrategyResolver; readonly date: Date; readonly targetDate: string },
): Promise<JobRunRecord> {
  const startedAt = new Date().toISOString();
  let paths = { source: job.source, target: job.target };
  const base = () => ({ job: job.name, targetDate: context.targetDate, startedAt, ...paths });
  const empty = { copied: 0, updated: 0, deleted: 0, skipped: 0, failed: 0 };
  const finish = (status: JobRunRecord['status'], message: string): JobRunRecord => endedRecord(base(), status, message, empty, 0);
  try {
    const resolved = context.strategies.resolve(job.strategy as { type: string } & Record<string, unknown>, {
      name: job.name,
      source: job.source,
      target: job.target,
      date: context.date,
    });
    paths = { source: resolved.source, target: resolved.target };
    if (job.mode === 'bisync') return await runBisyncJob(job, context, base());
    const source = parseLocation(resolved.source, 'source');
    if (source.kind === 'local') {
      const missing = await missingSource(parseLocation(job.source, 'source'), source.path, context.targetDate);
      if (missing !== undefined) return finish(missing.status, missing.message);
    }
    const syncer = createSyncer(syncOptionsFor(job, context, resolved));
    context.onSyncer?.(job.name, syncer);
    const summary = await syncer.run({ signal: context.signal });
    const counts = `${summary.copied.count} copied, ${summary.updated.count} updated, ${summary.deleted.count} deleted, ${summary.skipped.count} unchanged, ${summary.failedCount} failed`;
    if (summary.failedCount > 0) return recordFromSummary(base(), summary, 'failure', `${counts}; first failure: ${escapeText(summary.failures[0]?.key ?? '')}: ${escapeText(summary.failures[0]?.message ?? '')}`);
    if (summary.deletesSkipped !== undefined) return recordFromSummary(base(), summary, 'failure', `${counts}; ${summary.deletesSkipped.message}`);
    return recordFromSummary(base(), summary, 'success', counts);
  } catch (error) {
    return finish('failure', error instanceof Error ? error.message : String(error));
  }
}

function syncOptionsFor(
  job: JobConfig,
  context: RunJobsOptions & { readonly date: Date },
  resolved: { source: string; target: string; modifiedAfter?: Date; modifiedBefore?: Date },
): SyncOptions {
  const { defaults } = context.config;
  return {
    ...jobConnection(job, context.config, context.connection),
    source: resolved.source,
    target: resolved.target,
    ...jobFilterOptions(job, defaults),
    compare: job.compare,
    delete: job.delete,
    deleteExcluded: job.deleteExcluded,
    maxDelete: job.maxDelete as SyncOptions['maxDelete'],
    upload: job.upload as SyncOptions['upload'],
    storageClassRules: job.storageClassRules,
    concurrency: job.concurrency ?? defaults.concurrency,
    backup: job.backup,
    backupSuffix: job.backupSuffix,
    bandwidthLimit: job.bandwidthLimit ?? defaults.bandwidthLimit,
    modifiedAfter: resolved.modifiedAfter,
    modifiedBefore: resolved.modifiedBefore,
    dryRun: context.dryRun,
    state: context.state,
  };
}

/**
 * A missing source is a failure: an unmounted drive or a typo must not report success forever.
 * Only a dated subfolder the strategy added (DateFolder, a CustomPattern `sourcePattern`) that
 * does not exist yet, under a configured source that does, is a skip: that day has no data.
 */
async function missingSource(
  configured: ReturnType<typeof parseLocation>,
  resolved: string,
  targetDate: string,
): Promise<{ status: 'failure' | 'skipped'; message: string } | undefined> {
  const base = configured.kind === 'local' ? configured.path : resolved;
  const baseKind = await kindOf(base);
  if (baseKind === 'missing') {
    return { status: 'failure', message: `the source directory ${base} does not exist: nothing was synced. Check the job's source, or mount the drive it lives on.` };
  }
  if (baseKind === 'other') return { status: 'failure', message: `the source ${base} is not a directory: nothing was synced. Point the job's source at a directory.` };
  if (resolved === base) return undefined;
  const kind = await kindOf(resolved);
  if (kind === 'missing') return { status: 'skipped', message: `nothing to sync for ${targetDate}: ${resolved} does not exist yet` };
  if (kind === 'other') return { status: 'failure', message: `the source ${resolved} is not a directory: nothing was synced.` };
  return undefined;
}

async function kindOf(path: string): Promise<'directory' | 'missing' | 'other'> {
  try {
    return (await stat(path)).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    // Unreadable (EACCES, EIO) is not "missing": the sync reports it as the failure it is.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'missing' : 'directory';
  }
}
