import { ConfigError } from '../core/errors.js';

/**
 * A limit on deletes: a count (`100`) or a percentage of the target's keys (`'10%'`).
 * @public
 */
export type MaxDelete = number | `${number}%`;

/** Validates a {@link MaxDelete} and returns the largest number of deletes it allows. */
export function maxDeleteAllowance(maxDelete: MaxDelete, targetCount: number): number {
  if (typeof maxDelete === 'number') return maxDelete;
  return Math.floor((targetCount * Number(maxDelete.slice(0, -1))) / 100);
}

/** Throws a {@link ConfigError} unless `value` is a non-negative integer or a percentage 0–100. */
export function validateMaxDelete(value: unknown): MaxDelete | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?%$/.test(value) && Number(value.slice(0, -1)) <= 100) {
    return value as `${number}%`;
  }
  throw new ConfigError('maxDelete', `maxDelete must be a non-negative integer or a percentage such as "10%", got ${JSON.stringify(value)}.`);
}
