/**
 * One file or object, as a listing produced it. Keys are relative to the location's root and
 * use `/` as separator on every platform.
 * @public
 */
export interface Entry {
  /** Key relative to the location root, e.g. `img/logo.png`. */
  readonly key: string;
  /** Size in bytes. */
  readonly size: number;
  /**
   * Modification time in milliseconds since the epoch: a local file's mtime, or an object's
   * `LastModified` (the time it was written to S3, not the source file's time).
   */
  readonly mtimeMs: number;
  /** The object's ETag without quotes (S3 entries only). */
  readonly etag?: string;
  /** The object's storage class as listed (S3 entries only). */
  readonly storageClass?: string;
  /** Absolute path of a local file (local entries only). */
  readonly path?: string;
  /**
   * Where a manifest entry comes from (manifest entries only): an `http(s)://` URL to fetch, or
   * `s3://bucket/key` (the key as stored, not encoded) of an object to copy.
   */
  readonly url?: string;
  /** The version of the `s3://` source object to copy (copy lists with a version id only). */
  readonly versionId?: string;
}

/** The bucket and key of an `s3://bucket/key` manifest source; undefined for other URLs. */
export function s3SourceOf(url: string | undefined): { readonly bucket: string; readonly key: string } | undefined {
  if (url === undefined || !url.startsWith('s3://')) return undefined;
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  return slash <= 0 ? undefined : { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

/**
 * What a HEAD of an object tells beyond the listing: the source mtime stored by s3kit (or
 * rclone) in `x-amz-meta-mtime`, and the part size s3kit used for a multipart upload.
 * @public
 */
export interface EntryMetadata {
  /** The source file's mtime (ms) stored at upload time, when the object carries one. */
  readonly sourceMtimeMs?: number;
  /** The part size of a multipart upload made by s3kit, from `x-amz-meta-s3kit-part-size`. */
  readonly partSize?: number;
  /** The ETag from the HEAD response, without quotes. */
  readonly etag?: string;
}

/** Metadata names s3kit writes on upload (lower case, without the `x-amz-meta-` prefix). */
export const MTIME_METADATA = 'mtime';
export const PART_SIZE_METADATA = 's3kit-part-size';

/** Formats an mtime the way rclone stores it: seconds since the epoch with a fraction. */
export function formatMtimeMetadata(mtimeMs: number): string {
  return (mtimeMs / 1000).toFixed(3);
}

/** Parses `x-amz-meta-mtime` written by s3kit or rclone (seconds, maybe fractional), else undefined. */
export function parseMtimeMetadata(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Math.round(Number(value) * 1000);
}
