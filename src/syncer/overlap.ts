import { ConfigError } from '../core/errors.js';
import { formatLocation, type Location } from '../core/location.js';
import { KeyFilter, type FilterOptions } from '../listing/key-filter.js';

/**
 * Refuses an S3 → S3 sync within one bucket whose prefixes contain one another: the source
 * would read what the target writes (nesting one level deeper on every run), and the target's
 * writes and deletes would land on the source's own objects. Like rclone, the overlap is
 * allowed when the filters exclude it: with `s3://b/p → s3://b/p/sub`, the source keys under
 * `sub/` (the target's own objects); with `s3://b/q/sub → s3://b/q`, the source keys under
 * `sub/` (which would be written into the source), and then `deleteExcluded` must be off, or
 * the delete phase would remove the source's objects as excluded target keys.
 *
 * Local directories are not checked here: a download and an upload never share a side.
 * @throws {@link ConfigError} naming `target`.
 */
export function assertNoOverlap(
  source: Location,
  target: Location,
  filters: FilterOptions & { readonly deleteExcluded?: boolean; readonly delete?: boolean },
): void {
  if (source.kind !== 's3' || target.kind !== 's3' || source.bucket !== target.bucket) return;
  const [outer, inner] = source.prefix.length <= target.prefix.length ? [source.prefix, target.prefix] : [target.prefix, source.prefix];
  if (!inner.startsWith(outer)) return;
  const both = `source ${formatLocation(source)} and target ${formatLocation(target)}`;
  const between = inner.slice(outer.length);
  if (between === '') throw new ConfigError('target', `${both} are the same location: a sync onto itself would do nothing but harm.`);
  const filter = new KeyFilter(filters);
  const sourceInsideTarget = source.prefix === inner;
  const excluded = filter.excludesSubtree(between) && !(sourceInsideTarget && filters.delete === true && filters.deleteExcluded === true);
  if (excluded) return;
  throw new ConfigError(
    'target',
    `${both} overlap (${formatLocation(inner === source.prefix ? source : target)} is inside the other): ` +
      `the sync would ${sourceInsideTarget ? 'overwrite or delete the source' : 'copy its own output again on every run'}. ` +
      `Use separate prefixes, or exclude "${between}" from the source (the ignorePatterns option: ["${between}"]).`,
  );
}
