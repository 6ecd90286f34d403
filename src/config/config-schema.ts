import { z } from 'zod';
import { CONFLICT_POLICIES, type ConflictPolicy } from '../core/bisync.js';
import { COMPARE_MODES } from '../core/compare-mode.js';
import { MAX_DELETE_PERCENTAGE } from '../core/max-delete.js';
import type { CompareMode } from '../syncer/options.js';
import { BANDWIDTH_LIMIT_RULE, parseBandwidthLimit } from '../core/bandwidth-limit.js';
import { TRANSPORTS, type Transport } from '../core/transport.js';

const connection = z
  .object({
    profile: z.string().min(1).describe('profile of ~/.aws/config and ~/.aws/credentials'),
    region: z.string().min(1),
    endpoint: z.url().describe('S3-compatible endpoint, e.g. http://127.0.0.1:7480'),
    pathStyle: z.boolean().describe('address buckets as endpoint/bucket'),
    transport: z.enum(TRANSPORTS).describe('request lane: sdk (the AWS SDK for every request) or lean (listing pages after the first without the SDK middleware)'),
  })
  .partial()
  .strict();

const upload = z
  .object({
    storageClass: z.string().min(1).describe('e.g. STANDARD_IA, GLACIER_IR'),
    sse: z.enum(['AES256', 'aws:kms']),
    sseKmsKeyId: z.string().min(1),
    acl: z.string().min(1),
    cacheControl: z.string(),
    contentType: z.string().min(1),
    metadata: z.record(z.string(), z.string()),
  })
  .partial()
  .strict();

/** One rule of `storageClassRules:` (see `SyncOptions.storageClassRules`); checked in full by createSyncer. */
const storageClassRule = z
  .object({
    include: z.string().min(1).optional().describe('aws-cli --include pattern matched against the whole key (* crosses /)'),
    minSize: z.union([z.number().nonnegative(), z.string().min(1)]).optional().describe('bytes, or a size such as 128KiB (powers of 1024)'),
    olderThan: z.string().min(1).optional().describe('a whole number with a unit s, m, h, d or w, e.g. 30d'),
    storageClass: z.string().min(1).describe('e.g. STANDARD_IA, GLACIER_IR, DEEP_ARCHIVE'),
    force: z.boolean().optional().describe('accept a rule that may put objects under 128 KiB in an IA class (billed as 128 KiB)'),
  })
  .strict();

const filters = z
  .object({
    exclude: z.array(z.string()).describe('aws-cli --exclude patterns (* crosses /)'),
    include: z.array(z.string()).describe('aws-cli --include patterns, applied after the excludes (they win)'),
    ignorePatterns: z.array(z.string()).describe('.gitignore patterns'),
    ignoreFileName: z.string().min(1).describe('ignore files to read from every source directory, e.g. .gitignore'),
  })
  .partial()
  .strict();

/** A rate as text (`10MiB/s`, `1M`) or a number of bytes per second; read into bytes per second. */
const bandwidthLimit = z
  .union([z.number(), z.string()], { error: `must be ${BANDWIDTH_LIMIT_RULE}` })
  .transform((value, context) => {
    const rate = typeof value === 'number' ? (Number.isFinite(value) && value > 0 ? value : undefined) : parseBandwidthLimit(value);
    if (rate === undefined) context.addIssue({ code: 'custom', input: value, message: `must be ${BANDWIDTH_LIMIT_RULE}, more than 0 (leave it out for no limit)` });
    return rate ?? 0;
  })
  .describe('the most bytes per second all transfers of a run move together, e.g. 10MiB/s, 500KiB/s, 1M');

/** The `bisync:` block of a `mode: bisync` job. */
const bisync = z
  .object({
    conflict: z.enum(CONFLICT_POLICIES).describe('a key changed on both sides: keep-both (the default), newer, older, larger, path1 (source) or path2 (target)'),
    accessCheck: z.string().min(1).describe('a file that must exist on both sides, e.g. .s3kit-access-check'),
    s3Lock: z.boolean().describe('lock S3 sides with a lease object (default true)'),
    s3LockLeaseSeconds: z.number().int().positive().describe('how long an S3 lock outlives a crashed holder (default 300)'),
  })
  .partial()
  .strict();

/** The `strategy:` block; its settings are checked against the registered strategy. */
const strategy = z.looseObject({ type: z.string().min(1).describe('DateFolder, FullDirectory, DateRange, CustomPattern or a registered one') });

