import { isUtf8 } from 'node:buffer';
import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeBytes, escapeText } from '../core/escape.js';
import type { Entry } from '../core/entry.js';
import type { SyncWarning } from '../core/events.js';
import { compareKeys } from '../core/key-order.js';
import type { KeyFilter } from './key-filter.js';

/**
 * Options of {@link walkLocal}.
 * @public
 */
export interface WalkLocalOptions {
  /**
   * Follow symbolic links to files and directories (a link back to an ancestor directory is
   * reported as a `symlink-loop` warning and not entered). When false, links are skipped.
   * @defaultValue `true`
   */
  readonly followSymlinks?: boolean;
  /** Excludes keys while walking; excluded directories are not entered. */
  readonly filter?: KeyFilter;
  /** Called for everything passed over: FIFOs, sockets, loops, broken links, unreadable directories. */
  readonly onWarning?: (warning: SyncWarning) => void;
  /** Cancels the walk. */
  readonly signal?: AbortSignal;
}

/** How many `stat` calls run at once within one directory. */
const STAT_CONCURRENCY = 64;

/**
 * What the walk keeps of a child's `stat`: a directory read ahead holds one of these per child,
 * and a whole `Stats` (four `Date`s and a dozen boxed numbers, about 0.5 KB) per file made
 * read-ahead the largest live memory of a no-op over big directories.
 */
