import type { Comparator } from '../compare/comparator.js';
import { comparatorFor } from '../compare/comparator-for.js';
import { routeOf, type Route } from '../core/direction.js';
import { ConfigError } from '../core/errors.js';
import { validateShard, type Shard } from '../core/shard.js';
import { parseLocation } from '../core/location.js';
import { assertKnownNames, integerBetween, positiveInteger } from '../core/validate.js';
import type { FilterRule } from '../listing/key-filter.js';
import type { S3ConnectionOptions } from '../transfer/s3-client.js';
import { resolveTransferSettings, type TransferSettings } from '../transfer/transfer-settings.js';
import type { UploadOptions } from '../transfer/upload-options.js';
import { validateMaxDelete, type MaxDelete } from './max-delete.js';
import type { SyncOptions } from './options.js';
import { assertNoOverlap } from './overlap.js';
import { CONNECTION_OPTION_NAMES } from './connections.js';
import { resolveBackup, type BackupTemplate } from './backup-location.js';
import { resolveStorageClassRules, type StorageClassChooser } from './storage-class-rules.js';
import type { SyncWarning } from '../core/events.js';
import { resolveSseCustomerKey, type SseCustomerParams } from '../transfer/sse-customer.js';

/**
 * Every option name of {@link SyncOptions}. `satisfies` keeps this list equal to the type: a
 * field added to the options (or to FilterOptions, S3ConnectionOptions, MultipartOptions) and
 * not here fails to compile.
 */
const SYNC_OPTION_NAMES = {
  source: true,
  target: true,
  delete: true,
  deleteExcluded: true,
  maxDelete: true,
  dryRun: true,
  compare: true,
  mtimeWindowMs: true,
  modifiedAfter: true,
  modifiedBefore: true,
  followSymlinks: true,
  ignorePatternFiles: true,
  concurrency: true,
  listPageSize: true,
  retries: true,
  bandwidthLimit: true,
  upload: true,
  storageClassRules: true,
  sseCustomerKey: true,
  copySourceSseCustomerKey: true,
  sourceClient: true,
  sourceConnection: true,
  state: true,
  resume: true,
  multipartCopyThreshold: true,
  metadataDirective: true,
  backup: true,
  backupSuffix: true,
  shard: true,
  // FilterOptions
  ignorePatterns: true,
  ignoreFileName: true,
  rules: true,
  ignoreCase: true,
  // S3ConnectionOptions
  client: true,
  ...CONNECTION_OPTION_NAMES,
  // MultipartOptions
  multipartThreshold: true,
  partSize: true,
  queueSize: true,
} as const satisfies Record<keyof SyncOptions, true>;

const UPLOAD_OPTION_NAMES = {
  storageClass: true,
  sse: true,
  sseKmsKeyId: true,
  acl: true,
  cacheControl: true,
  contentType: true,
  metadata: true,
} as const satisfies Record<keyof UploadOptions, true>;

/** {@link SyncOptions} validated, each default set (here or in `resolveTransferSettings`, once). */
export interface ResolvedSyncOptions {
  /** The options as given (connection fields, filters and the state store are passed on as they are). */
  readonly given: SyncOptions;
  readonly route: Route;
  readonly delete: boolean;
  readonly deleteExcluded: boolean;
  readonly maxDelete: MaxDelete | undefined;
  readonly dryRun: boolean;
  readonly comparator: Comparator;
  readonly modifiedAfter: Date | undefined;
  readonly modifiedBefore: Date | undefined;
  readonly listPageSize: number | undefined;
  readonly ignorePatternFiles: readonly string[];
  readonly rules: readonly FilterRule[] | undefined;
  /** Sockets per host of the clients s3kit builds. */
  readonly maxSockets: number;
  readonly transfer: TransferSettings;
  readonly resume: boolean;
  /** Where overwritten and deleted target entries are kept, rendered per run. */
  readonly backup: BackupTemplate | undefined;
  /** This process's part of the key space, when the run is sharded. */
  readonly shard: Shard | undefined;
  /** Chooses the class of each object written, when `storageClassRules` has rules. */
  readonly storageClasses: StorageClassChooser | undefined;
  /** What the options deserve a warning for, emitted at the start of each plan and run. */
  readonly warnings: readonly SyncWarning[];
  /** SSE-C request parameters of the objects on each S3 side (HEADs of the comparator). */
  readonly sseCustomer: { readonly source: SseCustomerParams | undefined; readonly target: SseCustomerParams | undefined };
}

/**
 * Validates every option of {@link SyncOptions} once and sets its default; throws a
 * `ConfigError` naming the field, the value and what is allowed. Does no I/O.
 */
