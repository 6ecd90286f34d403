import { ConfigError } from './errors.js';
import type { LocalLocation, Location, ManifestLocation, S3Location } from './location.js';

/**
 * Which way a sync moves data, worked out once from its two locations:
 * - `upload`: local directory → S3
 * - `download`: S3 → local directory
 * - `copy`: S3 → S3
 * - `ingest`: manifest of URLs → S3
 * @public
 */
export type Direction = 'upload' | 'download' | 'copy' | 'ingest';

/**
 * The {@link Direction} from `source` to `target`. Throws a `ConfigError` (field `target`) for
 * pairs no sync can run: two local directories, a manifest as target, a manifest into a
 * directory.
 * @public
 */
export function directionOf(source: Location, target: Location): Direction {
  return routeOf(source, target).direction;
}

/**
 * The two locations of a sync with their direction, each side typed by it: code that switches
 * on `direction` knows which side is local, S3 or a manifest without checking `kind` again.
 */
export type Route =
  | { readonly direction: 'upload'; readonly from: LocalLocation; readonly to: S3Location }
  | { readonly direction: 'download'; readonly from: S3Location; readonly to: LocalLocation }
  | { readonly direction: 'copy'; readonly from: S3Location; readonly to: S3Location }
  | { readonly direction: 'ingest'; readonly from: ManifestLocation; readonly to: S3Location };

/** The {@link Route} from `source` to `target`; refuses the pairs {@link directionOf} refuses. */
export function routeOf(source: Location, target: Location): Route {
  if (target.kind === 'manifest') throw new ConfigError('target', 'a manifest can only be a source: give an s3:// target.');
  if (target.kind === 'local') {
    if (source.kind === 'local') {
      throw new ConfigError('target', 'both source and target are local directories: one side must be an s3://bucket/prefix URL.');
    }
    if (source.kind === 'manifest') throw new ConfigError('target', 'a manifest of URLs can only be synced into S3: give an s3:// target.');
    return { direction: 'download', from: source, to: target };
  }
  if (source.kind === 'local') return { direction: 'upload', from: source, to: target };
  if (source.kind === 'manifest') return { direction: 'ingest', from: source, to: target };
  return { direction: 'copy', from: source, to: target };
}
