import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client, type S3ConnectionOptions } from '../transfer/s3-client.js';
import { TransferManager, type TransferManagerOptions } from '../transfer/transfer-manager.js';
import type { TransferSettings } from '../transfer/transfer-settings.js';
import type { SyncOptions } from './options.js';
import type { ResolvedSyncOptions } from './resolve-options.js';

/** Every field of {@link S3ConnectionOptions} but the client (a `sourceConnection` may not name one). */
export const CONNECTION_OPTION_NAMES = {
  endpoint: true,
  region: true,
  forcePathStyle: true,
  profile: true,
  credentials: true,
  checksumMode: true,
  maxSockets: true,
  connectTimeoutMs: true,
  timeoutMs: true,
  transport: true,
} as const satisfies Record<keyof Omit<S3ConnectionOptions, 'client'>, true>;

/** What building the clients reads of the options: the connection fields, the source's and the route (a check passes its own). */
export type ConnectionInput = Pick<ResolvedSyncOptions, 'route' | 'maxSockets'> & {
  readonly given: S3ConnectionOptions & Pick<SyncOptions, 'sourceClient' | 'sourceConnection'>;
};

/** The clients of a sync, by side, and whether S3 → S3 copies can run server-side. */
export interface Connections {
  /** The client of an S3 source (undefined for a local directory or a manifest). */
  readonly source: S3Client | undefined;
  /** The client of an S3 target (undefined for a local directory). */
  readonly target: S3Client | undefined;
  /** The client the transfers use: the target's, or the source's when downloading. */
  readonly transfer: S3Client;
  /** S3 → S3: the target's service can read the source, so copies need not stream. */
  readonly serverSideCopy: boolean;
}

/**
 * Builds the clients a sync needs, one per service: the target's connection reads an S3 source
 * too unless `sourceClient` or `sourceConnection` says the source lives elsewhere.
 */
export function connect(options: ConnectionInput): Connections {
  const { given, route, maxSockets } = options;
  const mainClient = (): S3Client => createS3Client({ ...given, maxSockets });
  switch (route.direction) {
    case 'upload': {
      const target = mainClient();
      return { source: undefined, target, transfer: target, serverSideCopy: false };
    }
    case 'download': {
      const source = sourceClientOf(options, undefined, mainClient);
      return { source: source.client, target: undefined, transfer: source.client, serverSideCopy: source.serverSide };
    }
    // A manifest's s3:// lines (a copy list) are read like an S3 source; its URLs need no client.
    case 'ingest':
    case 'copy': {
      const target = mainClient();
      const source = sourceClientOf(options, target, mainClient);
      return { source: source.client, target, transfer: target, serverSideCopy: source.serverSide || source.client === target };
    }
  }
}

function sourceClientOf(
  { given, maxSockets }: ConnectionInput,
  target: S3Client | undefined,
  mainClient: () => S3Client,
): { client: S3Client; serverSide: boolean } {
  if (given.sourceClient !== undefined) return { client: given.sourceClient, serverSide: false };
  if (given.sourceConnection !== undefined) {
    return {
      client: createS3Client({ ...connectionOf(given), ...given.sourceConnection, maxSockets }),
      serverSide: onlyRegionDiffers(connectionOf(given), given.sourceConnection),
    };
  }
  return { client: target ?? mainClient(), serverSide: false };
}

/** Connection fields of the options (the target's connection). */
function connectionOf(options: S3ConnectionOptions): Omit<S3ConnectionOptions, 'client'> {
  // The timeouts and the request lane go with it: a source on another service must not wait
  // longer than the target, nor list another way.
  const { endpoint, region, forcePathStyle, credentials, profile, checksumMode, connectTimeoutMs, timeoutMs, transport } = options;
  return { endpoint, region, forcePathStyle, credentials, profile, checksumMode, connectTimeoutMs, timeoutMs, transport };
}

/** S3 copies across regions of one service; other differences mean another service or account. */
function onlyRegionDiffers(target: Omit<S3ConnectionOptions, 'client'>, source: Omit<S3ConnectionOptions, 'client'>): boolean {
  return (
    (source.endpoint ?? target.endpoint) === target.endpoint &&
    (source.profile ?? target.profile) === target.profile &&
    (source.credentials === undefined || source.credentials === target.credentials)
  );
}

/**
 * The transfer manager of a run over these connections with these settings: one place for the
 * mapping, shared by the one-way and the two-way sync. `extra` adds resume state (one-way only).
 */
export function transferManagerFor(
  clients: Connections,
  transfer: TransferSettings,
  extra: Pick<TransferManagerOptions, 'state' | 'resume' | 'sseCustomerKey' | 'copySourceSseCustomerKey'> = {},
): TransferManager {
  return new TransferManager({
    client: clients.transfer,
    sourceClient: clients.source,
    serverSideCopy: clients.serverSideCopy,
    copy: { multipartCopyThreshold: transfer.multipartCopyThreshold, copyPartSize: transfer.copyPartSize, metadataDirective: transfer.metadataDirective },
    concurrency: transfer.concurrency,
    backlog: transfer.backlog,
    retries: transfer.retries,
    retryBaseDelayMs: transfer.retryBaseDelayMs,
    bandwidthLimit: transfer.bandwidthLimit,
    multipartThreshold: transfer.multipartThreshold,
    partSize: transfer.partSize,
    queueSize: transfer.queueSize,
    upload: transfer.upload,
    ...extra,
  });
}
