import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MTIME_METADATA, PART_SIZE_METADATA, parseMtimeMetadata, type Entry, type EntryMetadata } from '../core/entry.js';
import { stripEtagQuotes } from '../core/etag.js';
import type { S3Location } from '../core/location.js';
import { sseCustomerParams, type SseCustomerParams } from '../transfer/sse-customer.js';

type Side = 'source' | 'target';

/**
 * Reads an object's s3kit metadata with a HEAD, remembering the last answer per side: a
 * comparator may ask twice about the key it is deciding, never about an earlier one again.
 */
export function objectMetadataReader(
  objectsOf: (side: Side) => { readonly client: S3Client; readonly location: S3Location; readonly sseCustomer?: SseCustomerParams } | undefined,
  signal: AbortSignal,
): (entry: Entry, side: Side) => Promise<EntryMetadata> {
  const last: Partial<Record<Side, { key: string; metadata: Promise<EntryMetadata> }>> = {};
  return (entry, side) => {
    const objects = objectsOf(side);
    if (objects === undefined) return Promise.resolve({});
    const { client, location, sseCustomer } = objects;
    const cached = last[side];
    if (cached?.key === entry.key) return cached.metadata;
    const metadata = client
      .send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.prefix + entry.key, ...sseCustomerParams(sseCustomer) }), { abortSignal: signal })
      .then((head): EntryMetadata => {
        const partSize = Number(head.Metadata?.[PART_SIZE_METADATA]);
        return {
          sourceMtimeMs: parseMtimeMetadata(head.Metadata?.[MTIME_METADATA]),
          partSize: Number.isInteger(partSize) && partSize > 0 ? partSize : undefined,
          etag: stripEtagQuotes(head.ETag),
        };
      });
    last[side] = { key: entry.key, metadata };
    return metadata;
  };
}