/** One job of s3kit.yaml. */
export const jobSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit')
      .describe('unique name, used in logs, state and `s3kit run NAME`'),
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    source: z.string().min(1).describe('local directory, s3://bucket/prefix or manifest:PATH'),
    target: z.string().min(1).describe('s3://bucket/prefix or a local directory'),
    mode: z.enum(['sync', 'bisync']).optional().describe('sync (one way, source to target; the default) or bisync (two-way between source and target)'),
    bisync: bisync.optional(),
    strategy: strategy.default({ type: 'FullDirectory' }),
    filters: filters.optional(),
    compare: z.enum(COMPARE_MODES).optional(),
    delete: z.boolean().optional(),
    deleteExcluded: z.boolean().optional(),
    maxDelete: z.union([z.number().int().nonnegative(), z.string().regex(MAX_DELETE_PERCENTAGE, 'a percentage such as "10%"')]).optional(),
    upload: upload.optional(),
    storageClassRules: z.array(storageClassRule).optional().describe('the storage class of each object by pattern, size and age; the first match wins, else upload.storageClass'),
    connection: connection.optional(),
    concurrency: z.number().int().positive().optional(),
    backup: z.string().min(1).optional().describe('keep what the job overwrites or deletes here first: s3://bucket/prefix/{date}/ or a directory'),
    backupSuffix: z.string().min(1).optional().describe('add this to the names of what is kept, e.g. .{date}; without backup, kept beside the originals'),
    bandwidthLimit: bandwidthLimit.optional(),
  })
  .strict();

/** The whole of s3kit.yaml. */
export const configSchema = z
  .object({
    defaults: z
      .object({
        logDirectory: z.string().min(1).default('logs').describe('relative to the config file'),
        logRetentionMonths: z.number().int().positive().default(12),
        stateFile: z.string().min(1).default('s3kit-state.json').describe('relative to the config file'),
        connection: connection.optional(),
        exclude: z.array(z.string()).default([]).describe('aws-cli --exclude patterns for every job'),
        concurrency: z.number().int().positive().optional(),
        bandwidthLimit: bandwidthLimit.optional(),
      })
      .strict()
      .prefault({}),
    jobs: z.array(jobSchema).min(1, 'at least one job'),
  })
  .strict();

/*
 * The validated shapes, written out: the public API names its own types rather than zod's
 * inferred ones (which would make the schemas part of it). The checks below keep them equal to
 * the schemas: a field added to a schema and not here (or the reverse) fails to compile.
 */

/**
 * Where a job's S3 side is: a `connection:` block of a job or of `defaults`.
 * @public
 */
export interface JobConnection {
  /** A profile of ~/.aws/config and ~/.aws/credentials. */
  readonly profile?: string;
  readonly region?: string;
  /** An S3-compatible endpoint URL. */
  readonly endpoint?: string;
  /** Address buckets as `endpoint/bucket`. */
  readonly pathStyle?: boolean;
  /** The request lane (`--transport`): `createS3Client`'s `transport`. */
  readonly transport?: Transport;
}

/**
 * How a job stores what it uploads (the `upload:` block).
 * @public
 */
