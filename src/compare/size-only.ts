import type { Comparator } from './comparator.js';

/**
 * Equal when the sizes are equal (`--size-only`): fast, blind to same-size edits.
 * @public
 */
export function sizeOnlyComparator(): Comparator {
  return {
    name: 'size-only',
    compare: (source, target) =>
      source.size === target.size ? { equal: true, reason: 'size-equal' } : { equal: false, reason: 'size-differs' },
  };
}
