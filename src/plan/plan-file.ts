import type { Action } from '../core/action.js';
import type { Entry } from '../core/entry.js';
import { ConfigError, PlanMismatchError } from '../core/errors.js';
import { compareKeys } from '../core/key-order.js';
import type { PlanFileSchemas } from './plan-file-schema.js';

/** Format version of plan files; bumped when their meaning changes. */
export const PLAN_FILE_VERSION = 1;

/**
 * The first line of a saved plan: what was compared with what, and with which settings, so that
 * `apply` can rebuild the same syncer. Holds no credentials.
 * @public
 */
export interface PlanFileHeader {
  /** Always `'plan'`; tells a plan file from other NDJSON. */
  readonly type: 'plan';
  /** The plan file format version of the writer (currently 1). */
  readonly version: number;
  /** When the plan was made (ISO 8601). */
  readonly createdAt: string;
  /** The source location as given. */
  readonly source: string;
  /** The target location as given. */
  readonly target: string;
  /** The settings that shape the plan and its execution (filters, compare mode, deletes, upload options). */
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * Builds the header line of a plan file.
 * @public
 */
export function planFileHeader(source: string, target: string, settings: Readonly<Record<string, unknown>>): PlanFileHeader {
  return { type: 'plan', version: PLAN_FILE_VERSION, createdAt: new Date().toISOString(), source, target, settings };
}

/**
 * Reads the lines of a plan file (NDJSON: a header, then one action per line; other lines such
 * as a summary are ignored). Throws a {@link ConfigError} for a file that is not a plan.
 * @public
 */
export async function readPlanLines(lines: AsyncIterable<string>): Promise<{ header: PlanFileHeader; actions: AsyncGenerator<Action> }> {
  const iterator = lines[Symbol.asyncIterator]();
  let headerLine = 1;
  let first = await iterator.next();
  while (first.done !== true && first.value.trim() === '') {
    first = await iterator.next();
    headerLine++;
  }
  const header = first.done === true ? undefined : (parseLine(first.value, headerLine) as Partial<PlanFileHeader> | null);
  if (header?.type !== 'plan' || typeof header.source !== 'string' || typeof header.target !== 'string') {
    throw new ConfigError('plan', 'not an s3kit plan file: the first line must be the header written by `s3kit plan --json`.');
  }
  if (header.version !== PLAN_FILE_VERSION) {
    throw new ConfigError('plan', `plan file version ${String(header.version)} is not supported (this s3kit reads version ${PLAN_FILE_VERSION}).`);
  }
  // zod is loaded only to read a plan: `s3kit sync` and `s3kit --help` never need it.
  const schemas = await import('./plan-file-schema.js');
  validateSettings(schemas, header.settings, headerLine);
  async function* actions(): AsyncGenerator<Action> {
    let lineNumber = headerLine;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      lineNumber++;
      if (next.value.trim() === '') continue;
      const record = parseLine(next.value, lineNumber) as { type?: unknown; action?: unknown } | null;
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new ConfigError('plan', `plan file line ${lineNumber} is not a JSON object.`);
      }
      if (record.type === 'action') yield validateAction(schemas, record.action, lineNumber);
    }
  }
  return { header: header as PlanFileHeader, actions: actions() };
}

function validateSettings({ SETTING_NAMES, settingsSchema }: PlanFileSchemas, settings: unknown, lineNumber: number): void {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new ConfigError('plan', `plan file line ${lineNumber}: "settings" must be an object (as \`s3kit plan --json\` writes it); make a new plan.`);
  }
  for (const name of Object.keys(settings)) {
    if (!SETTING_NAMES.has(name)) {
      throw new ConfigError('plan', `plan file line ${lineNumber}: unknown setting "${name}" (known: ${[...SETTING_NAMES].join(', ')}); make a new plan.`);
    }
  }
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError('plan', `plan file line ${lineNumber}: setting "${issue.path.join('.')}" is invalid: ${issue.message}; make a new plan.`);
  }
}

const ACTION_TYPES = ['copy', 'update', 'delete', 'skip'] as const;

