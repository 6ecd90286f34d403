import { isAbsolute, join, sep } from 'node:path';

/**
 * Where a key goes under a local root: `path`, or `unsafe` (a sentence saying why the key cannot
 * be written there safely). A result, not an error: how a refused key fails is the caller's to say.
 */
export type LocalKeyPath = { readonly path: string; readonly unsafe?: undefined } | { readonly path?: undefined; readonly unsafe: string };

/**
 * The local path for a key under `root`, or why it is refused: `..` or `.` segments, empty
 * segments (`a//b`, a leading `/`), NUL, or anything else that would resolve outside `root`. A
 * trailing `/` (a directory marker) is allowed.
 */
export function localKeyPath(root: string, key: string): LocalKeyPath {
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
    return { unsafe: `refusing to write ${JSON.stringify(key)} to disk: ${problem}, so it is not a safe local path.` };
  }
  const path = join(root, ...segments);
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep)) {
    return { unsafe: `refusing to write ${JSON.stringify(key)}: it resolves outside ${root}.` };
  }
  return { path };
}
