import { compareKeys } from '../index.js';

/** A key present in one or both of two sorted streams. */
export interface Paired<L, R> {
  readonly key: string;
  readonly left: L | undefined;
  readonly right: R | undefined;
}

/**
 * Pairs two streams sorted in S3 key order (`compareKeys`) by key, in that order. The
 * right stream is read up to the left's key before that key is yielded, so whatever a consumer
 * then writes at that key cannot appear later in a lazily read right stream (a local walk).
 */
export async function* mergeByKey<L extends { readonly key: string }, R extends { readonly key: string }>(
  left: AsyncIterable<L>,
  right: AsyncIterable<R>,
): AsyncGenerator<Paired<L, R>> {
  const leftIterator = left[Symbol.asyncIterator]();
  const rightIterator = right[Symbol.asyncIterator]();
  try {
    let l = await leftIterator.next();
    let r = await rightIterator.next();
    while (l.done !== true || r.done !== true) {
      const order = l.done === true ? 1 : r.done === true ? -1 : compareKeys(l.value.key, r.value.key);
      if (order === 0) {
        yield { key: l.value!.key, left: l.value, right: r.value };
        [l, r] = await Promise.all([leftIterator.next(), rightIterator.next()]);
      } else if (order < 0) {
        yield { key: l.value!.key, left: l.value, right: undefined };
        l = await leftIterator.next();
      } else {
        yield { key: r.value!.key, left: undefined, right: r.value };
        r = await rightIterator.next();
      }
    }
  } finally {
    await leftIterator.return?.();
    await rightIterator.return?.();
  }
}
