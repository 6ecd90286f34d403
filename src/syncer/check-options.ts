import type { S3Client } from '@aws-sdk/client-s3';
import { routeOf, type Route } from '../core/direction.js';
import { ConfigError } from '../core/errors.js';
import { parseLocation, type Location } from '../core/location.js';
import { assertKnownNames, integerBetween, positiveInteger } from '../core/validate.js';
import { CONNECTION_OPTION_NAMES } from './connections.js';
import type { FilterOptions } from '../listing/key-filter.js';
import type { S3ConnectionOptions } from '../transfer/s3-client.js';

/**
 * Options of {@link createChecker}. The connection options reach path2, and path1 too unless
 * `sourceClient` or `sourceConnection` says it lives elsewhere (path1 stands where a sync's
 * source would, path2 where its target would, so the same flags and options apply).
 * @public
 */
export interface CheckOptions extends FilterOptions, S3ConnectionOptions {
  /** The first location: a local directory or `s3://bucket/prefix`. */
  readonly path1: string | Location;
  /** The second location: `s3://bucket/prefix`, or a local directory when path1 is in S3. */
  readonly path2: string | Location;
  /**
   * Follow symbolic links in a local directory (as a sync from it does).
   * @defaultValue `true`
   */
  readonly followSymlinks?: boolean;
  /**
   * Files in gitignore syntax whose patterns are added to `ignorePatterns` (read at the start of
   * each check).
   * @defaultValue `[]`
   */
  readonly ignorePatternFiles?: readonly string[];
  /**
   * Keys compared at once (files digested, HEADs in flight). Differences are still reported in
   * key order.
   * @defaultValue `8`
   */
  readonly concurrency?: number;
  /**
   * Keys per ListObjectsV2 page.
   * @defaultValue `1000`
   */
  readonly listPageSize?: number;
  /**
   * A client for path1 when it is in S3 on another service, account or region than path2.
   * @defaultValue path2's client
   */
  readonly sourceClient?: S3Client;
  /**
   * Like `sourceClient`, as connection options for path1 (endpoint, region, profile, credentials).
   * @defaultValue path2's connection
   */
  readonly sourceConnection?: Omit<S3ConnectionOptions, 'client'>;
}

const CHECK_OPTION_NAMES = {
  path1: true,
  path2: true,
  followSymlinks: true,
  ignorePatternFiles: true,
  concurrency: true,
  listPageSize: true,
  sourceClient: true,
  sourceConnection: true,
  ignorePatterns: true,
  ignoreFileName: true,
  rules: true,
  ignoreCase: true,
  client: true,
  ...CONNECTION_OPTION_NAMES,
} as const satisfies Record<keyof CheckOptions, true>;

/** {@link CheckOptions} validated, each default set. */
export interface ResolvedCheckOptions {
  readonly given: CheckOptions;
  /** path1 → path2 as a sync would go: `upload` (path1 local), `download` (path2 local) or `copy`. */
  readonly route: Exclude<Route, { direction: 'ingest' }>;
  readonly concurrency: number;
  readonly listPageSize: number | undefined;
  readonly maxSockets: number;
}

/**
 * Validates {@link CheckOptions}; throws a `ConfigError` naming the field, the value and what is
 * allowed. Does no I/O.
 */
export function resolveCheckOptions(options: CheckOptions): ResolvedCheckOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('createChecker needs an options object.');
  assertKnownNames(options, CHECK_OPTION_NAMES);
  if (options.sourceConnection !== undefined) assertKnownNames(options.sourceConnection, CONNECTION_OPTION_NAMES, 'sourceConnection.');
  const path1 = typeof options.path1 === 'string' ? parseLocation(options.path1, 'path1') : options.path1;
  const path2 = typeof options.path2 === 'string' ? parseLocation(options.path2, 'path2') : options.path2;
  for (const [field, location] of [['path1', path1], ['path2', path2]] as const) {
    if (location.kind === 'manifest') throw new ConfigError(field, `${field} must be a local directory or an s3://bucket/prefix URL, not a manifest of URLs.`);
  }
  if (path1.kind === 'local' && path2.kind === 'local') {
    throw new ConfigError('path2', 'path1 and path2 are both local directories: a check compares a directory with S3 or S3 with S3, so one of them must be an s3://bucket/prefix URL.');
  }
  if (options.ignoreFileName !== undefined && path1.kind !== 'local' && path2.kind !== 'local') {
    throw new ConfigError('ignoreFileName', 'ignoreFileName reads ignore files from a local directory, and both paths are in S3: use ignorePatterns or rules.');
  }
  const route = routeOf(path1, path2);
  if (route.direction === 'ingest') throw new ConfigError('path1', 'path1 cannot be a manifest of URLs.');
  const concurrency = positiveInteger(options.concurrency ?? 8, 'concurrency');
  const listPageSize =
    options.listPageSize === undefined
      ? undefined
      : integerBetween(options.listPageSize, 'listPageSize', 1, 1000, 'a whole number from 1 to 1000 (the most keys S3 returns per page)');
  const maxSockets = positiveInteger(options.maxSockets ?? Math.max(64, concurrency * 4), 'maxSockets');
  return { given: options, route, concurrency, listPageSize, maxSockets };
}
