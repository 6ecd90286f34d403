import type { Stats } from 'node:fs';
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { TransferError } from '../core/errors.js';

/*
 * Downloads and local deletes never create, write, rename into or delete through a symbolic link
 * below the destination root. A check of the path string cannot see links, so every component
 * below the root is checked with lstat, and missing directories are made one at a time (mkdir
 * without `recursive`, which never follows a link in the last component) and checked again.
 *
 * Residual race: Node has no openat()/unlinkat(), so between a check and the write, rename or
 * unlink that follows it, a process that can write inside the destination could swap a checked
 * directory for a link. The window is a few system calls wide: components are checked again right
 * before the rename, and temp files are created with O_EXCL on a fresh random name (which never
 * follows a link in the last component). Closing it fully needs directory file descriptors.
 */

/**
 * The destination directory's real path (the path the user gave may itself be a link, which they
 * chose), so that only components below it are checked; the transfer manager resolves it once.
 * With `create`, a missing root (and its parents, the user's own path) is created first.
 */
export async function resolveDestinationRoot(root: string, create: boolean): Promise<string> {
  if (create) await mkdir(root, { recursive: true });
  return realpath(root);
}

/** What {@link checkPathBelowRoot} checks, and for which key. */
export interface PathCheck {
  /** The operation named in errors: `get` or `delete`. */
  readonly operation: string;
  /** The key, named in errors. */
  readonly key: string;
  /** Make missing directories on the way (downloads), or only check (re-checks, deletes). */
  readonly create: boolean;
  /** `path` is a directory to make too (a directory marker), not a file. */
  readonly directory?: boolean;
}

/**
 * Checks every directory between `root` and `path` (exclusive) and, with `create`, makes the
 * missing ones; then checks `path` itself, which may be missing but must not be a link. Throws
 * a `SymlinkInPath` {@link TransferError} at the first link.
 */
export async function checkPathBelowRoot(root: string, path: string, request: PathCheck): Promise<void> {
  const segments = relative(root, path).split(sep);
  if (segments.length === 0 || segments[0] === '' || segments[0] === '..') {
    throw new TransferError(request.operation, request.key, `refusing ${path}: it is not below the destination ${root}.`, { code: 'UnsafeKey' });
  }
  let current = root;
  for (const [index, segment] of segments.entries()) {
    current = join(current, segment);
    const last = index === segments.length - 1;
    const directory = !last || request.directory === true;
    let stats = await lstatOrMissing(current);
    if (stats === undefined && directory && request.create) {
      try {
        await mkdir(current);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      // Checked again: what mkdir found or made is what the next component goes through.
      stats = await lstatOrMissing(current);
    }
    if (stats === undefined) {
      // Nothing there, or (only checking) a parent already gone: nothing below it to reach.
      if (last || !request.create) return;
      throw new TransferError(request.operation, request.key, `cannot create the directory ${current}: it vanished while it was made.`, {
        code: 'ENOENT',
        retryable: true,
      });
    }
    if (stats.isSymbolicLink()) throw symlinkInPath(request.operation, request.key, current);
    if (directory && !stats.isDirectory()) {
      throw new TransferError(request.operation, request.key, `cannot use ${current} as a directory for ${JSON.stringify(request.key)}: it is a file.`, {
        code: 'ENOTDIR',
      });
    }
  }
}

/** The error of a key whose local path goes through a symbolic link. */
export function symlinkInPath(operation: string, key: string, link: string): TransferError {
  const what = operation === 'delete' ? 'delete' : 'write';
  return new TransferError(
    operation,
    key,
    `refusing to ${what} ${JSON.stringify(key)}: ${link} is a symbolic link, and s3kit never writes, renames or deletes through a link inside the destination.`,
    { code: 'SymlinkInPath' },
  );
}

async function lstatOrMissing(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
