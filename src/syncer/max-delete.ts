import { ConfigError } from '../core/errors.js';
import { isMaxDelete, MAX_DELETE_RULE, type MaxDelete } from '../core/max-delete.js';

export type { MaxDelete } from '../core/max-delete.js';
export { isMaxDelete, parseMaxDelete } from '../core/max-delete.js';

/** The largest number of deletes a valid {@link MaxDelete} allows among `targetCount` target keys. */
export function maxDeleteAllowance(maxDelete: MaxDelete, targetCount: number): number {
  if (typeof maxDelete === 'number') return maxDelete;
  return Math.floor((targetCount * Number(maxDelete.slice(0, -1))) / 100);
}

/** Throws a {@link ConfigError} unless `value` is a valid {@link MaxDelete} (see `isMaxDelete`). */
export function validateMaxDelete(value: unknown): MaxDelete | undefined {
  if (value === undefined) return undefined;
  if (isMaxDelete(value)) return value;
  throw new ConfigError('maxDelete', `maxDelete must be ${MAX_DELETE_RULE}, got ${JSON.stringify(value)}.`);
}