export interface JobUploadSettings {
  readonly storageClass?: string;
  readonly sse?: 'AES256' | 'aws:kms';
  readonly sseKmsKeyId?: string;
  readonly acl?: string;
  readonly cacheControl?: string;
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * One rule of a job's `storageClassRules:` (see `SyncOptions.storageClassRules`).
 * @public
 */
export interface JobStorageClassRule {
  /** An aws-cli `--include` pattern matched against the whole key (`*` crosses `/`). */
  readonly include?: string;
  /** Bytes, or a size such as `128KiB`. */
  readonly minSize?: number | string;
  /** A whole number with a unit s, m, h, d or w, e.g. `30d`. */
  readonly olderThan?: string;
  /** The class matching objects are written in, e.g. `STANDARD_IA`. */
  readonly storageClass: string;
  /** Accept a rule that may put objects under 128 KiB in an IA class (billed as 128 KiB). */
  readonly force?: boolean;
}

/**
 * A job's `filters:` block.
 * @public
 */
export interface JobFilters {
  /** aws-cli `--exclude` patterns (`*` crosses `/`). */
  readonly exclude?: readonly string[];
  /** aws-cli `--include` patterns, applied after the excludes (they win). */
  readonly include?: readonly string[];
  /** .gitignore patterns. */
  readonly ignorePatterns?: readonly string[];
  /** Ignore files to read from every source directory, e.g. `.gitignore`. */
  readonly ignoreFileName?: string;
}

/**
 * A `mode: bisync` job's `bisync:` block (see `BisyncOptions`).
 * @public
 */
export interface JobBisyncSettings {
  /** @defaultValue `'keep-both'` */
  readonly conflict?: ConflictPolicy;
  readonly accessCheck?: string;
  /** @defaultValue `true` */
  readonly s3Lock?: boolean;
  /** @defaultValue `300` */
  readonly s3LockLeaseSeconds?: number;
}

/**
 * A job's `strategy:` block: the strategy's name and its settings, which the strategy checks.
 * @public
 */
export interface JobStrategy {
  readonly type: string;
  readonly [setting: string]: unknown;
}

/**
 * A job as validated (defaults applied).
 * @public
 */
export interface JobConfig {
  /** Unique name, used in logs, state and `s3kit run NAME`. */
  readonly name: string;
  readonly description?: string;
  /** @defaultValue `true` */
  readonly enabled: boolean;
  /** A local directory, `s3://bucket/prefix` or `manifest:PATH`. */
  readonly source: string;
  /** `s3://bucket/prefix` or a local directory. */
  readonly target: string;
  /**
   * `sync` copies source to target; `bisync` syncs both ways (source is path1, target path2),
   * keeping its baseline in `bisync/` beside the state file.
   * @defaultValue `'sync'`
   */
  readonly mode?: 'sync' | 'bisync';
  /** Settings of a `mode: bisync` job. */
  readonly bisync?: JobBisyncSettings;
  /** @defaultValue `{ type: 'FullDirectory' }` */
  readonly strategy: JobStrategy;
  readonly filters?: JobFilters;
  readonly compare?: CompareMode;
  readonly delete?: boolean;
  readonly deleteExcluded?: boolean;
  /** A count, or a percentage of the target's keys such as `'10%'`. */
  readonly maxDelete?: number | string;
  readonly upload?: JobUploadSettings;
  /** The storage class of each object by pattern, size and age (see `SyncOptions.storageClassRules`). */
  readonly storageClassRules?: readonly JobStorageClassRule[];
  readonly connection?: JobConnection;
  readonly concurrency?: number;
  /** Where the job keeps what it overwrites or deletes (see `SyncOptions.backup`). */
  readonly backup?: string;
  /** Added to the names of what the job keeps (see `SyncOptions.backupSuffix`). */
  readonly backupSuffix?: string;
  /** Bytes per second for all the job's transfers together (written `10MiB/s` in the file). */
  readonly bandwidthLimit?: number;
}

/**
 * A config file as validated (defaults applied).
 * @public
 */
export interface ParsedConfig {
  readonly defaults: {
    /** Relative to the config file. @defaultValue `'logs'` */
    readonly logDirectory: string;
    /** @defaultValue `12` */
    readonly logRetentionMonths: number;
    /** Relative to the config file. @defaultValue `'s3kit-state.json'` */
    readonly stateFile: string;
    readonly connection?: JobConnection;
    /** aws-cli `--exclude` patterns for every job. @defaultValue `[]` */
    readonly exclude: readonly string[];
    readonly concurrency?: number;
    /** Bytes per second for each job that sets none (written `10MiB/s` in the file). */
    readonly bandwidthLimit?: number;
  };
  readonly jobs: readonly JobConfig[];
}

/** True when A and B have the same keys and every B is an A (the parsed value fits the type). */
type Matches<Declared, Parsed> = [Parsed] extends [Declared] ? ([keyof Declared] extends [keyof Parsed] ? ([keyof Parsed] extends [keyof Declared] ? true : false) : false) : false;
const jobConfigMatchesSchema: Matches<JobConfig, z.infer<typeof jobSchema>> = true;
const parsedConfigMatchesSchema: Matches<ParsedConfig, z.infer<typeof configSchema>> = true;
const defaultsMatchSchema: Matches<ParsedConfig['defaults'], z.infer<typeof configSchema>['defaults']> = true;
void [jobConfigMatchesSchema, parsedConfigMatchesSchema, defaultsMatchSchema];