interface Child {
  readonly name: string;
  /** The name as it sorts among its siblings: directories as `name/`. */
  readonly sortName: string;
  /** `dev:ino` of a directory, to recognise a link back to an ancestor; undefined for files. */
  readonly directoryId: string | undefined;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Walks a local directory and yields its files as {@link Entry}s in S3 key order
 * ({@link compareKeys}), one directory's names in memory at a time. Siblings are sorted with
 * directories as `name/`, which puts `a-b` before `a/x` before `a0`, exactly as S3 lists them.
 * @public
 */
export async function* walkLocal(root: string, options: WalkLocalOptions = {}): AsyncGenerator<Entry> {
  const rootStats = await stat(root);
  yield* walkDirectory(root, '', new Set([identity(rootStats)]), options);
}

/** How many sibling directories are read (readdir and stats) ahead of the one being walked. */
const DIRECTORY_READ_AHEAD = 8;

/** A directory's children in key order, and the warnings its reading raised, replayed when it is walked. */
interface DirectoryRead {
  readonly children: readonly Child[];
  readonly warnings: readonly SyncWarning[];
}

async function* walkDirectory(
  absoluteDir: string,
  prefix: string,
  ancestors: Set<string>,
  options: WalkLocalOptions,
  read: Promise<DirectoryRead> = readDirectory(absoluteDir, options),
): AsyncGenerator<Entry> {
  options.signal?.throwIfAborted();
  const { children, warnings } = await read;
  for (const warning of warnings) options.onWarning?.(warning);
  // Sibling directories read ahead of the walk, by index in `children`: the walk stays in key
  // order while up to DIRECTORY_READ_AHEAD readdir/stat batches wait on the disk at once. One
  // that is then excluded or a loop was read for nothing; its warnings are dropped with it.
  const readAhead = new Map<number, Promise<DirectoryRead>>();
  let nextToRead = 0;
  const fillReadAhead = (from: number): void => {
    nextToRead = Math.max(nextToRead, from);
    while (readAhead.size < DIRECTORY_READ_AHEAD && nextToRead < children.length) {
      const index = nextToRead++;
      const child = children[index]!;
      if (child.directoryId !== undefined) readAhead.set(index, readDirectory(join(absoluteDir, child.name), options));
    }
  };

  for (const [index, child] of children.entries()) {
    const key = prefix + child.sortName;
    const absolutePath = join(absoluteDir, child.name);
    if (child.directoryId !== undefined) {
      fillReadAhead(index);
      const childRead = readAhead.get(index) ?? readDirectory(absolutePath, options);
      readAhead.delete(index);
      fillReadAhead(index + 1);
      if (await options.filter?.excludesDirectory(key)) continue;
      const id = child.directoryId;
      if (ancestors.has(id)) {
        warn(options, 'symlink-loop', absolutePath, 'symbolic link to one of its own parent directories; not entered', false);
        continue;
      }
      ancestors.add(id);
      yield* walkDirectory(absolutePath, key, ancestors, options, childRead);
      ancestors.delete(id);
    } else {
      if (await options.filter?.excludesFile(key, { parentsChecked: true })) continue;
      yield { key, size: child.size, mtimeMs: child.mtimeMs, path: absolutePath };
    }
  }
}

/** Reads and stats a directory's children, sorted in key order; never rejects. */
async function readDirectory(absoluteDir: string, walkOptions: WalkLocalOptions): Promise<DirectoryRead> {
  const warnings: SyncWarning[] = [];
  const options: WalkLocalOptions = { ...walkOptions, onWarning: (warning) => warnings.push(warning) };
  let dirents: Dirent[];
  try {
    dirents = namedInUtf8(absoluteDir, await readdir(absoluteDir, { withFileTypes: true, encoding: 'buffer' }), options);
  } catch (error) {
    warn(options, 'unreadable', absoluteDir, `cannot read directory: ${describe(error)}`, true);
    return { children: [], warnings };
  }
  const children: Child[] = [];
  for (let i = 0; i < dirents.length; i += STAT_CONCURRENCY) {
    const batch = dirents.slice(i, i + STAT_CONCURRENCY);
    const resolved = await Promise.all(batch.map((dirent) => statChild(absoluteDir, dirent, options)));
    for (const child of resolved) if (child !== undefined) children.push(child);
  }
  children.sort((a, b) => compareKeys(a.sortName, b.sortName));
  return { children, warnings };
}

/**
 * Keys are UTF-8 (S3 stores them so), and a name that is not valid UTF-8 has no key: decoding it
 * would turn its bytes into U+FFFD, which breaks the key order and can merge two names into one.
 * Such names are passed over with a warning that escapes their bytes, and since their absence
 * from the listing proves nothing, the warning cancels deletes like an unreadable directory.
 */
function namedInUtf8(dir: string, dirents: Dirent<Buffer>[], options: WalkLocalOptions): Dirent[] {
  const named: Dirent[] = [];
  for (const dirent of dirents) {
    if (isUtf8(dirent.name)) {
      (dirent as unknown as { name: string }).name = dirent.name.toString('utf8');
      named.push(dirent as unknown as Dirent);
    } else {
      warn(options, 'invalid-name', join(dir, escapeBytes(dirent.name)), 'name is not valid UTF-8, so it cannot be an S3 key; skipped (rename it to sync it)', true);
    }
  }
  return named;
}

async function statChild(dir: string, dirent: Dirent, options: WalkLocalOptions): Promise<Child | undefined> {
  const path = join(dir, dirent.name);
  if (dirent.isSymbolicLink() && options.followSymlinks === false) {
    warn(options, 'skipped-symlink', path, 'symbolic link skipped (followSymlinks is false)', false);
    return undefined;
  }
  // What is passed over below cancels deletes (incompleteListing): a FIFO or a broken link may
  // stand where a file was (a link into an unmounted drive), and the object synced from it must
  // not be deleted for its absence from the listing.
  if (!dirent.isFile() && !dirent.isDirectory() && !dirent.isSymbolicLink()) {
    warn(options, 'special-file', path, 'not a regular file or directory (FIFO, socket or device); skipped, and deletes are cancelled', true);
    return undefined;
  }
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !dirent.isSymbolicLink()) return undefined; // removed since readdir
    if (code === 'ENOENT') warn(options, 'broken-symlink', path, 'symbolic link to nothing (an unmounted drive?); skipped, and deletes are cancelled', true);
    else if (code === 'ELOOP') warn(options, 'symlink-loop', path, 'symbolic link loop; skipped, and deletes are cancelled', true);
    else warn(options, 'unreadable', path, `cannot stat: ${describe(error)}`, true);
    return undefined;
  }
  if (stats.isDirectory()) return { name: dirent.name, sortName: `${dirent.name}/`, directoryId: identity(stats), size: 0, mtimeMs: 0 };
  if (stats.isFile()) return { name: dirent.name, sortName: dirent.name, directoryId: undefined, size: stats.size, mtimeMs: stats.mtimeMs };
  warn(options, 'special-file', path, 'symbolic link to a FIFO, socket or device; skipped, and deletes are cancelled', true);
  return undefined;
}

function identity(stats: Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

function warn(
  options: WalkLocalOptions,
  code: SyncWarning['code'],
  path: string,
  message: string,
  incompleteListing: boolean,
): void {
  options.onWarning?.({ code, path, message: `${escapeText(path)}: ${message}`, incompleteListing });
}

function describe(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}
