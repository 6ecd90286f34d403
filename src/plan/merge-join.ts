import type { Entry } from '../core/entry.js';
import { compareKeys } from '../core/key-order.js';
import { assertOrdered } from '../core/ordered-listing.js';

/** One key of two merged listings: the entry of each side that holds it. */
export type KeyPair =
  | { readonly key: string; readonly left: Entry; readonly right: undefined }
  | { readonly key: string; readonly left: undefined; readonly right: Entry }
  | { readonly key: string; readonly left: Entry; readonly right: Entry };

/**
 * Merge-joins two listings sorted in S3 key order into pairs, one per key, in that order.
 * Holds one entry per side and throws `ListingOrderError` on an out-of-order listing (the left
 * listing is named `source`, the right one `target`).
 */
export async function* mergeJoin(left: AsyncIterable<Entry>, right: AsyncIterable<Entry>): AsyncGenerator<KeyPair> {
  const lefts = assertOrdered(left, 'source')[Symbol.asyncIterator]();
  const rights = assertOrdered(right, 'target')[Symbol.asyncIterator]();
  try {
    let l = await lefts.next();
    let r = await rights.next();
    while (l.done !== true || r.done !== true) {
      const order = l.done === true ? 1 : r.done === true ? -1 : compareKeys(l.value.key, r.value.key);
      if (order < 0) {
        const entry = l.value as Entry;
        yield { key: entry.key, left: entry, right: undefined };
        l = await lefts.next();
      } else if (order > 0) {
        const entry = r.value as Entry;
        yield { key: entry.key, left: undefined, right: entry };
        r = await rights.next();
      } else {
        yield { key: (l.value as Entry).key, left: l.value as Entry, right: r.value as Entry };
        l = await lefts.next();
        r = await rights.next();
      }
    }
  } finally {
    // A consumer that stops early (or an error) ends both listings: no page request left running.
    await Promise.allSettled([lefts.return?.(undefined), rights.return?.(undefined)]);
  }
}
