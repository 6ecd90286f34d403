/**
 * s3kit: keep local directories and S3 buckets in sync.
 *
 * @packageDocumentation
 */
export { compareKeys } from './core/key-order.js';
export { escapeText } from './core/escape.js';
export { createRedactor } from './core/redact.js';
export {
  S3kitError,
  ConfigError,
  ListingError,
  ListingOrderError,
  TransferError,
  PlanMismatchError,
  BisyncRefusedError,
  type BisyncRefusal,
  isS3kitError,
} from './core/errors.js';
export type { Entry, EntryMetadata } from './core/entry.js';
export type { Action, ActionType, ActionReason, StorageChoice, Verdict, VerdictReason } from './core/action.js';
export type { Location, LocalLocation, S3Location, ManifestLocation } from './core/location.js';
export { parseLocation, parseS3ObjectUrl, formatLocation } from './core/location.js';
export { directionOf } from './core/direction.js';
export type { Direction } from './core/direction.js';
export type {
  ActionTally,
  CopyStats,
  DeletesSkipped,
  DeletesSkippedReason,
  FailureRecord,
  ProgressTotals,
  SyncerEvents,
  SyncSummary,
  SyncWarning,
  TransferAction,
  TransferMethod,
} from './core/events.js';

export { walkLocal } from './listing/walk-local.js';
export type { WalkLocalOptions } from './listing/walk-local.js';
export { listS3 } from './listing/list-s3.js';
export type { ListS3Options } from './listing/list-s3.js';
export type { Transport } from './core/transport.js';
export { KeyFilter } from './listing/key-filter.js';
export type { FilterOptions, FilterRule } from './listing/key-filter.js';

export type { Comparator, CompareContext, ContentDigest } from './compare/comparator.js';
export { sizeMtimeComparator } from './compare/size-mtime.js';
export type { SizeMtimeOptions } from './compare/size-mtime.js';
export { sizeOnlyComparator } from './compare/size-only.js';
export { checksumComparator } from './compare/checksum.js';

export { planSync } from './plan/plan-sync.js';
export type { PlanSyncOptions } from './plan/plan-sync.js';
export { planFileHeader, readPlanLines } from './plan/plan-file.js';
export type { PlanFileHeader } from './plan/plan-file.js';

export { TransferManager } from './transfer/transfer-manager.js';
export type { TransferManagerOptions, TransferHooks, TransferResult, TransferRoute, DeleteHooks } from './transfer/transfer-manager.js';
export type { BackupDestination } from './transfer/backup.js';
export type { WriteCondition } from './transfer/write-condition.js';
export { createS3Client } from './transfer/s3-client.js';
export { diagnoseCredentials } from './transfer/credentials-diagnosis.js';
export { S3ToS3Copier, CannotServerCopyError } from './transfer/s3-to-s3-copier.js';
export type { S3ToS3CopierOptions, CopyRequest, CopyResult } from './transfer/s3-to-s3-copier.js';
export type { S3ConnectionOptions } from './transfer/s3-client.js';
export { presignUrl } from './transfer/presign.js';
export type { PresignOptions } from './transfer/presign.js';
export type { UploadOptions, MultipartOptions } from './transfer/upload-options.js';
export type { SseCustomerKey } from './transfer/sse-customer.js';
export { sseCustomerKeyForms } from './transfer/sse-customer.js';

export { createSyncer } from './syncer/create-syncer.js';
export type { Syncer } from './syncer/create-syncer.js';
export type { SyncOptions, PlanOptions, RunOptions, CompareMode } from './syncer/options.js';
export type { MaxDelete } from './syncer/max-delete.js';
export type { StorageClassRule } from './syncer/storage-class-rules.js';
export { S3_STORAGE_CLASSES, MINIMUM_BILLABLE_OBJECT_SIZE, SMALL_OBJECT_MINIMUM_CLASSES, ARCHIVED_CLASSES } from './core/storage-class.js';
export { parseMaxDelete } from './syncer/max-delete.js';
export { createChecker } from './syncer/create-checker.js';
export { createBisyncer, type Bisyncer } from './syncer/create-bisyncer.js';
export type { BisyncOptions, BisyncRunOptions } from './syncer/bisync-options.js';
export { localPairLock, type PairLock } from './syncer/pair-lock.js';
export type {
  BisyncConflict,
  BisyncDeletesSkipped,
  BisyncerEvents,
  BisyncSideName,
  BisyncSummary,
  ConflictChoice,
  ConflictPolicy,
  ConflictRecord,
} from './core/bisync.js';
export type { Checker, CheckRunOptions } from './syncer/create-checker.js';
export type { CheckOptions } from './syncer/check-options.js';
export type {
  CannotCompareReason,
  CheckDifference,
  CheckerEvents,
  CheckSummary,
  CheckTally,
  ContentEvidence,
} from './core/check.js';
export { parseBandwidthLimit } from './core/bandwidth-limit.js';
export { BandwidthLimiter } from './transfer/bandwidth-limiter.js';
export type { BandwidthLimiterOptions } from './transfer/bandwidth-limiter.js';
export { parseShard, shardOfKey } from './core/shard.js';
export type { Shard } from './core/shard.js';
export { COMPARE_MODES } from './core/compare-mode.js';

export type { StateStore } from './state/state-store.js';
export { updateState } from './state/state-store.js';
export { memoryStore } from './state/memory-store.js';
export { jsonFileStore } from './state/json-file-store.js';
export type { JsonFileStoreOptions } from './state/json-file-store.js';

export { listIncompleteUploads, abortIncompleteUploads } from './transfer/incomplete-uploads.js';
export type { IncompleteUpload } from './transfer/incomplete-uploads.js';
