import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { formatLocation, parseLocation, type LocalLocation, type Location } from '../core/location.js';
import { KeyFilter, type FilterOptions } from '../listing/key-filter.js';
import type { BackupDestination } from '../transfer/backup.js';

/** The placeholder syntax: `{name}`. */
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The placeholders a backup location may hold, each rendered in UTC from the run's start. */
const PLACEHOLDERS: Readonly<Record<string, (at: Date) => string>> = {
  date: (at) => at.toISOString().slice(0, 10),
  time: (at) => at.toISOString().slice(11, 19).replaceAll(':', ''),
};

/**
 * The `backup` and `backupSuffix` options, checked once: the location's kind matches the
 * target's, placeholders are known, and the location overlaps neither side. `at(date)` renders
 * them for a run (checked again, as a date can only add text after the fixed part);
 * `resolveAt(date)` does that and, for a local backup directory, checks the real paths too, as a
 * run is about to write there. With a suffix and no location, backups stay beside the
 * originals, and `suffixed` matches their keys: the run leaves such keys out on both sides, so
 * it never syncs or deletes its own backups.
 */
export interface BackupTemplate {
  at(date: Date): BackupDestination;
  resolveAt(date: Date): Promise<BackupDestination>;
  readonly suffixed: RegExp | undefined;
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
  options: { readonly backup?: unknown; readonly backupSuffix?: unknown },
  source: Location | undefined,
  target: Location,
  filters: FilterOptions & { readonly delete?: boolean; readonly deleteExcluded?: boolean },
): BackupTemplate | undefined {
  const { backup: value, backupSuffix: suffix } = options;
  if (value === undefined && suffix === undefined) return undefined;
  if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
    throw new ConfigError('backup', `backup must be an s3://bucket/prefix (S3 targets) or a directory (local targets), got ${JSON.stringify(value)}.`);
  }
  if (suffix !== undefined && (typeof suffix !== 'string' || suffix === '' || suffix.includes('/') || suffix.includes('\\'))) {
    throw new ConfigError('backupSuffix', `backupSuffix must be text added to a file name, without "/" or "\\", such as ".{date}" or "~"; got ${JSON.stringify(suffix)}.`);
  }
  if (value !== undefined) checkPlaceholders(value, 'backup');
  if (suffix !== undefined) checkPlaceholders(suffix, 'backupSuffix');
  if (target.kind === 'manifest') throw new ConfigError('backup', 'a manifest is never a target: there is nothing to back up.');
  const at = (date: Date): BackupDestination => {
    const renderedSuffix = suffix === undefined ? undefined : render(suffix, date);
    if (value === undefined) return { location: target, suffix: renderedSuffix };
    const location = parseLocation(render(value, date), 'backup');
    checkBackup(location, source, target, filters);
    return { location, suffix: renderedSuffix };
  };
  at(new Date());
  const resolveAt = async (date: Date): Promise<BackupDestination> => {
    const destination = at(date);
    if (value !== undefined && destination.location.kind === 'local' && target.kind === 'local') await checkRealPaths(destination.location, target, filters);
    return destination;
  };
  return { at, resolveAt, suffixed: value === undefined && suffix !== undefined ? suffixPattern(suffix) : undefined };
}

function checkPlaceholders(value: string, field: 'backup' | 'backupSuffix'): void {
  for (const match of value.matchAll(PLACEHOLDER)) {
    if (PLACEHOLDERS[match[1] ?? ''] === undefined) {
      throw new ConfigError(field, `${field} ${JSON.stringify(value)}: unknown placeholder {${match[1]}}; use {date} (YYYY-MM-DD) or {time} (HHMMSS), in UTC.`);
    }
  }
}

function render(template: string, date: Date): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) => PLACEHOLDERS[name]?.(date) ?? '');
}

/** Keys that end with `suffix` as any date or time would render it. */
function suffixPattern(suffix: string): RegExp {
  const shapes: Readonly<Record<string, string>> = { date: '\\d{4}-\\d{2}-\\d{2}', time: '\\d{6}' };
  let pattern = '';
  let last = 0;
  for (const match of suffix.matchAll(PLACEHOLDER)) {
    pattern += escapeRegExp(suffix.slice(last, match.index)) + (shapes[match[1] ?? ''] ?? '');
    last = match.index + match[0].length;
  }
  return new RegExp(`${pattern}${escapeRegExp(suffix.slice(last))}$`, 'u');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
