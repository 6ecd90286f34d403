import { isAbsolute, join, sep } from 'node:path';
import { TransferError } from './errors.js';

/**
 * The local path for a key under `root`, or a {@link TransferError} (`UnsafeKey`) for a key that
 * could not be written safely: `..` or `.` segments, empty segments (`a//b`, a leading `/`), NUL,
 * or anything else that would resolve outside `root`. A trailing `/` (a directory marker) is
 * allowed.
 */
export function localPathForKey(root: string, key: string): string {
  const body = key.endsWith('/') ? key.slice(0, -1) : key;
  const segments = body.split('/');
  const problem =
    key.includes('\0')
      ? 'it contains a NUL character'
      : isAbsolute(key) || key.startsWith('/')
        ? 'it is an absolute path'
        : segments.some((segment) => segment === '..')
          ? 'it has a ".." segment'
          : segments.some((segment) => segment === '.' || segment === '')
            ? 'it has an empty or "." segment'
            : sep !== '/' && key.includes(sep)
              ? `it contains the separator "${sep}"`
              : undefined;
  if (problem !== undefined) {
    throw new TransferError('get', key, `refusing to write ${JSON.stringify(key)} to disk: ${problem}, so it is not a safe local path.`, {
      code: 'UnsafeKey',
    });
  }
  const path = join(root, ...segments);
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep)) {
    throw new TransferError('get', key, `refusing to write ${JSON.stringify(key)}: it resolves outside ${root}.`, { code: 'UnsafeKey' });
  }
  return path;
}
