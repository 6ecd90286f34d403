import { randomBytes } from 'node:crypto';
import { copyFile, link, lstat, rename, stat, unlink, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Entry } from '../core/entry.js';
import { TransferError } from '../core/errors.js';
import type { LocalLocation, Location, S3Location } from '../core/location.js';
import { describeS3Error, httpStatus, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';
import { checkPathBelowRoot, resolveDestinationRoot } from './local-destination.js';
import { localPathForKey } from './local-key-path.js';
import type { S3ToS3Copier } from './s3-to-s3-copier.js';

/*
 * Backups of what a sync replaces: before an update overwrites a target entry or the delete
 * phase removes one, the entry is kept under the backup location with the same relative key.
 * A backup that fails stops that overwrite or delete (the caller reports the failure); an entry
 * already gone has nothing to keep, and the change goes ahead.
 */

/** Why a target entry is backed up: it is about to be overwritten, or deleted. */
export type BackupReason = 'overwrite' | 'delete';

/**
 * Where target entries are kept before a run replaces them: under `location` (of the target's
 * kind; the target itself when only a suffix is given) with the same relative key, plus `suffix`.
 * @public
 */
export interface BackupDestination {
  readonly location: Location;
  /** Added to each kept entry's name (`a.txt` → `a.txt.2026-11-22`). @defaultValue none */
  readonly suffix?: string;
}

/**
 * Keeps an S3 target object under the backup prefix: a server-side copy (through the copier,
 * so objects past 5 GiB go in parts) of the very version that was listed — the copy is
 * conditional on its ETag, so an object changed since the listing is not silently replaced by
 * a version nobody backed up. Resolves false when the object is gone.
 */
export async function backUpObject(
  copier: S3ToS3Copier,
  target: S3Location,
  backup: S3Location,
  suffix: string,
  entry: Entry,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const backupKey = backup.prefix + entry.key + suffix;
  try {
    await copier.copy({
      sourceBucket: target.bucket,
      sourceKey: target.prefix + entry.key,
      source: entry,
      targetBucket: backup.bucket,
      targetKey: backupKey,
      signal,
    });
    return true;
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    if (s3ErrorCode(error) === 'NoSuchKey' || (httpStatus(error) === 404 && s3ErrorCode(error) !== 'NoSuchBucket')) return false;
    const changed = httpStatus(error) === 412 ? ' (the object changed since it was listed; the next run sees the new version)' : '';
    throw new TransferError(
      'backup',
      entry.key,
      `cannot back up s3://${target.bucket}/${target.prefix}${entry.key} to s3://${backup.bucket}/${backupKey}${changed}: ${describeS3Error(error, backup.bucket)}; the object was left as it is.`,
      { code: s3ErrorCode(error), retryable: isRetryableError(error), cause: error },
    );
  }
}

/**
 * Keeps a local target file under the backup directory: hard-linked when it is about to be
 * overwritten (the download then renames a new file over the target, and the backup keeps the
 * old one), moved when it is about to be deleted; copied instead where the backup directory is
 * on another file system. Neither the file's path in the target nor the backup's path may go
 * through a symbolic link. Resolves false when the file is gone.
 */
export async function backUpFile(targetRoot: string, backup: LocalLocation, suffix: string, entry: Entry, reason: BackupReason): Promise<boolean> {
  const from = localPathForKey(targetRoot, entry.key);
  let to: string | undefined;
  try {
    await checkPathBelowRoot(targetRoot, from, { operation: 'backup', key: entry.key, create: false });
    // The walk listed a file: what stands there now may be a directory made since, which a
    // rename would carry off whole (a delete without a backup refuses it too).
    if (!(await lstat(from)).isFile()) {
      throw new TransferError('backup', entry.key, `cannot back up ${from}: it is no longer a file; it was left as it is.`, { code: 'EISDIR' });
    }
    const backupRoot = await resolveDestinationRoot(backup.path, true);
    to = localPathForKey(backupRoot, entry.key + suffix);
    await checkPathBelowRoot(backupRoot, to, { operation: 'backup', key: entry.key, create: true });
    if (reason === 'delete') await moveFile(from, to);
    else await linkFile(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && (await missing(from))) return false;
    // Refusals of ours (a link on the path, no longer a file) already say what and why.
    if (error instanceof TransferError) throw error;
    throw new TransferError('backup', entry.key, `cannot back up ${from} to ${to ?? backup.path} (${code ?? String(error)}); the file was left as it is.`, {
      code,
      cause: error,
    });
  }
}

/** Links `from` at `to` (replacing what is there), or copies it across file systems. */
async function linkFile(from: string, to: string): Promise<void> {
  const temporary = temporaryBeside(to);
  try {
    await link(from, temporary);
  } catch (error) {
    if (!crossesDevices(error)) throw error;
    await copyWithTimes(from, temporary);
  }
  await rename(temporary, to).catch(async (error: unknown) => {
    await unlink(temporary).catch(() => {});
    throw error;
  });
}

/** Moves `from` to `to` (replacing what is there), or copies and then removes it across file systems. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if (!crossesDevices(error)) throw error;
    const temporary = temporaryBeside(to);
    await copyWithTimes(from, temporary);
    await rename(temporary, to);
    await unlink(from);
  }
}

async function copyWithTimes(from: string, to: string): Promise<void> {
  const stats = await stat(from);
  await copyFile(from, to);
  await utimes(to, stats.atime, stats.mtime);
}

function temporaryBeside(path: string): string {
  return `${dirname(path)}/.s3kit-backup-${randomBytes(6).toString('hex')}.tmp`;
}

/** A link or rename refused because the two paths are on different file systems (or links are not supported there). */
function crossesDevices(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EXDEV' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP';
}

async function missing(path: string): Promise<boolean> {
  return stat(path).then(
    () => false,
    (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
  );
}
