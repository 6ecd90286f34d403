import { PlanMismatchError, compareKeys } from '../index.js';
import type { PlannedVersion, ReplacedState, RestoreAction } from '../core/restore-action.js';
import type { ObjectVersion } from './list-versions.js';

export type { PlannedVersion, ReplacedState, RestoreAction } from '../core/restore-action.js';

/*
 * A restore's plan: what it will do to each key, and what each action replaces, so that a plan
 * saved and reviewed (`s3kit restore … --plan`, then `s3kit apply`) is executed only while the
 * world still is as it was planned. The same rule as a sync's plan: the fresh plan is compared
 * with the saved one in full before anything runs; one difference refuses the whole plan.
 */

/** What the planner says of one key: an action, or that it already holds its state at the time. */
export type PlannedKey = RestoreAction | { readonly type: 'unchanged'; readonly key: string; readonly versionId: string | undefined };

/** The version an action puts back, as the listing's type. */
export function versionOf(key: string, planned: PlannedVersion): ObjectVersion {
  return {
    key,
    versionId: planned.versionId,
    isLatest: false,
    lastModified: new Date(planned.lastModified),
    size: planned.size,
    etag: planned.etag,
    deleteMarker: false,
    storageClass: planned.storageClass,
  };
}

/** A listed version as a plan records it. */
export function plannedVersion(version: ObjectVersion): PlannedVersion {
  return {
    versionId: version.versionId,
    size: version.size,
    ...(version.etag === undefined ? {} : { etag: version.etag }),
    lastModified: version.lastModified.toISOString(),
    ...(version.storageClass === undefined ? {} : { storageClass: version.storageClass }),
  };
}

/**
 * Passes the fresh plan's keys through while checking every action against the saved plan, in
 * order (both in S3 key order). Keys already in their state are not in a saved plan and pass
 * unchecked, unless the saved plan has an action there. The first difference — another action,
 * another version, a replaced version or file that changed, a key more or less — throws a
 * {@link PlanMismatchError}.
 */
export async function* verifyRestorePlan(fresh: AsyncIterable<PlannedKey>, saved: AsyncIterable<RestoreAction>): AsyncGenerator<PlannedKey> {
  const expected = saved[Symbol.asyncIterator]();
  let next = await expected.next();
  for await (const planned of fresh) {
    // A saved action on a key the fresh plan has passed: that key is gone from the listing.
    if (next.done !== true && compareKeys(next.value.key, planned.key) < 0) {
      throw new PlanMismatchError(next.value.key, `the plan has ${describe(next.value)}, which is no longer there`);
    }
    const savedHere = next.done !== true && next.value.key === planned.key ? next.value : undefined;
    if (planned.type === 'unchanged') {
      if (savedHere !== undefined) throw new PlanMismatchError(planned.key, `the plan has ${describe(savedHere)}, but the key already holds its state at the time now`);
    } else if (savedHere === undefined) {
      throw new PlanMismatchError(planned.key, `there is now ${describe(planned)}, which the plan does not have`);
    } else {
      const difference = differenceBetween(savedHere, planned);
      if (difference !== undefined) throw new PlanMismatchError(planned.key, difference);
    }
    if (savedHere !== undefined) next = await expected.next();
    yield planned;
  }
  if (next.done !== true) throw new PlanMismatchError(next.value.key, `the plan has ${describe(next.value)}, which is no longer there`);
}

function differenceBetween(saved: RestoreAction, fresh: RestoreAction): string | undefined {
  if (saved.type !== fresh.type) return `the plan says ${saved.type} but it is now ${fresh.type}`;
  if (saved.type === 'restore' && fresh.type === 'restore' && saved.version.versionId !== fresh.version.versionId) {
    return `the plan restores version ${saved.version.versionId}, the version at the time is now ${fresh.version.versionId}`;
  }
  if (!sameReplaced(saved.replaces, fresh.replaces)) {
    return `what it replaces changed since the plan was made (${replacedText(saved.replaces)} → ${replacedText(fresh.replaces)})`;
  }
  return undefined;
}

const REPLACED_FIELDS = ['versionId', 'deleteMarker', 'size', 'etag', 'mtimeMs'] as const;

function sameReplaced(a: ReplacedState | null, b: ReplacedState | null): boolean {
  if (a === null || b === null) return a === b;
  return REPLACED_FIELDS.every((field) => a[field] === b[field]);
}

function replacedText(state: ReplacedState | null): string {
  if (state === null) return 'no file';
  if (state.deleteMarker === true) return `delete marker ${state.versionId}`;
  const parts = [
    state.versionId === undefined ? undefined : `version ${state.versionId}`,
    state.size === undefined ? undefined : `${state.size} B`,
    state.etag === undefined ? undefined : `ETag ${state.etag}`,
    state.mtimeMs === undefined ? undefined : `mtime ${new Date(state.mtimeMs).toISOString()}`,
  ];
  return parts.filter((part) => part !== undefined).join(', ');
}

function describe(action: RestoreAction): string {
  return action.type === 'restore' ? `a restore of ${JSON.stringify(action.key)} to version ${action.version.versionId}` : `a delete of ${JSON.stringify(action.key)}`;
}

/**
 * Maps a stream with up to `concurrency` calls of `map` at once, yielding results in the
 * stream's order (a planner that reads local files to compare them keeps its key order).
 */
export async function* orderedMap<T, R>(source: AsyncIterable<T>, map: (item: T) => Promise<R>, concurrency: number): AsyncGenerator<R> {
  const window: Promise<R>[] = [];
  try {
    for await (const item of source) {
      const result = map(item);
      result.catch(() => {}); // awaited in order below; a rejection is not unhandled meanwhile
      window.push(result);
      if (window.length >= concurrency) yield await window.shift()!;
    }
    while (window.length > 0) yield await window.shift()!;
  } finally {
    await Promise.allSettled(window);
  }
}
