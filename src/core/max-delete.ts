/**
 * A limit on deletes: a count (`100`) or a percentage of the target's keys (`'10%'`).
 * @public
 */
export type MaxDelete = number | `${number}%`;

/**
 * The one rule of what a `maxDelete` may be: a non-negative integer, or a percentage from 0 to
 * 100 written as digits and `%`. The syncer's validation, the CLI flag, the plan-file and
 * config schemas all use it.
 */
export function isMaxDelete(value: unknown): value is MaxDelete {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0;
  return typeof value === 'string' && MAX_DELETE_PERCENTAGE.test(value) && Number(value.slice(0, -1)) <= 100;
}

/** The form of a percentage `maxDelete` (`'10%'`, `'2.5%'`); {@link isMaxDelete} also caps it at 100. */
export const MAX_DELETE_PERCENTAGE = /^\d+(\.\d+)?%$/;

/**
 * Parses a `maxDelete` written as text (a flag, an environment value): `'100'` is a count,
 * `'10%'` a percentage. Returns undefined for anything else.
 * @public
 */
export function parseMaxDelete(text: string): MaxDelete | undefined {
  const value = /^\d+$/.test(text) ? Number(text) : text;
  return isMaxDelete(value) ? value : undefined;
}

/** What a `maxDelete` may be, for error messages. */
export const MAX_DELETE_RULE = 'a non-negative integer or a percentage such as "10%"';
