/**
 * s3kit/jobs: scheduled sync jobs from a YAML config — loading and validating the config,
 * strategies that turn a date into concrete locations, running the jobs, their logs and run
 * history, and the doctor that checks a config's setup.
 *
 * The sync API itself (`createSyncer`, locations, errors, state stores) is the root `s3kit`.
 *
 * @packageDocumentation
 */
export { runJobs } from './run-jobs.js';
export type { RunJobsOptions } from './run-jobs.js';
export { JobLog } from './job-log.js';
export type { LogLevel } from './job-log.js';
export { readJobHistory, readJobRuns, RUNS_KEPT } from './run-history.js';
export { reportHistory, historyCsv } from './history-report.js';
export type { HistoryReport, JobHistorySummary } from './history-report.js';
export type { JobHistory, JobRunRecord, JobState, JobStatus, RunRecord } from './run-history.js';
export { runDoctor } from './doctor.js';
export type { DoctorCheck } from './doctor.js';

export { loadConfig, parseConfig } from '../config/load-config.js';
export type { LoadConfigOptions, LoadedConfig } from '../config/load-config.js';
export type { JobBisyncSettings, JobConfig, JobConnection, JobFilters, JobStorageClassRule, JobStrategy, JobUploadSettings, ParsedConfig } from '../config/config-schema.js';
export { configJsonSchema } from '../config/json-schema.js';

export { StrategyResolver } from '../strategies/strategy-resolver.js';
export type { StrategyDefinition, StrategyInput, ResolvedPaths } from '../strategies/strategy-resolver.js';
export { parseDay } from '../core/day.js';

export { createRedactor, isSecretName, secretValuesOf } from '../core/redact.js';

// The root's types that this entry point's signatures name, re-exported (the same types, not
// copies) so that its API is complete on its own.
export type {
  Action,
  ActionReason,
  ActionTally,
  COMPARE_MODES,
  CompareMode,
  CopyStats,
  DeletesSkipped,
  DeletesSkippedReason,
  Entry,
  FailureRecord,
  LocalLocation,
  Location,
  ManifestLocation,
  PlanOptions,
  ProgressTotals,
  RunOptions,
  S3ConnectionOptions,
  S3Location,
  S3kitError,
  StateStore,
  StorageChoice,
  SyncSummary,
  SyncWarning,
  Syncer,
  SyncerEvents,
  TransferAction,
  TransferMethod,
  VerdictReason,
} from '../index.js';