export function resolveSyncOptions(options: SyncOptions): ResolvedSyncOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('createSyncer needs an options object.');
  assertKnownNames(options, SYNC_OPTION_NAMES);
  if (options.sourceConnection !== undefined) assertKnownNames(options.sourceConnection, CONNECTION_OPTION_NAMES, 'sourceConnection.');
  if (options.upload !== undefined) assertKnownNames(options.upload, UPLOAD_OPTION_NAMES, 'upload.');
  const source = typeof options.source === 'string' ? parseLocation(options.source, 'source') : options.source;
  const target = typeof options.target === 'string' ? parseLocation(options.target, 'target') : options.target;
  const route = routeOf(source, target);
  if (options.ignoreFileName !== undefined && route.direction !== 'upload') {
    throw new ConfigError('ignoreFileName', 'ignoreFileName reads ignore files from a local source, and the source is in S3: use ignorePatterns or rules.');
  }
  // Bucket names are global on AWS, so one name is one bucket unless the source is declared to
  // live at another endpoint (a second S3-compatible server may reuse the name).
  const otherEndpoint = options.sourceConnection?.endpoint !== undefined && !sameEndpoint(options.sourceConnection.endpoint, options.endpoint);
  if (!otherEndpoint) assertNoOverlap(source, target, options);
  const maxDelete = validateMaxDelete(options.maxDelete);
  if (options.deleteExcluded === true && options.delete !== true) {
    throw new ConfigError('deleteExcluded', 'deleteExcluded only has an effect with delete: true; set both or neither.');
  }
  for (const field of ['modifiedAfter', 'modifiedBefore'] as const) {
    const value = options[field];
    if (value === undefined) continue;
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new ConfigError(field, `${field} must be a valid Date.`);
    if (options.delete === true) {
      throw new ConfigError(field, `${field} selects files by time and cannot be combined with delete: every key outside the window would be deleted.`);
    }
  }
  const mtimeWindowMs = options.mtimeWindowMs;
  if (mtimeWindowMs !== undefined && (typeof mtimeWindowMs !== 'number' || !Number.isFinite(mtimeWindowMs) || mtimeWindowMs < 0)) {
    throw new ConfigError('mtimeWindowMs', `mtimeWindowMs must be a non-negative number of milliseconds, got ${String(mtimeWindowMs)}.`);
  }
  const sseCustomerKey = resolveSseCustomerKey(options.sseCustomerKey, 'sseCustomerKey');
  const copySourceSseCustomerKey = resolveSseCustomerKey(options.copySourceSseCustomerKey, 'copySourceSseCustomerKey');
  if (copySourceSseCustomerKey !== undefined && route.direction !== 'copy') {
    throw new ConfigError('copySourceSseCustomerKey', 'copySourceSseCustomerKey is the key of S3 source objects in an S3 → S3 sync; for a download give sseCustomerKey.');
  }
  if ((sseCustomerKey !== undefined || copySourceSseCustomerKey !== undefined) && options.compare === 'checksum') {
    throw new ConfigError(
      'compare',
      "compare: 'checksum' compares MD5s with ETags, and the ETag of an SSE-C object is not an MD5 of its content: use 'size-mtime' (the default) or 'size-only' with SSE-C.",
    );
  }
  const comparator = comparatorFor(options.compare ?? 'size-mtime', mtimeWindowMs);
  const listPageSize =
    options.listPageSize === undefined
      ? undefined
      : integerBetween(options.listPageSize, 'listPageSize', 1, 1000, 'a whole number from 1 to 1000 (the most keys S3 returns per page)');
  const transfer = resolveTransferSettings({
    ...options,
    copy: { multipartCopyThreshold: options.multipartCopyThreshold, metadataDirective: options.metadataDirective },
  });
  const storageClasses = resolveStorageClassRules(options.storageClassRules, { targetInS3: target.kind === 's3', fallback: transfer.upload.storageClass });
  const maxSockets = positiveInteger(options.maxSockets ?? Math.max(64, transfer.concurrency * 4), 'maxSockets');
  return {
    given: options,
    route,
    delete: options.delete ?? false,
    deleteExcluded: options.deleteExcluded ?? false,
    maxDelete,
    dryRun: options.dryRun ?? false,
    comparator,
    modifiedAfter: options.modifiedAfter,
    modifiedBefore: options.modifiedBefore,
    listPageSize,
    ignorePatternFiles: options.ignorePatternFiles ?? [],
    rules: options.rules,
    maxSockets,
    transfer,
    resume: options.resume ?? true,
    // A source at another endpoint is another bucket, whatever its name.
    backup: resolveBackup(options, otherEndpoint ? undefined : source, target, options),
    shard: options.shard === undefined ? undefined : validateShard(options.shard, 'shard'),
    storageClasses: storageClasses?.chooser,
    sseCustomer: {
      // Downloads read the source with the key; S3 → S3 reads it with the copy source's.
      source: route.direction === 'copy' ? copySourceSseCustomerKey : route.direction === 'download' ? sseCustomerKey : undefined,
      target: route.direction === 'download' ? undefined : sseCustomerKey,
    },
    warnings: storageClasses?.warnings ?? [],
  };
}

/**
 * Whether two endpoint URLs name one server: compared as parsed URLs (case of the host, a default
 * port, a trailing slash), so that a second spelling of the target's endpoint does not turn off
 * the overlap checks. An endpoint that does not parse is compared as written.
 */
function sameEndpoint(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  const normal = (endpoint: string): string => {
    try {
      const url = new URL(endpoint);
      return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return endpoint;
    }
  };
  return normal(a) === normal(b);
}
