import { z } from 'zod';
import { COMPARE_MODES } from '../core/compare-mode.js';
import { MAX_DELETE_PERCENTAGE } from '../core/max-delete.js';
import { BANDWIDTH_LIMIT_RULE, parseBandwidthLimit } from '../core/bandwidth-limit.js';

const connection = z
  .object({
    profile: z.string().min(1).describe('profile of ~/.aws/config and ~/.aws/credentials'),
    region: z.string().min(1),
    endpoint: z.url().describe('S3-compatible endpoint, e.g. http://127.0.0.1:7480'),
    pathStyle: z.boolean().describe('address buckets as endpoint/bucket'),
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
    strategy: strategy.default({ type: 'FullDirectory' }),
    filters: filters.optional(),
    compare: z.enum(COMPARE_MODES).optional(),
    delete: z.boolean().optional(),
    deleteExcluded: z.boolean().optional(),
    maxDelete: z.union([z.number().int().nonnegative(), z.string().regex(MAX_DELETE_PERCENTAGE, 'a percentage such as "10%"')]).optional(),
    upload: upload.optional(),
    connection: connection.optional(),
    concurrency: z.number().int().positive().optional(),
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

/** A job as validated (defaults applied). */
export type JobConfig = z.infer<typeof jobSchema>;
/** A config file as validated (defaults applied). */
export type ParsedConfig = z.infer<typeof configSchema>;
