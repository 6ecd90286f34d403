import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MTIME_METADATA, PART_SIZE_METADATA, parseMtimeMetadata, type Entry, type EntryMetadata } from '../core/entry.js';
import { stripEtagQuotes } from '../core/etag.js';
import type { S3Location } from '../core/location.js';

/**
 * Reads an object's s3kit metadata with a HEAD, remembering the last answer: a comparator may
 * ask twice about the key it is deciding, never about an earlier one again.
 */
export function targetMetadataReader(
  client: S3Client,
  location: S3Location,
  signal: AbortSignal,
): (entry: Entry) => Promise<EntryMetadata> {
  let last: { key: string; metadata: Promise<EntryMetadata> } | undefined;
  return (entry) => {
    if (last?.key !== entry.key) {
      const metadata = client
        .send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.prefix + entry.key }), { abortSignal: signal })
        .then((head): EntryMetadata => {
          const partSize = Number(head.Metadata?.[PART_SIZE_METADATA]);
          return {
            sourceMtimeMs: parseMtimeMetadata(head.Metadata?.[MTIME_METADATA]),
            partSize: Number.isInteger(partSize) && partSize > 0 ? partSize : undefined,
            etag: stripEtagQuotes(head.ETag),
          };
        });
      last = { key: entry.key, metadata };
    }
    return last.metadata;
  };
}
