import type { Action } from '../core/action.js';
import type { Entry } from '../core/entry.js';
import { compareKeys } from '../core/key-order.js';
import type { Comparator, CompareContext } from '../compare/comparator.js';
import { assertOrdered } from '../core/ordered-listing.js';

/**
 * Options of {@link planSync}.
 * @public
 */
export interface PlanSyncOptions {
  /** Decides whether a key present on both sides needs a transfer. */
  readonly comparator: Comparator;
  /** Lets the comparator read metadata or content when the listing cannot decide. */
  readonly context: CompareContext;
  /**
   * Plan deletes of target keys the source lacks.
   * @defaultValue `false`
   */
  readonly delete?: boolean;
  /**
   * With `delete`, also delete target keys the filters exclude.
   * @defaultValue `false`
   */
  readonly deleteExcluded?: boolean;
  /**
   * Whether a target-only key is excluded by the filters; excluded keys are never deleted
   * unless `deleteExcluded`.
   * @defaultValue every key included
   */
  readonly isTargetExcluded?: (key: string) => boolean | Promise<boolean>;
}

/**
 * Merge-joins two listings sorted in S3 key order into a stream of {@link Action}s, each with a
 * reason. Does no I/O of its own (the comparator may, through its context), holds one entry
 * per side, and throws {@link ListingOrderError} on an out-of-order listing.
 * @public
 */
export async function* planSync(
  source: AsyncIterable<Entry>,
  target: AsyncIterable<Entry>,
  options: PlanSyncOptions,
): AsyncGenerator<Action> {
  const deletes = options.delete ?? false;
  const deleteExcluded = options.deleteExcluded ?? false;
  const sources = assertOrdered(source, 'source')[Symbol.asyncIterator]();
  const targets = assertOrdered(target, 'target')[Symbol.asyncIterator]();
  let s = await sources.next();
  let t = await targets.next();
  while (s.done !== true || t.done !== true) {
    const order = s.done === true ? 1 : t.done === true ? -1 : compareKeys(s.value.key, t.value.key);
    if (order < 0) {
      const entry = s.value as Entry;
      yield { type: 'copy', key: entry.key, reason: 'missing-in-target', source: entry };
      s = await sources.next();
    } else if (order > 0) {
      yield await targetOnly(t.value as Entry);
      t = await targets.next();
    } else {
      const sourceEntry = s.value as Entry;
      const targetEntry = t.value as Entry;
      const verdict = await options.comparator.compare(sourceEntry, targetEntry, options.context);
      yield verdict.equal
        ? { type: 'skip', key: sourceEntry.key, reason: verdict.reason, source: sourceEntry, target: targetEntry }
        : { type: 'update', key: sourceEntry.key, reason: verdict.reason, source: sourceEntry, target: targetEntry };
      s = await sources.next();
      t = await targets.next();
    }
  }

  async function targetOnly(entry: Entry): Promise<Action> {
    if (!deletes) return { type: 'skip', key: entry.key, reason: 'delete-not-requested', target: entry };
    const excluded = (await options.isTargetExcluded?.(entry.key)) ?? false;
    if (!excluded) return { type: 'delete', key: entry.key, reason: 'missing-in-source', target: entry };
    return deleteExcluded
      ? { type: 'delete', key: entry.key, reason: 'excluded', target: entry }
      : { type: 'skip', key: entry.key, reason: 'excluded', target: entry };
  }
}
