// The shapes a plan file's lines must have, apart from plan-file.ts so that zod is loaded only
// when a plan is read.
import { z } from 'zod';
import { COMPARE_MODES } from '../core/compare-mode.js';
import { MAX_DELETE_PERCENTAGE } from '../core/max-delete.js';

/** One saved entry (source or target of an action). */
export const entrySchema = z.strictObject({
  key: z.string(),
  size: z.number().int().nonnegative(),
  mtimeMs: z.number().finite(),
  etag: z.string().optional(),
  storageClass: z.string().optional(),
  path: z.string().optional(),
  url: z.string().optional(),
  versionId: z.string().optional(),
});

/** The storage class a copy or update was planned with (`storageClassRules`). */
export const storageChoiceSchema = z.strictObject({
  storageClass: z.string().min(1).optional(),
  storageClassRule: z.number().int().nonnegative().optional(),
});

/** Where a plan was made (sync and restore plans): endpoint, region, profile, addressing, timeouts; never keys. */
export const connectionSchema = z.strictObject({
  endpoint: z.string().optional(),
  region: z.string().optional(),
  profile: z.string().optional(),
  forcePathStyle: z.boolean().optional(),
  connectTimeoutMs: z.number().positive().optional(),
  timeoutMs: z.number().positive().optional(),
});

/**
 * The settings a plan header may hold: what `s3kit plan --json` writes. Their values are
 * checked again by `createSyncer` when the plan is applied; this catches a hand-edited header
 * before anything else (an unknown name, a value of the wrong type) with its line number.
 */
export const settingsSchema = z.strictObject({
  delete: z.boolean().optional(),
  deleteExcluded: z.boolean().optional(),
  maxDelete: z.union([z.number().int().nonnegative(), z.string().regex(MAX_DELETE_PERCENTAGE)]).optional(),
  compare: z.enum(COMPARE_MODES).optional(),
  followSymlinks: z.boolean().optional(),
  rules: z.array(z.strictObject({ type: z.enum(['include', 'exclude']), pattern: z.string() })).optional(),
  ignorePatterns: z.array(z.string()).optional(),
  ignorePatternFiles: z.array(z.string()).optional(),
  ignoreFileName: z.string().optional(),
  ignoreCase: z.boolean().optional(),
  concurrency: z.number().int().positive().optional(),
  bandwidthLimit: z.number().positive().optional(),
  multipartThreshold: z.number().int().positive().optional(),
  partSize: z.number().int().positive().optional(),
  upload: z
    .strictObject({
      storageClass: z.string().optional(),
      sse: z.enum(['AES256', 'aws:kms']).optional(),
      sseKmsKeyId: z.string().optional(),
      acl: z.string().optional(),
      contentType: z.string().optional(),
      cacheControl: z.string().optional(),
      metadata: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  storageClassRules: z
    .array(
      z.strictObject({
        include: z.string().optional(),
        minSize: z.union([z.number().nonnegative(), z.string()]).optional(),
        olderThan: z.string().optional(),
        storageClass: z.string(),
        force: z.boolean().optional(),
      }),
    )
    .optional(),
  metadataDirective: z.enum(['COPY', 'REPLACE']).optional(),
  multipartCopyThreshold: z.number().int().nonnegative().optional(),
  backup: z.string().optional(),
  backupSuffix: z.string().optional(),
  shard: z.strictObject({ index: z.number().int().nonnegative(), count: z.number().int().positive() }).optional(),
  sourceConnection: connectionSchema.optional(),
  connection: connectionSchema.optional(),
  /** The MD5 (base64) of the SSE-C key the plan was made with; the key itself is never written. */
  sseCustomerKeyMd5: z.string().optional(),
  copySourceSseCustomerKeyMd5: z.string().optional(),
});

/** The setting names a plan header may hold. */
export const SETTING_NAMES: ReadonlySet<string> = new Set(Object.keys(settingsSchema.shape));

/** What readPlanLines validates with, loaded on first use. */
export type PlanFileSchemas = typeof import('./plan-file-schema.js');
