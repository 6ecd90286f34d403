import type { S3Client } from '@aws-sdk/client-s3';
import type { Entry } from '../core/entry.js';
import type { BandwidthLimiter } from './bandwidth-limiter.js';

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
}
