import { ListObjectVersionsCommand, type DeleteMarkerEntry, type ListObjectVersionsCommandOutput, type ObjectVersion as SdkObjectVersion, type S3Client } from '@aws-sdk/client-s3';
import { compareKeys, ListingError, ListingOrderError, type S3Location } from '../index.js';
import { stripEtagQuotes } from '../core/etag.js';
import { describeS3Error, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';

/**
 * One version of an object, or one delete marker, as ListObjectVersions gives it.
 * @public
 */
export interface ObjectVersion {
  /** The key, relative to the listed location's prefix. */
  readonly key: string;
  /** The version's id (`null` for an object written before versioning was enabled). */
  readonly versionId: string;
  /** Whether this is the key's current version (or, for a delete marker, whether the key is deleted now). */
  readonly isLatest: boolean;
  /** When this version was written (or the key deleted), to the millisecond as the listing gives it. */
  readonly lastModified: Date;
  /** Size in bytes; 0 for a delete marker. */
  readonly size: number;
  /** The version's ETag without quotes; undefined for a delete marker. */
  readonly etag: string | undefined;
  /** True for a delete marker: the key was deleted at `lastModified`. */
  readonly deleteMarker: boolean;
  /** The version's storage class; undefined for a delete marker. */
  readonly storageClass: string | undefined;
}

/**
 * Options of {@link listVersions}.
 * @public
 */
export interface ListVersionsOptions {
  /**
   * Only the versions of this key (relative to the location's prefix), not those of the keys it
   * is a prefix of.
   * @defaultValue every key under the prefix
   */
  readonly key?: string;
  /**
   * Versions and delete markers per ListObjectVersions page.
   * @defaultValue `1000`
   */
  readonly pageSize?: number;
  /** Cancels the listing. */
  readonly signal?: AbortSignal;
}

/**
 * Streams every version and delete marker under an S3 location, one page in memory at a time:
 * keys in S3 key order (`compareKeys`), each key's entries newest first, as S3 returns
 * them. A key that breaks the order fails with a `ListingOrderError`, since
 * {@link versionsAt} relies on it; a failed page with a `ListingError`.
 * @public
 */
export async function* listVersions(client: S3Client, location: S3Location, options: ListVersionsOptions = {}): AsyncGenerator<ObjectVersion> {
  const prefix = location.prefix + (options.key ?? '');
  const exactKey = options.key === undefined ? undefined : prefix;
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  let previousKey: string | undefined;
  for (;;) {
    const page = await listPage(client, location, {
      Bucket: location.bucket,
      Prefix: prefix === '' ? undefined : prefix,
      KeyMarker: keyMarker,
      VersionIdMarker: versionIdMarker,
      MaxKeys: options.pageSize ?? 1000,
    }, options.signal);
    for (const entry of mergePage(page)) {
      const fullKey = entry.Key;
      if (fullKey === undefined || fullKey === location.prefix) continue;
      if (exactKey !== undefined && fullKey !== exactKey) {
        // Keys sort after their prefix: once past the key, nothing of it follows.
        if (compareKeys(fullKey, exactKey) > 0) return;
        continue;
      }
      if (previousKey !== undefined && compareKeys(fullKey, previousKey) < 0) throw new ListingOrderError('source', previousKey, fullKey);
      previousKey = fullKey;
      yield toVersion(entry, location.prefix);
    }
    if (page.IsTruncated !== true) return;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
    if ((keyMarker ?? '') === '') {
      // As in listS3: a listing that says it goes on but cannot be continued is a failure, never
      // a complete listing (a restore with delete would act on it).
      throw new ListingError(
        'source',
        `Cannot list the versions of s3://${location.bucket}/${location.prefix}: the server said the listing goes on (IsTruncated) but gave no key marker, so the rest cannot be read.`,
        { code: 'TruncatedListing' },
      );
    }
  }
}

type Listed = (SdkObjectVersion | DeleteMarkerEntry) & { readonly marker: boolean };

async function listPage(
  client: S3Client,
  location: S3Location,
  input: ConstructorParameters<typeof ListObjectVersionsCommand>[0],
  signal: AbortSignal | undefined,
): Promise<ListObjectVersionsCommandOutput> {
  try {
    return await client.send(new ListObjectVersionsCommand(input), { abortSignal: signal });
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    throw new ListingError('source', `Cannot list the versions of s3://${location.bucket}/${location.prefix}: ${describeS3Error(error, location.bucket)}`, {
      code: s3ErrorCode(error),
      cause: error,
      retryable: isRetryableError(error),
    });
  }
}

/**
 * The page's versions and delete markers in one sequence. The SDK parses the response's
 * interleaved <Version> and <DeleteMarker> elements into two arrays, each in listing order
 * (key, then newest first); merged back by key, then newest first. Entries of one key with the
 * same LastModified keep versions before markers, the latest first. A page holds a contiguous
 * stretch of the listing, so merging page by page keeps the whole order.
 */
function* mergePage(page: ListObjectVersionsCommandOutput): Generator<Listed> {
  const versions = (page.Versions ?? []).map((entry) => ({ ...entry, marker: false }));
  const markers = (page.DeleteMarkers ?? []).map((entry) => ({ ...entry, marker: true }));
  let v = 0;
  let m = 0;
  while (v < versions.length || m < markers.length) {
    const version = versions[v];
    const marker = markers[m];
    if (marker === undefined || (version !== undefined && comesFirst(version, marker))) {
      yield version!;
      v++;
    } else {
      yield marker;
      m++;
    }
  }
}

function comesFirst(version: Listed, marker: Listed): boolean {
  const order = compareKeys(version.Key ?? '', marker.Key ?? '');
  if (order !== 0) return order < 0;
  if (version.IsLatest === true) return true;
  if (marker.IsLatest === true) return false;
  return (version.LastModified?.getTime() ?? 0) >= (marker.LastModified?.getTime() ?? 0);
}

function toVersion(entry: Listed, prefix: string): ObjectVersion {
  const object = entry as SdkObjectVersion;
  return {
    key: entry.Key!.slice(prefix.length),
    versionId: entry.VersionId ?? 'null',
    isLatest: entry.IsLatest === true,
    lastModified: entry.LastModified ?? new Date(0),
    size: entry.marker ? 0 : (object.Size ?? 0),
    etag: entry.marker ? undefined : stripEtagQuotes(object.ETag),
    deleteMarker: entry.marker,
    storageClass: entry.marker ? undefined : object.StorageClass,
  };
}
