/**
 * s3kit/versions: versioned buckets — list every version of the keys under a prefix, find the
 * version that was current at a point in time, and restore that state to a local directory or
 * in place in the bucket (undo, with server-side copies).
 *
 * The sync API itself (`createS3Client`, locations, errors) is the root `s3kit`.
 *
 * @packageDocumentation
 */
export { listVersions } from './list-versions.js';
export type { ListVersionsOptions, ObjectVersion } from './list-versions.js';
export { versionsAt } from './versions-at.js';
export type { KeyAtTime, VersionsAtOptions } from './versions-at.js';
export { restoreToLocal } from './restore-local.js';
export type { RestoreToLocalOptions } from './restore-local.js';
export { restoreInBucket } from './restore-in-bucket.js';
export type { RestoreInBucketOptions } from './restore-in-bucket.js';
export type { RestoreEvent, RestoreFailure, RestoreSummary } from './restore-types.js';
export { planRestore } from './plan-restore.js';
export type { PlanRestoreOptions } from './plan-restore.js';
export type { PlannedVersion, ReplacedState, RestoreAction } from './restore-plan.js';
export { readRestorePlanLines, restorePlanHeader } from '../plan/restore-plan-file.js';
export type { RestorePlanHeader, RestorePlanSettings } from '../plan/restore-plan-file.js';
export { parsePointInTime } from './point-in-time.js';

// The root's types that this entry point's signatures name, re-exported (the same types, not
// copies) so that its API is complete on its own.
export type { S3Location } from '../index.js';
