import type { BaselineRecord, SideState } from '../core/baseline.js';
import type { Entry } from '../core/entry.js';
import { compareKeys } from '../core/key-order.js';
import { S3kitError } from '../core/errors.js';
import { mergeJoin } from './merge-join.js';

export type { BaselineRecord, SideState } from '../core/baseline.js';

/*
 * Two-way sync is a three-way merge: each key of path1 and path2 is judged against the baseline,
 * what both sides held after the last successful run (ARCHITECTURE.md). This module is the pure
 * part: merging the three sorted streams and deciding, per key, what a run must do. Content
 * comparison (for a key changed or new on both sides), conflict policy, guards and locks belong
 * to the facade, as deletes do for one-way sync.
 */

/** How one side changed since the baseline. */
export type SideChange = 'unchanged' | 'changed' | 'new' | 'deleted' | 'absent';

/** The two sides of a bisync. */
export type BisyncSide = 'path1' | 'path2';

/** What a run does about one key. */
export type BisyncDecision =
  /** Both sides are as the baseline says: nothing to do. */
  | { readonly kind: 'none'; readonly key: string }
  /** A change on one side propagates: copy `from` over (or to) the other side. */
  | {
      readonly kind: 'copy';
      readonly key: string;
      readonly from: BisyncSide;
      readonly reason: 'new' | 'changed' | 'changed-other-deleted';
      readonly source: Entry;
      readonly target: Entry | undefined;
    }
  /** A delete on one side propagates: delete the key on `side`, unchanged since the baseline. */
  | { readonly kind: 'delete'; readonly key: string; readonly side: BisyncSide; readonly target: Entry }
  /** Deleted on both sides: only the baseline forgets it. */
  | { readonly kind: 'forget'; readonly key: string }
  /**
   * New on both sides, or changed on both: the contents decide. Equal contents are no conflict
   * (the baseline records them); different ones are a conflict for the policy to resolve.
   */
  | { readonly kind: 'compare'; readonly key: string; readonly reason: 'new-on-both' | 'changed-on-both'; readonly path1: Entry; readonly path2: Entry };

/** One key of the three merged streams. */
export interface BisyncKey {
  readonly key: string;
  readonly path1: Entry | undefined;
  readonly path2: Entry | undefined;
  readonly base: BaselineRecord | undefined;
}

/**
 * How `current` changed against what the baseline recorded for that side. Equal size and ETag
 * when both have one, else equal size and mtime, is unchanged: a file rewritten with its old
 * mtime restored and the same size would pass for unchanged, as it does for rclone bisync and
 * for the one-way size+mtime rule; the facade's `check`-mode can hash instead.
 */
export function sideChange(current: Entry | undefined, base: SideState | undefined): SideChange {
  if (base === undefined) return current === undefined ? 'absent' : 'new';
  if (current === undefined) return 'deleted';
  if (current.size !== base.size) return 'changed';
  if (current.etag !== undefined && base.etag !== undefined) return current.etag === base.etag ? 'unchanged' : 'changed';
  return Math.trunc(current.mtimeMs) === Math.trunc(base.mtimeMs) ? 'unchanged' : 'changed';
}

/**
 * The decision for one key, from how each side changed. One-sided changes and deletes propagate;
 * a change on one side and a delete on the other keeps the changed copy (no edit is lost);
 * changes on both sides go to content comparison.
 */
