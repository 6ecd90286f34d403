import { TransferError } from '../core/errors.js';
import { localKeyPath } from '../core/local-path.js';

/**
 * The local path for a key under `root`, or a {@link TransferError} (`UnsafeKey`) for a key that
 * could not be written safely (see {@link localKeyPath} for the rules).
 */
export function localPathForKey(root: string, key: string): string {
  const result = localKeyPath(root, key);
  if (result.unsafe !== undefined) throw new TransferError('get', key, result.unsafe, { code: 'UnsafeKey' });
  return result.path;
}
