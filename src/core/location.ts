import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.js';

/**
 * A local directory.
 * @public
 */
export interface LocalLocation {
  /** Discriminant. */
  readonly kind: 'local';
  /** Absolute path of the directory. */
  readonly path: string;
}

/**
 * A bucket and a key prefix.
 * @public
 */
export interface S3Location {
  /** Discriminant. */
  readonly kind: 's3';
  /** The bucket name. */
  readonly bucket: string;
  /**
   * Key prefix, either empty or ending in `/`: `s3://b/photos` and `s3://b/photos/` both mean
   * the "folder" `photos/`, as in `aws s3 sync`.
   */
  readonly prefix: string;
}

/**
 * A manifest: a text file listing `https://…` URLs (optionally `url<TAB>key`), each streamed
 * into the target bucket. A source only.
 * @public
 */
export interface ManifestLocation {
  /** Discriminant. */
  readonly kind: 'manifest';
  /** Absolute path of the manifest file. */
  readonly path: string;
}

/**
 * Where a sync reads from or writes to, parsed once from the user's string.
 * @public
 */
export type Location = LocalLocation | S3Location | ManifestLocation;

/**
 * Parses `s3://bucket/prefix`, `manifest:PATH` (a file of URLs), `file:///path` or a local path (relative paths are resolved
 * against the working directory). Throws a {@link ConfigError} naming `field` for an invalid
 * bucket name or an unsupported scheme. Does no I/O (the syncer checks that a local directory exists when it runs).
 * @param field - the option the string came from, used in error messages.
 * @public
 */
export function parseLocation(input: string, field = 'location'): Location {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new ConfigError(field, `${field} is empty: give a local directory or an s3://bucket/prefix URL.`);
  }
  if (/^manifest:/i.test(input)) {
    const path = input.slice('manifest:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new ConfigError(field, `${field} "manifest:" needs the path of the URL list, e.g. manifest:./urls.txt.`);
    return { kind: 'manifest', path: resolve(path) };
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):\/\//.exec(input)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'local', path: resolve(input) };
  if (scheme === 'file') return { kind: 'local', path: fileURLToPath(input) };
  if (scheme === 's3') return parseS3Url(input, field);
  throw new ConfigError(
    field,
    `${field} ${JSON.stringify(input)} uses the unsupported scheme "${scheme}://": use s3://bucket/prefix or a local path.`,
  );
}

function parseS3Url(input: string, field: string): S3Location {
  const rest = input.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const problem = bucketNameProblem(bucket);
  if (problem !== undefined) {
    throw new ConfigError(field, `${field} ${JSON.stringify(input)} has an invalid bucket name: ${problem}.`);
  }
  let prefix = slash === -1 ? '' : rest.slice(slash + 1);
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  return { kind: 's3', bucket, prefix };
}

/**
 * Why a bucket name breaks the S3 naming rules, or undefined when it is valid.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
function bucketNameProblem(bucket: string): string | undefined {
  if (bucket === '') return 'the bucket name is missing (s3://BUCKET/prefix)';
  if (bucket.length < 3 || bucket.length > 63) return `"${bucket}" must be 3 to 63 characters long`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) {
    return `"${bucket}" may hold only lower-case letters, digits, dots and hyphens, and must begin and end with a letter or digit`;
  }
  if (bucket.includes('..')) return `"${bucket}" must not contain two adjacent dots`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return `"${bucket}" must not look like an IP address`;
  return undefined;
}

/**
 * Parses `s3://bucket/key` naming one object (the key is kept exactly, trailing `/` included).
 * Throws a {@link ConfigError} naming `field` when the bucket or the key is missing or invalid.
 * @public
 */
export function parseS3ObjectUrl(input: string, field = 'url'): { readonly bucket: string; readonly key: string } {
  if (!/^s3:\/\//i.test(input)) throw new ConfigError(field, `${field} ${JSON.stringify(input)} must be an s3://bucket/key URL.`);
  const rest = input.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const problem = bucketNameProblem(bucket);
  if (problem !== undefined) throw new ConfigError(field, `${field} ${JSON.stringify(input)} has an invalid bucket name: ${problem}.`);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  if (key === '') throw new ConfigError(field, `${field} ${JSON.stringify(input)} names no object: use s3://${bucket}/KEY.`);
  return { bucket, key };
}

/**
 * Renders a location back as the string a user would type.
 * @public
 */
export function formatLocation(location: Location): string {
  if (location.kind === 's3') return `s3://${location.bucket}/${location.prefix}`;
  return location.kind === 'manifest' ? `manifest:${location.path}` : location.path;
}
