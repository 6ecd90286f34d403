import { stat, type FileHandle } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { TransferError } from '../core/errors.js';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What says a file is still the one whose bytes are being read. Size and mtime are not enough:
 * a writer can put the old mtime back (`touch -d`, `utimes`, rsync `-t`, an editor that
 * preserves it), or rename a new file of the same size into place. The kernel sets ctime to
 * "now" on every write, truncate, utimes, chmod and (on Linux file systems) rename, and no
 * call can set it back; inode and device tell a replaced file from the one we opened.
 */
export interface FileIdentity {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly dev: number;
}

/**
 * Kernel timestamps come from a clock that advances in ticks (a jiffy, 1–10 ms on Linux), so two
 * changes within one tick can carry the same ctime. A ctime older than this is safe to compare.
 */
export const TIMESTAMP_TICK_MS = 20;

export function identityOf(stats: Stats): FileIdentity {
  return { size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino, dev: stats.dev };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.dev === b.dev;
}

/**
 * The identity of an open file, taken once its ctime is older than one timestamp tick: a write
 * that follows in the same tick as the last change would otherwise leave ctime unchanged and go
 * unseen. Waits at most a few ticks (a file written without pause keeps changing, and the checks
 * after reading catch that).
 */
export async function settledIdentity(handle: FileHandle): Promise<FileIdentity> {
  let identity = identityOf(await handle.stat());
  for (let wait = 0; wait < 5 && identity.ctimeMs > Date.now() - TIMESTAMP_TICK_MS; wait++) {
    await sleep(TIMESTAMP_TICK_MS);
    identity = identityOf(await handle.stat());
  }
  return identity;
}

/**
 * True when both the open handle and the path still show `expected`: the bytes read through the
 * handle are the file's, and the path has not been pointed at another file.
 */
export async function stillSameFile(handle: FileHandle, path: string, expected: FileIdentity): Promise<boolean> {
  const [open, named] = await Promise.all([handle.stat(), stat(path).catch(() => undefined)]);
  return named !== undefined && sameIdentity(identityOf(open), expected) && sameIdentity(identityOf(named), expected);
}

/**
 * Flags for opening a source file to read it. O_NONBLOCK: a FIFO put where a file was (after the
 * walk saw a file) would otherwise block open() in the thread pool for ever, past every signal
 * (process.exit waits for that thread too); on a regular file it changes nothing. What was
 * opened must then be checked to be a regular file ({@link notAFile}).
 */
export const SOURCE_READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** The error of a source path that is no longer a regular file (a FIFO, socket or device now). */
export function notAFile(key: string, path: string): TransferError {
  return new TransferError('read', key, `${path} is no longer a regular file (a FIFO, socket or device took its place); not uploaded.`, {
    code: 'NotAFile',
  });
}