export function decide({ key, path1, path2, base }: BisyncKey): BisyncDecision {
  const one = sideChange(path1, base?.path1);
  const two = sideChange(path2, base?.path2);
  switch (`${one}/${two}`) {
    case 'unchanged/unchanged':
      return { kind: 'none', key };
    case 'new/absent':
      return { kind: 'copy', key, from: 'path1', reason: 'new', source: path1!, target: undefined };
    case 'absent/new':
      return { kind: 'copy', key, from: 'path2', reason: 'new', source: path2!, target: undefined };
    case 'new/new':
      return { kind: 'compare', key, reason: 'new-on-both', path1: path1!, path2: path2! };
    case 'changed/unchanged':
      return { kind: 'copy', key, from: 'path1', reason: 'changed', source: path1!, target: path2 };
    case 'unchanged/changed':
      return { kind: 'copy', key, from: 'path2', reason: 'changed', source: path2!, target: path1 };
    case 'changed/changed':
      return { kind: 'compare', key, reason: 'changed-on-both', path1: path1!, path2: path2! };
    case 'deleted/unchanged':
      return { kind: 'delete', key, side: 'path2', target: path2! };
    case 'unchanged/deleted':
      return { kind: 'delete', key, side: 'path1', target: path1! };
    case 'changed/deleted':
      return { kind: 'copy', key, from: 'path1', reason: 'changed-other-deleted', source: path1!, target: undefined };
    case 'deleted/changed':
      return { kind: 'copy', key, from: 'path2', reason: 'changed-other-deleted', source: path2!, target: undefined };
    case 'deleted/deleted':
      return { kind: 'forget', key };
    default:
      // 'absent' pairs only with 'new' or 'absent' (no baseline), and a key no stream holds is
      // never yielded by the merge.
      throw new Error(`internal error: no decision for ${one}/${two} of ${JSON.stringify(key)}`);
  }
}

/**
 * Merges path1, path2 and the baseline — each sorted in S3 key order — into one record per key,
 * holding one entry per stream (flat memory at any number of keys). An out-of-order listing
 * throws `ListingOrderError` (path1 named `source`, path2 `target`), an out-of-order baseline an
 * `S3kitError`.
 */
export async function* mergeThree(
  path1: AsyncIterable<Entry>,
  path2: AsyncIterable<Entry>,
  baseline: AsyncIterable<BaselineRecord>,
): AsyncGenerator<BisyncKey> {
  const pairs = mergeJoin(path1, path2)[Symbol.asyncIterator]();
  const bases = ordered(baseline)[Symbol.asyncIterator]();
  try {
    let pair = await pairs.next();
    let base = await bases.next();
    for (;;) {
      if (pair.done === true && base.done === true) return;
      const order = pair.done === true ? 1 : base.done === true ? -1 : compareKeys(pair.value.key, base.value.key);
      if (order <= 0 && pair.done !== true) {
        const matched = order === 0 && base.done !== true ? base.value : undefined;
        yield { key: pair.value.key, path1: pair.value.left, path2: pair.value.right, base: matched };
        pair = await pairs.next();
        if (matched !== undefined) base = await bases.next();
      } else if (base.done !== true) {
        yield { key: base.value.key, path1: undefined, path2: undefined, base: base.value };
        base = await bases.next();
      }
    }
  } finally {
    await Promise.allSettled([pairs.return?.(undefined), bases.return?.(undefined)]);
  }
}

/** The baseline as read, refusing one out of key order (a damaged file, not a listing). */
async function* ordered(baseline: AsyncIterable<BaselineRecord>): AsyncGenerator<BaselineRecord> {
  let previous: string | undefined;
  for await (const record of baseline) {
    if (previous !== undefined && compareKeys(previous, record.key) >= 0) {
      throw new S3kitError(`The bisync baseline is out of key order (${JSON.stringify(previous)} before ${JSON.stringify(record.key)}): it is damaged; run with resync to rebuild it.`);
    }
    previous = record.key;
    yield record;
  }
}

/** The decisions of a bisync run, one per key in key order, from the three sorted streams. */
export async function* planBisync(
  path1: AsyncIterable<Entry>,
  path2: AsyncIterable<Entry>,
  baseline: AsyncIterable<BaselineRecord>,
): AsyncGenerator<BisyncDecision> {
  for await (const key of mergeThree(path1, path2, baseline)) yield decide(key);
}