/** Checks one saved action's shape, so that a hand-edited line is refused with its number. */
function validateAction({ entrySchema, storageChoiceSchema }: PlanFileSchemas, action: unknown, lineNumber: number): Action {
  const fail = (problem: string): never => {
    throw new ConfigError('plan', `plan file line ${lineNumber}: ${problem}; make a new plan.`);
  };
  if (typeof action !== 'object' || action === null || Array.isArray(action)) return fail('"action" must be an object');
  const record = action as Record<string, unknown>;
  if (typeof record.key !== 'string') return fail('the action has no "key" (a string)');
  if (!(ACTION_TYPES as readonly unknown[]).includes(record.type)) {
    return fail(`unknown action type ${JSON.stringify(record.type)} (one of ${ACTION_TYPES.join(', ')})`);
  }
  if (typeof record.reason !== 'string') return fail('the action has no "reason" (a string)');
  const needs: Record<(typeof ACTION_TYPES)[number], readonly ('source' | 'target')[]> = {
    copy: ['source'],
    update: ['source', 'target'],
    delete: ['target'],
    skip: [],
  };
  for (const side of ['source', 'target'] as const) {
    const entry = record[side];
    if (entry === undefined) {
      if (needs[record.type as (typeof ACTION_TYPES)[number]].includes(side)) fail(`a ${String(record.type)} action needs a "${side}" entry`);
      continue;
    }
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      fail(`"${[side, ...issue.path].join('.')}" is invalid (${issue.message})`);
    }
  }
  const storageChoice = storageChoiceSchema.safeParse({ storageClass: record.storageClass, storageClassRule: record.storageClassRule });
  if (!storageChoice.success) fail(`"${storageChoice.error.issues[0]!.path.join('.')}" is invalid (${storageChoice.error.issues[0]!.message})`);
  if ((record.storageClass !== undefined || record.storageClassRule !== undefined) && record.type !== 'copy' && record.type !== 'update') {
    fail(`a ${String(record.type)} action writes nothing and has no storage class`);
  }
  for (const name of Object.keys(record)) {
    if (!['type', 'key', 'reason', 'source', 'target', 'storageClass', 'storageClassRule'].includes(name)) fail(`unknown action field "${name}"`);
  }
  return action as Action;
}

/** One line of an NDJSON plan file, parsed; a line that is not JSON is refused with its number. */
export function parseLine(line: string, lineNumber: number, what = 'plan file'): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new ConfigError('plan', `${what} line ${lineNumber} is not JSON.`);
  }
}

/**
 * Passes fresh actions through while checking each against the saved plan, in order. The
 * first difference — another action, another key, or an entry whose size, mtime or ETag
 * changed — throws a {@link PlanMismatchError}; so does a plan with more or fewer actions.
 */
export async function* verifyAgainstPlan(fresh: AsyncIterable<Action>, saved: AsyncIterable<Action>): AsyncGenerator<Action> {
  const expected = saved[Symbol.asyncIterator]();
  for await (const action of fresh) {
    const next = await expected.next();
    if (next.done === true) throw new PlanMismatchError(action.key, `the ${side(action)} now has ${describe(action)}, which the plan does not`);
    if (next.value.key !== action.key) {
      // Report the key that sorts first: that is where the two plans part.
      throw compareKeys(next.value.key, action.key) < 0
        ? new PlanMismatchError(next.value.key, `the plan has ${describe(next.value)}, which is no longer there`)
        : new PlanMismatchError(action.key, `the ${side(action)} now has ${describe(action)}, which the plan does not`);
    }
    const difference = differenceBetween(next.value, action);
    if (difference !== undefined) throw new PlanMismatchError(action.key, difference);
    yield action;
  }
  const extra = await expected.next();
  if (extra.done !== true) throw new PlanMismatchError(extra.value.key, `the plan has ${describe(extra.value)}, which is no longer there`);
}

function differenceBetween(saved: Action, fresh: Action): string | undefined {
  if (saved.type !== fresh.type) return `the plan says ${saved.type} (${saved.reason}) but it is now ${fresh.type} (${fresh.reason})`;
  for (const which of ['source', 'target'] as const) {
    const before = (saved as { source?: Entry; target?: Entry })[which];
    const now = (fresh as { source?: Entry; target?: Entry })[which];
    if (!sameEntry(before, now)) return `the ${which} changed since the plan was made (${entryText(before)} → ${entryText(now)})`;
  }
  // The class chosen by age can change between plan and apply: what was reviewed is what is written, or nothing.
  const classBefore = storageChoiceText(saved);
  const classNow = storageChoiceText(fresh);
  if (classBefore !== classNow) return `the plan writes it as ${classBefore}, but it would now be written as ${classNow}`;
  return undefined;
}

function storageChoiceText(action: Action): string {
  if (action.type !== 'copy' && action.type !== 'update') return 'nothing';
  const rule = action.storageClassRule === undefined ? '' : ` (storageClassRules[${action.storageClassRule}])`;
  return `${action.storageClass ?? 'the default storage class'}${rule}`;
}

function sameEntry(a: Entry | undefined, b: Entry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.etag === b.etag;
}

function entryText(entry: Entry | undefined): string {
  if (entry === undefined) return 'absent';
  return `${entry.size} B, mtime ${new Date(entry.mtimeMs).toISOString()}${entry.etag === undefined ? '' : `, ETag ${entry.etag}`}`;
}

function side(action: Action): string {
  return action.type === 'delete' || (action.type === 'skip' && action.source === undefined) ? 'target' : 'source';
}

function describe(action: Action): string {
  return `${action.type} ${JSON.stringify(action.key)}`;
}
