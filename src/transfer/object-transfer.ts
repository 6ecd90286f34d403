import type { S3Client } from '@aws-sdk/client-s3';
import type { Entry } from '../core/entry.js';
import type { BandwidthLimiter } from './bandwidth-limiter.js';
import type { SseCustomerParams } from './sse-customer.js';

/** What every single-object transfer (upload, download, URL ingest) is given. */
export interface ObjectTransfer {
  readonly client: S3Client;
  readonly bucket: string;
  /** The full object key (prefix included). */
  readonly objectKey: string;
  /** The listed source entry (path, URL or object; size, mtime, ETag). */
  readonly source: Entry;
  /** Bytes per part or range. */
  readonly partSize: number;
  /** Parts or ranges in flight at once. */
  readonly queueSize: number;
  /** Called with this object's bytes moved so far. */
  readonly onProgress: (loaded: number) => void;
  readonly signal: AbortSignal;
  /** The run's bandwidth limit, shared by all its transfers; undefined for none. */
  readonly limiter?: BandwidthLimiter;
  /** The object's SSE-C key, sent with every request that writes, reads or HEADs it; undefined for none. */
  readonly sseCustomer?: SseCustomerParams;
}
