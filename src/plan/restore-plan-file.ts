import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { RestoreAction } from '../core/restore-action.js';
import { parseLine as parsePlanLine } from './plan-file.js';
import { connectionSchema } from './plan-file-schema.js';

/** Format version of restore plan files; bumped when their meaning changes. */
export const RESTORE_PLAN_VERSION = 1;

/**
 * The first line of a saved restore plan (NDJSON, written by `s3kit restore … --plan --json`):
 * what is restored where, to which moment, and with which settings, so that `s3kit apply` can
 * plan the same restore afresh and compare. Holds no credentials.
 * @public
 */
export interface RestorePlanHeader {
  /** Always `'restore-plan'`; tells a restore plan from a sync plan (`'plan'`). */
  readonly type: 'restore-plan';
  /** The format version of the writer (currently 1). */
  readonly version: number;
  /** When the plan was made (ISO 8601). */
  readonly createdAt: string;
  /** The versioned bucket and prefix, `s3://bucket/prefix`. */
  readonly source: string;
  /** The same URL to restore in place, or the local directory (absolute). */
  readonly target: string;
  /** The point in time restored (ISO 8601). */
  readonly at: string;
  /** The settings that shape the plan and its execution. */
  readonly settings: RestorePlanSettings;
}

/**
 * The settings a restore plan records.
 * @public
 */
export interface RestorePlanSettings {
  /** Local target: remove files whose key did not exist at the time. */
  readonly delete?: boolean;
  /** Keys restored at once. */
  readonly concurrency?: number;
  /** Where the plan was made: endpoint, region, profile, addressing and timeouts (never keys). */
  readonly connection?: {
    readonly endpoint?: string;
    readonly region?: string;
    readonly profile?: string;
    readonly forcePathStyle?: boolean;
    readonly connectTimeoutMs?: number;
    readonly timeoutMs?: number;
  };
}

const isoTime = z.string().refine((text) => Number.isFinite(Date.parse(text)), 'must be an ISO 8601 time');

const headerSchema = z.strictObject({
  type: z.literal('restore-plan'),
  version: z.number(),
  createdAt: z.string(),
  source: z.string().startsWith('s3://'),
  target: z.string().min(1),
  at: isoTime,
  settings: z.strictObject({
    delete: z.boolean().optional(),
    concurrency: z.number().int().positive().optional(),
    connection: connectionSchema.optional(),
  }),
});

const replacedSchema = z.strictObject({
  versionId: z.string().optional(),
  deleteMarker: z.boolean().optional(),
  size: z.number().int().nonnegative().optional(),
  etag: z.string().optional(),
  mtimeMs: z.number().finite().optional(),
});

const actionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('restore'),
    key: z.string(),
    version: z.strictObject({
      versionId: z.string().min(1),
      size: z.number().int().nonnegative(),
      etag: z.string().optional(),
      lastModified: isoTime,
      storageClass: z.string().optional(),
    }),
    replaces: replacedSchema.nullable(),
  }),
  z.strictObject({ type: z.literal('delete'), key: z.string(), replaces: replacedSchema }),
]);

/**
 * Builds the header line of a restore plan file.
 * @public
 */
export function restorePlanHeader(source: string, target: string, at: Date, settings: RestorePlanSettings): RestorePlanHeader {
  return { type: 'restore-plan', version: RESTORE_PLAN_VERSION, createdAt: new Date().toISOString(), source, target, at: at.toISOString(), settings };
}

/**
 * Reads the lines of a restore plan file: the header, then one `{"type":"action",…}` line per
 * action (other lines, such as the summary, are ignored). A file that is not a restore plan, a
 * version this s3kit does not read, or a line changed by hand into something no plan holds is
 * refused with a `ConfigError` (from the root `s3kit`) naming the line.
 * @public
 */
export async function readRestorePlanLines(lines: AsyncIterable<string>): Promise<{ header: RestorePlanHeader; actions: AsyncGenerator<RestoreAction> }> {
  const iterator = lines[Symbol.asyncIterator]();
  let lineNumber = 0;
  let first: IteratorResult<string>;
  do {
    first = await iterator.next();
    lineNumber++;
  } while (first.done !== true && first.value.trim() === '');
  const record = first.done === true ? undefined : parseLine(first.value, lineNumber);
  if ((record as { type?: unknown } | undefined)?.type !== 'restore-plan') {
    throw new ConfigError('plan', 'not an s3kit restore plan: the first line must be the header written by `s3kit restore … --plan --json`.');
  }
  if ((record as { version?: unknown }).version !== RESTORE_PLAN_VERSION) {
    throw new ConfigError('plan', `restore plan version ${String((record as { version?: unknown }).version)} is not supported (this s3kit reads version ${RESTORE_PLAN_VERSION}).`);
  }
  const header = checked(headerSchema, record, lineNumber, '') as RestorePlanHeader;
  const headerLine = lineNumber;
  async function* actions(): AsyncGenerator<RestoreAction> {
    let number = headerLine;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      number++;
      if (next.value.trim() === '') continue;
      const line = parseLine(next.value, number);
      if (typeof line !== 'object' || line === null || Array.isArray(line)) throw new ConfigError('plan', `restore plan line ${number} is not a JSON object.`);
      const { type, action } = line as { type?: unknown; action?: unknown };
      if (type === 'action') yield checked(actionSchema, action, number, 'action') as RestoreAction;
    }
  }
  return { header, actions: actions() };
}

function checked(schema: z.ZodType, value: unknown, lineNumber: number, where: string): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = [where, ...issue.path.map(String)].filter((part) => part !== '').join('.');
  throw new ConfigError('plan', `restore plan line ${lineNumber}: ${path === '' ? 'the line' : `"${path}"`} is invalid (${issue.message}); make a new plan.`);
}

function parseLine(line: string, lineNumber: number): unknown {
  return parsePlanLine(line, lineNumber, 'restore plan');
}
