/**
 * The names of the built-in compare modes, in one place: the options type, the comparator
 * factory, the plan-file and config schemas all take them from here.
 * @public
 */
export const COMPARE_MODES = ['size-mtime', 'size-only', 'exact-timestamps', 'checksum'] as const;
