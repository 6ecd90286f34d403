import { ListObjectVersionsCommand, type DeleteMarkerEntry, type ListObjectVersionsCommandOutput, type ObjectVersion as SdkObjectVersion, type S3Client } from '@aws-sdk/client-s3';
import { compareKeys, ListingError, ListingOrderError, type S3Location } from '../index.js';
import { stripEtagQuotes } from '../core/etag.js';
import { urlDecodedKey } from '../core/url-encoded-key.js';
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
      EncodingType: 'url',
    }, options.signal);
    let last: Listed | undefined;
    for (const entry of mergePage(decodedPage(page))) {
      last = entry;
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
    const previous = { keyMarker, versionIdMarker };
    keyMarker = continuationKey(page, last);
    versionIdMarker = page.NextVersionIdMarker;
    if (keyMarker === previous.keyMarker && versionIdMarker === previous.versionIdMarker) {
      // As in listS3: the same markers again would list the same page for ever.
      throw new ListingError(
        'source',
        `Cannot list the versions of s3://${location.bucket}/${location.prefix}: the server answered the same continuation markers twice, so the listing would never end.`,
        { code: 'RepeatedContinuationToken' },
      );
    }
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

/** The page with its keys as names, when the server URL-encoded them (it says so in EncodingType). */
function decodedPage(page: ListObjectVersionsCommandOutput): ListObjectVersionsCommandOutput {
  if (page.EncodingType !== 'url') return page;
  const decoded = <T extends { Key?: string }>(entry: T): T => (entry.Key === undefined ? entry : { ...entry, Key: urlDecodedKey(entry.Key, 'source') });
  return { ...page, Versions: page.Versions?.map(decoded), DeleteMarkers: page.DeleteMarkers?.map(decoded) };
}

/**
 * The key to continue after: the key of the page's last entry, which is what NextKeyMarker names
 * (with NextVersionIdMarker, the last version listed). Read off the entry rather than the marker:
 * AWS URL-encodes NextKeyMarker when asked to while radosgw sends it raw, and a raw marker that
 * is only white space with a line break reaches us as "" through the SDK's XML reader. A marker
 * that names some other key is passed on as given (the SDK's reading).
 */
function continuationKey(page: ListObjectVersionsCommandOutput, last: Listed | undefined): string | undefined {
  const marker = page.NextKeyMarker;
  // A page with no entries leaves only the marker, read as AWS documents it: URL-encoded when
  // the answer says it encoded (a marker that is not valid encoding was sent raw).
  if (last?.Key === undefined) return page.EncodingType === 'url' && marker !== undefined ? decodedOrRaw(marker) : marker;
  if (last.VersionId !== undefined && last.VersionId === page.NextVersionIdMarker) return last.Key;
  if (marker === last.Key || (page.EncodingType === 'url' && marker !== undefined && urlDecodedKey(marker, 'source') === last.Key)) return last.Key;
  return marker;
}

function decodedOrRaw(marker: string): string {
  try {
    return urlDecodedKey(marker, 'source');
  } catch {
    return marker;
  }
}

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
