import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { Entry } from '../core/entry.js';
import type { S3Location } from '../core/location.js';
import { ListingError } from '../core/errors.js';
import { stripEtagQuotes } from '../core/etag.js';
import { describeS3Error, isRetryableError, s3ErrorCode } from '../core/s3-errors.js';

/**
 * Options of {@link listS3}.
 * @public
 */
export interface ListS3Options {
  /** Cancels the listing. */
  readonly signal?: AbortSignal;
  /**
   * Keys per ListObjectsV2 page.
   * @defaultValue `1000`
   */
  readonly pageSize?: number;
  /** Which side of the sync this listing is, for error messages. @defaultValue `'target'` */
  readonly side?: 'source' | 'target';
  /**
   * Yield directory markers (keys ending in `/`, e.g. made by consoles for empty folders):
   * wanted when downloading, where they become directories.
   * @defaultValue `false`
   */
  readonly directoryMarkers?: boolean;
}

/**
 * Streams the objects under an S3 location as {@link Entry}s with keys relative to the prefix,
 * one page in memory at a time. Directory markers (keys ending in `/`) are yielded only when
 * asked for: they hold no file content.
 * @public
 */
export async function* listS3(client: S3Client, location: S3Location, options: ListS3Options = {}): AsyncGenerator<Entry> {
  const side = options.side ?? 'target';
  const pages = objectPages(client, location, options);
  try {
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        const fullKey = object.Key;
        if (fullKey === undefined || fullKey === location.prefix) continue;
        if (fullKey.endsWith('/') && options.directoryMarkers !== true) continue;
        const entry: Entry = {
          key: fullKey.slice(location.prefix.length),
          size: object.Size ?? 0,
          mtimeMs: object.LastModified?.getTime() ?? 0,
          etag: stripEtagQuotes(object.ETag),
          storageClass: object.StorageClass,
        };
        yield entry;
      }
      // A page that says the listing goes on but gives no continuation token (some S3-compatible
      // servers and proxies do this) would end the listing early: it would look complete and
      // drive deletes. It is a failed listing instead.
      if (page.IsTruncated === true && (page.NextContinuationToken ?? '') === '') {
        throw new ListingError(
          side,
          `Cannot list s3://${location.bucket}/${location.prefix} (${side}): the server said the listing goes on (IsTruncated) but gave no continuation token, so the rest cannot be read; nothing was deleted.`,
          { code: 'TruncatedListing' },
        );
      }
    }
  } catch (error) {
    if (error instanceof ListingError) throw error;
    if (options.signal?.aborted) throw options.signal.reason;
    const code = s3ErrorCode(error);
    throw new ListingError(
      side,
      `Cannot list s3://${location.bucket}/${location.prefix} (${side}): ${describeS3Error(error, location.bucket)}`,
      { code, cause: error, retryable: isRetryableError(error) },
    );
  }
}

/**
 * The ListObjectsV2 pages under a location. Not the SDK's paginator: it refuses a client that
 * is not an instance of its own S3Client class, as one from another installed copy of the SDK
 * (an application's own version) is; `send` serves any.
 */
async function* objectPages(client: S3Client, location: S3Location, options: ListS3Options): AsyncGenerator<ListObjectsV2CommandOutput> {
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: location.bucket,
        Prefix: location.prefix === '' ? undefined : location.prefix,
        MaxKeys: options.pageSize ?? 1000,
        ContinuationToken: token,
      }),
      { abortSignal: options.signal },
    );
    yield page;
    const next = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    // The same token again would list the same page for ever: a broken server, not a listing.
    if (next !== undefined && next === token) {
      throw new ListingError(options.side ?? 'target', `Cannot list s3://${location.bucket}/${location.prefix}: the server answered the same continuation token twice, so the listing would never end; nothing was deleted.`, {
        code: 'RepeatedContinuationToken',
      });
    }
    token = next;
  } while (token !== undefined && token !== '');
}
