import type { Entry } from './entry.js';
import { ListingOrderError } from './errors.js';
import { compareKeys } from './key-order.js';

/**
 * Passes a listing through, throwing {@link ListingOrderError} as soon as a key is not strictly
 * greater than the one before: a merge over an unordered listing would plan wrong deletes.
 */
export async function* assertOrdered(entries: AsyncIterable<Entry>, side: 'source' | 'target'): AsyncGenerator<Entry> {
  let previous: string | undefined;
  for await (const entry of entries) {
    if (previous !== undefined && compareKeys(previous, entry.key) >= 0) {
      throw new ListingOrderError(side, previous, entry.key);
    }
    previous = entry.key;
    yield entry;
  }
}
