import type { Action } from '../core/action.js';
import type { Entry } from '../core/entry.js';
import { ConfigError, PlanMismatchError } from '../core/errors.js';
import { compareKeys } from '../core/key-order.js';

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
  let first = await iterator.next();
  while (first.done !== true && first.value.trim() === '') first = await iterator.next();
  const header = first.done === true ? undefined : (parseLine(first.value, 1) as Partial<PlanFileHeader>);
  if (header?.type !== 'plan' || typeof header.source !== 'string' || typeof header.target !== 'string') {
    throw new ConfigError('plan', 'not an s3kit plan file: the first line must be the header written by `s3kit plan --json`.');
  }
  if (header.version !== PLAN_FILE_VERSION) {
    throw new ConfigError('plan', `plan file version ${String(header.version)} is not supported (this s3kit reads version ${PLAN_FILE_VERSION}).`);
  }
  async function* actions(): AsyncGenerator<Action> {
    let lineNumber = 1;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      lineNumber++;
      if (next.value.trim() === '') continue;
      const record = parseLine(next.value, lineNumber) as { type?: string; action?: Action };
      if (record.type === 'action' && record.action !== undefined) yield record.action;
    }
  }
  return { header: header as PlanFileHeader, actions: actions() };
}

function parseLine(line: string, lineNumber: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new ConfigError('plan', `plan file line ${lineNumber} is not JSON.`);
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
  return undefined;
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
