/**
 * S3's multipart limits and s3kit's transfer defaults, each stated once: the syncer's option
 * resolution, the transfer manager, the copier and the summary's request estimates all read
 * them from here.
 */

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** S3's smallest part (except the last). */
export const MIN_PART_SIZE = 5 * MiB;
/** S3's largest part. */
export const MAX_PART_SIZE = 5 * GiB;
/** S3's most parts in one multipart upload. */
export const MAX_PARTS = 10_000;
/** The largest object one CopyObject can copy. */
export const MAX_SINGLE_COPY = 5 * GiB;

/** Default part size of uploads, ranged downloads and streamed copies (aws-cli's). */
export const DEFAULT_PART_SIZE = 8 * MiB;
/** Default size from which a file is uploaded in parts or downloaded in ranges. */
export const DEFAULT_MULTIPART_THRESHOLD = 16 * MiB;
/** Default parts of one object in flight at once. */
export const DEFAULT_QUEUE_SIZE = 4;
/** Default transfers in flight at once. */
export const DEFAULT_CONCURRENCY = 16;
/** Default retries of a whole transfer after the SDK gave up. */
export const DEFAULT_RETRIES = 3;
/** Default first retry delay (doubled on each retry, with full jitter). */
export const DEFAULT_RETRY_BASE_DELAY_MS = 250;
/** Default part size of server-side part copies: they move no bytes here, so larger parts mean fewer requests. */
export const DEFAULT_COPY_PART_SIZE = 64 * MiB;

/**
 * The part size to split `size` bytes with: `preferred`, or larger when `preferred` would need
 * more than {@link MAX_PARTS} parts (rounded up to a whole MiB, so the size a resumed upload
 * records is the same on every run).
 */
export function partSizeFor(size: number, preferred: number): number {
  return Math.max(preferred, Math.ceil(size / MAX_PARTS / MiB) * MiB);
}

/** How many parts of `partSize` make `size` bytes (at least one: an empty object is one part). */
export function partCountOf(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}
