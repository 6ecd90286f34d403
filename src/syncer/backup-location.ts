import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { formatLocation, parseLocation, type LocalLocation, type Location, type S3Location } from '../core/location.js';
import { KeyFilter, type FilterOptions } from '../listing/key-filter.js';

/** Where a run keeps what it overwrites or deletes: a location of the target's kind. */
export type BackupLocation = LocalLocation | S3Location;

/** The placeholders a backup location may hold, each rendered in UTC from the run's start. */
const PLACEHOLDERS: Readonly<Record<string, (at: Date) => string>> = {
  date: (at) => at.toISOString().slice(0, 10),
  time: (at) => at.toISOString().slice(11, 19).replaceAll(':', ''),
};

/**
 * The `backup` option, checked once: its kind matches the target's, its placeholders are known,
 * and it overlaps neither side. `at(date)` renders it for a run (checked again, as a date can
 * only add text after the fixed part); `resolveAt(date)` does that and, for a local backup, checks
 * the real paths too, as a run is about to write there.
 */
export interface BackupTemplate {
  readonly template: string;
  at(date: Date): BackupLocation;
  resolveAt(date: Date): Promise<BackupLocation>;
}

/**
 * Validates the `backup` option against the sync's locations. A backup that the target (or an
 * S3 source in the same bucket) contains would be synced, overwritten or deleted by later runs;
 * one that contains the target would have the target's keys written into it. Like rclone's
 * `--backup-dir`, a backup inside the target is allowed when the filters exclude it (and
 * `deleteExcluded` is off, or the delete phase would remove the backups). `source` is undefined
 * when it lives at another endpoint (then it cannot overlap).
 * @throws ConfigError naming `backup`.
 */
export function resolveBackup(
  value: unknown,
  source: Location | undefined,
  target: Location,
  filters: FilterOptions & { readonly delete?: boolean; readonly deleteExcluded?: boolean },
): BackupTemplate | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError('backup', `backup must be an s3://bucket/prefix (S3 targets) or a directory (local targets), got ${JSON.stringify(value)}.`);
  }
  for (const match of value.matchAll(/\{([^{}]*)\}/g)) {
    if (PLACEHOLDERS[match[1] ?? ''] === undefined) {
      throw new ConfigError('backup', `backup ${JSON.stringify(value)}: unknown placeholder {${match[1]}}; use {date} (YYYY-MM-DD) or {time} (HHMMSS), in UTC.`);
    }
  }
  const at = (date: Date): BackupLocation => {
    const rendered = value.replace(/\{([^{}]*)\}/g, (_whole, name: string) => PLACEHOLDERS[name]!(date));
    const location = parseLocation(rendered, 'backup');
    checkBackup(location, source, target, filters);
    return location as BackupLocation;
  };
  at(new Date());
  const resolveAt = async (date: Date): Promise<BackupLocation> => {
    const location = at(date);
    if (location.kind === 'local' && target.kind === 'local') await checkRealPaths(location, target, filters);
    return location;
  };
  return { template: value, at, resolveAt };
}

/**
 * The paths as written can be apart while a symbolic link (in the backup's path or the target's)
 * puts one inside the other: backups would then land among the target's files, and a backup
 * around the target would write a key's old version over another key's file. So the overlap is
 * checked again on the real paths, before the run changes anything. (A link made during the run
 * is the residual race of local-destination.ts.)
 */
async function checkRealPaths(backup: LocalLocation, target: LocalLocation, filters: FilterOptions & { readonly deleteExcluded?: boolean }): Promise<void> {
  const real: LocalLocation = { kind: 'local', path: await realPathOf(backup.path) };
  const realTarget: LocalLocation = { kind: 'local', path: await realPathOf(target.path) };
  if (real.path === backup.path && realTarget.path === target.path) return;
  try {
    checkBackup(real, undefined, realTarget, filters);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError('backup', `through symbolic links, backup ${backup.path} is ${real.path} and the target ${target.path} is ${realTarget.path}: ${error.message}`);
  }
}

/** The real path of `path`, or of its deepest existing ancestor with the missing rest appended. */
async function realPathOf(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = dirname(current);
      // Anything but a missing component (a file in the way, no permission) fails the backup
      // itself when it is made; the written path is all there is to compare.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) return path;
      missing.push(basename(current));
      current = parent;
    }
  }
}

function checkBackup(
  backup: Location,
  source: Location | undefined,
  target: Location,
  filters: FilterOptions & { readonly delete?: boolean; readonly deleteExcluded?: boolean },
): void {
  if (target.kind === 's3' && backup.kind !== 's3') {
    throw new ConfigError('backup', `the target ${formatLocation(target)} is in S3, so backup must be an s3:// location in it (objects are copied there server-side); got ${formatLocation(backup)}.`);
  }
  if (target.kind === 'local' && backup.kind !== 'local') {
    throw new ConfigError('backup', `the target ${formatLocation(target)} is a local directory, so backup must be a directory too (files are linked or moved there); got ${formatLocation(backup)}.`);
  }
  const named = `backup ${formatLocation(backup)}`;
  const targetOverlap = overlapOf(backup, target);
  if (targetOverlap === 'same' || targetOverlap === 'around') {
    throw new ConfigError('backup', `${named} ${targetOverlap === 'same' ? 'is the target itself' : `contains the target ${formatLocation(target)}`}: the overlap would mix backups with the target's keys. Use a location outside the target.`);
  }
  if (typeof targetOverlap === 'string') {
    const excluded = new KeyFilter(filters).excludesSubtree(targetOverlap) && !(filters.delete === true && filters.deleteExcluded === true);
    if (!excluded) {
      throw new ConfigError(
        'backup',
        `${named} is inside the target ${formatLocation(target)}: later runs would overwrite or delete the backups. ` +
          `Use a location outside the target, or exclude "${targetOverlap}" (the ignorePatterns option: ["${targetOverlap}"]) without deleteExcluded.`,
      );
    }
  }
  if (source?.kind === 's3' && backup.kind === 's3') {
    const sourceOverlap = overlapOf(backup, source);
    if (sourceOverlap !== undefined && !(typeof sourceOverlap === 'string' && new KeyFilter(filters).excludesSubtree(sourceOverlap))) {
      throw new ConfigError('backup', `${named} overlaps the source ${formatLocation(source)}: the backups would be synced as source keys, or overwrite them. Use a location outside the source.`);
    }
  }
}

/**
 * How `backup` lies against `side`: the same location, around it, inside it (the path between,
 * relative to `side`, with a trailing `/`), or apart (undefined). Local paths are compared as
 * written (resolved, no I/O).
 */
function overlapOf(backup: Location, side: Location): 'same' | 'around' | string | undefined {
  if (backup.kind === 's3' && side.kind === 's3') {
    if (backup.bucket !== side.bucket) return undefined;
    return nested(backup.prefix, side.prefix);
  }
  if (backup.kind === 'local' && side.kind === 'local') {
    const inner = relative(resolve(side.path), resolve(backup.path));
    if (inner === '') return 'same';
    if (!inner.startsWith('..') && !isAbsolute(inner)) return `${inner.split(sep).join('/')}/`;
    const outer = relative(resolve(backup.path), resolve(side.path));
    if (!outer.startsWith('..') && !isAbsolute(outer)) return 'around';
  }
  return undefined;
}

/** Prefixes (each empty or ending in `/`): `backup` equal to, around, or inside `side`. */
function nested(backup: string, side: string): 'same' | 'around' | string | undefined {
  if (backup === side) return 'same';
  if (side.startsWith(backup)) return 'around';
  if (backup.startsWith(side)) return backup.slice(side.length);
  return undefined;
}
