import { lstat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import PQueue from 'p-queue';
import type { Entry } from '../core/entry.js';
import { ConfigError, S3kitError, TransferError } from '../core/errors.js';
import type { TransferAction, TransferMethod } from '../core/events.js';
import { routeOf, type Direction, type Route } from '../core/direction.js';
import type { Location, S3Location } from '../core/location.js';
import type { ObjectTransfer } from './object-transfer.js';
import { DELETE_BATCH_SIZE, deleteBatch } from './delete-objects.js';
import { withRetry } from './retry.js';
import { backUpFile, backUpObject, type BackupDestination, type BackupReason } from './backup.js';
import { resolveTransferSettings } from './transfer-settings.js';
import { uploadFile } from './upload-file.js';
import { deleteLocalFile } from './delete-local.js';
import { ingestUrl } from './ingest-url.js';
import { s3SourceOf } from '../core/entry.js';
import { downloadObject, explainBlockedDirectory } from './download-object.js';
import { S3ToS3Copier, type S3ToS3CopierOptions } from './s3-to-s3-copier.js';
import { BandwidthLimiter } from './bandwidth-limiter.js';
import { localPathForKey } from './local-key-path.js';
import { resolveDestinationRoot } from './local-destination.js';
import type { StateStore } from '../state/state-store.js';
import type { MultipartOptions, UploadOptions } from './upload-options.js';
import type { WriteCondition } from './write-condition.js';
import { resolveSseCustomerKey, type SseCustomerKey, type SseCustomerParams } from './sse-customer.js';


/**
 * Options of {@link TransferManager}.
 * @public
 */
export interface TransferManagerOptions extends MultipartOptions {
  /** The client of the S3 side: the target's, or the source's when downloading. */
  readonly client: S3Client;
  /**
   * The source's client for S3 → S3 copies.
   * @defaultValue `client`
   */
  readonly sourceClient?: S3Client;
  /**
   * S3 → S3: whether the target's service can read the source (same endpoint and
   * credentials), so copies run server-side; otherwise they stream.
   * @defaultValue `sourceClient === client`
   */
  readonly serverSideCopy?: boolean;
  /** S3 → S3 copy settings (threshold, part size, metadata directive). */
  readonly copy?: Pick<S3ToS3CopierOptions, 'multipartCopyThreshold' | 'copyPartSize' | 'metadataDirective'>;
  /**
   * Transfers in flight at once.
   * @defaultValue `16`
   */
  readonly concurrency?: number;
  /**
   * Transfers queued beyond those in flight before {@link TransferManager.enqueue} waits; this
   * bound is what keeps memory flat while the planner runs ahead.
   * @defaultValue `2 × concurrency`
   */
  readonly backlog?: number;
  /**
   * Attempts after the first for a transfer that failed with a retryable error (throttling,
   * 5xx, connection reset, a file that changed while read). The SDK also retries each request.
   * @defaultValue `3`
   */
  readonly retries?: number;
  /**
   * First retry delay; doubled on each retry, with full jitter.
   * @defaultValue `250`
   */
  readonly retryBaseDelayMs?: number;
  /**
   * The most bytes per second that all transfers of a run move together (one token bucket
   * shared by uploads, downloads and streamed copies; its burst is a tenth of a second's worth).
   * Server-side copies move no bytes through this process and are not limited. A PUT or a part
   * is paid for before it is sent, and a GET body is read no faster than the limit. A low limit
   * shared by many transfers can leave a connection idle longer than the client's request
   * timeout: lower `concurrency` with it.
   * @defaultValue no limit
   */
  readonly bandwidthLimit?: number;
  /** How uploaded objects are stored. */
  readonly upload?: UploadOptions;
  /**
   * SSE-C: the key of the objects on the S3 side — uploads and copies encrypt with it, downloads
   * decrypt with it, and every HEAD of them sends it.
   * @defaultValue none (no SSE-C)
   */
  readonly sseCustomerKey?: SseCustomerKey;
  /**
   * S3 → S3 with SSE-C: the key the source objects were encrypted with.
   * @defaultValue none (the source objects are not SSE-C)
   */
  readonly copySourceSseCustomerKey?: SseCustomerKey;
  /** Where multipart uploads record their progress, to be resumed by a later run. */
  readonly state?: StateStore;
  /**
   * With `state`: keep interrupted multipart uploads to resume (true), or abort them.
   * @defaultValue `true`
   */
  readonly resume?: boolean;
}

/**
 * How a transfer went.
 * @public
 */
export interface TransferResult {
  /** How the transfer was carried out. */
  readonly method: TransferMethod;
  /** Wall time of the transfer, retries included. */
  readonly durationMs: number;
  /** Why this method, where there was a choice (S3 → S3). */
  readonly why?: string;
  /** Requests the transfer sent, when counted (S3 → S3). */
  readonly requests?: number;
  /** Bytes that passed through this process (S3 → S3: 0 when server-side). */
  readonly bytesThroughProcess?: number;
  /** Bytes of parts kept from an earlier, interrupted run: not sent again (resumed uploads). */
  readonly bytesResumed?: number;
}

/**
 * Callbacks of one transfer.
 * @public
 */
export interface TransferHooks {
  /** The transfer left the queue. */
  readonly onStart?: (method: TransferMethod) => void;
  /** Bytes of this transfer done so far. */
  readonly onProgress?: (loaded: number) => void;
  /** The transfer succeeded. */
  readonly onEnd?: (result: TransferResult) => void;
  /** The transfer failed for good (after retries). */
  readonly onFailed?: (error: S3kitError) => void;
  /** The target entry an update replaces was kept under the backup location first. */
  readonly onBackedUp?: (entry: Entry) => void;
}

/**
 * Callbacks of a delete phase.
 * @public
 */
export interface DeleteHooks {
  /** The server confirmed the delete. */
  readonly onDeleted?: (entry: Entry) => void;
  /** The delete failed (the request, or this key in the response's `Errors`, or its backup). */
  readonly onFailed?: (entry: Entry, error: S3kitError) => void;
  /** The entry was kept under the backup location before it was deleted. */
  readonly onBackedUp?: (entry: Entry) => void;
  /**
   * The ETag an object must still have to be deleted, formatted as the server wants it (a
   * conditional delete; servers without them delete regardless). S3 only.
   * @defaultValue none: unconditional deletes
   */
  readonly ifMatch?: (entry: Entry) => string | undefined;
}

/**
 * Where a transfer or delete goes, and where what it replaces is kept.
 * @public
 */
export interface TransferRoute {
  readonly from: Location;
  readonly to: Location;
  /**
   * Keep each target entry that an update overwrites or a delete removes here first; see
   * `SyncOptions.backup` and `backupSuffix`.
   * @defaultValue none
   */
  readonly backup?: BackupDestination;
  /**
   * The key written at `to`, when it is not the action's key (a bisync keeps a conflict's
   * losing version under another name); the action's key is read at `from`.
   * @defaultValue the action's key
   */
  readonly targetKey?: string;
  /**
   * A precondition on the object an upload replaces or creates (a conditional PutObject or
   * CompleteMultipartUpload); when it fails the upload fails with code `PreconditionFailed` and
   * the object is left as it is. Uploads only: S3 → S3 copies and downloads ignore it.
   * @defaultValue none
   */
  readonly writeCondition?: WriteCondition;
}

/**
 * Carries out transfers with bounded concurrency and a bounded backlog, retrying retryable
 * failures, and picks how each is done: uploads as one PutObject or in parts, downloads as one
 * GET or parallel ranged GETs, S3 → S3 copies server-side or streamed (through
 * {@link S3ToS3Copier}). Failures are reported through the hooks, never thrown from
 * {@link TransferManager.enqueue}.
 * @public
 */
export class TransferManager {
  readonly #client: S3Client;
  readonly #queue: PQueue;
  readonly #backlog: number;
  readonly #retries: number;
  readonly #retryBaseDelayMs: number;
  readonly #multipartThreshold: number;
  readonly #partSize: number;
  readonly #queueSize: number;
  readonly #upload: UploadOptions;
  readonly #copier: S3ToS3Copier;
  /** Copies target objects to a backup prefix: within the target's service, metadata kept. */
  readonly #backupCopier: S3ToS3Copier;
  readonly #state: StateStore | undefined;
  readonly #resume: boolean;
  readonly #sseCustomer: SseCustomerParams | undefined;
  /** One bucket for every transfer of this manager, so the limit holds for all of them together. */
  readonly #limiter: BandwidthLimiter | undefined;
  /** Local destination paths → their real paths, resolved once (see `#localRoot`). */
  readonly #localRoots = new Map<string, string>();

  /** Validates the options; throws a `ConfigError` naming the one at fault. */
  constructor(options: TransferManagerOptions) {
    const settings = resolveTransferSettings(options);
    this.#client = options.client;
    this.#queue = new PQueue({ concurrency: settings.concurrency });
    this.#backlog = settings.backlog;
    this.#retries = settings.retries;
    this.#retryBaseDelayMs = settings.retryBaseDelayMs;
    this.#partSize = settings.partSize;
    this.#multipartThreshold = settings.multipartThreshold;
    this.#queueSize = settings.queueSize;
    this.#upload = settings.upload;
    this.#state = options.state;
    this.#resume = options.resume ?? true;
    this.#sseCustomer = resolveSseCustomerKey(options.sseCustomerKey, 'sseCustomerKey');
    this.#limiter = settings.bandwidthLimit === undefined ? undefined : new BandwidthLimiter({ bytesPerSecond: settings.bandwidthLimit });
    const sourceClient = options.sourceClient ?? options.client;
    this.#copier = new S3ToS3Copier({
      sourceClient,
      targetClient: options.client,
      serverSide: options.serverSideCopy ?? sourceClient === options.client,
      multipartCopyThreshold: settings.multipartCopyThreshold,
      copyPartSize: settings.copyPartSize,
      metadataDirective: settings.metadataDirective,
      streamPartSize: this.#partSize,
      queueSize: this.#queueSize,
      upload: this.#upload,
      bandwidthLimiter: this.#limiter,
      sseCustomerKey: options.sseCustomerKey,
      copySourceSseCustomerKey: options.copySourceSseCustomerKey,
    });
    this.#backupCopier = new S3ToS3Copier({
      sourceClient: options.client,
      targetClient: options.client,
      serverSide: true,
      multipartCopyThreshold: settings.multipartCopyThreshold,
      copyPartSize: settings.copyPartSize,
      metadataDirective: 'COPY',
      streamPartSize: this.#partSize,
      queueSize: this.#queueSize,
      // A backup is a target object copied within the target: one key on both sides.
      sseCustomerKey: options.sseCustomerKey,
      copySourceSseCustomerKey: options.sseCustomerKey,
    });
  }

  /**
   * The transferer of each direction: how it picks a method and carries an action out. The one
   * place that knows which functions serve which direction; a new direction adds a row.
   */
  readonly #transferers: TransfererTable = {
    upload: {
      method: (action) => (action.source.size >= this.#multipartThreshold ? 'multipart' : 'put'),
      transfer: async ({ action, route, method, common, targetKey, writeCondition }) => {
        let parts: { sent: number; kept: number } | undefined;
        // A resumed multipart upload reports the bytes of its kept parts first, before sending any.
        let firstLoaded: number | undefined;
        await uploadFile({
          ...common,
          onProgress: (loaded) => {
            firstLoaded ??= loaded;
            common.onProgress(loaded);
          },
          bucket: route.to.bucket,
          objectKey: route.to.prefix + targetKey,
          method,
          options: this.#uploadFor(action),
          state: this.#state,
          resume: this.#resume,
          onParts: (counts) => (parts = counts),
          condition: writeCondition,
        });
        if (parts !== undefined && parts.kept > 0) {
          return { why: `resumed: ${parts.kept} part(s) kept from an earlier run, ${parts.sent} sent`, bytesResumed: firstLoaded ?? 0 };
        }
        return {};
      },
    },
    download: {
      method: (action) => (action.key.endsWith('/') ? 'mkdir' : action.source.size >= this.#multipartThreshold ? 'ranged-get' : 'get'),
      transfer: async ({ action, route, method, common, targetKey }) => {
        localPathForKey(route.to.path, targetKey); // an unsafe key fails before anything is created
        const root = await this.#localRoot(route.to.path, true);
        const path = localPathForKey(root, targetKey);
        await downloadObject({
          ...common,
          bucket: route.from.bucket,
          objectKey: route.from.prefix + action.key,
          root,
          path,
          method,
          createOnly: action.type === 'copy',
          state: this.#state,
          resume: this.#resume,
        }).catch(async (error: unknown) => {
          throw await explainBlockedDirectory(error, action.key, path, root);
        });
        return {};
      },
    },
    copy: {
      method: (action) => this.#copier.methodFor(action.source.size),
      transfer: ({ action, route, common, targetKey }) =>
        this.#copier.copy({
          sourceBucket: route.from.bucket,
          sourceKey: route.from.prefix + action.key,
          source: action.source,
          targetBucket: route.to.bucket,
          targetKey: route.to.prefix + targetKey,
          storageClass: action.storageClass,
          onProgress: common.onProgress,
          signal: common.signal,
        }),
    },
    ingest: {
      // A copy list's s3:// objects are copied as an S3 → S3 sync copies (server-side within one
      // service); http(s) URLs are streamed into an upload.
      method: (action) => (s3SourceOf(action.source.url) === undefined ? 'url-stream' : this.#copier.methodFor(action.source.size)),
      transfer: async ({ action, route, common }) => {
        const object = s3SourceOf(action.source.url);
        if (object !== undefined) {
          return this.#copier.copy({
            sourceBucket: object.bucket,
            sourceKey: object.key,
            sourceVersionId: action.source.versionId,
            source: action.source,
            targetBucket: route.to.bucket,
            targetKey: route.to.prefix + action.key,
            storageClass: action.storageClass,
            onProgress: common.onProgress,
            signal: common.signal,
          });
        }
        await ingestUrl({ ...common, bucket: route.to.bucket, objectKey: route.to.prefix + action.key, options: this.#uploadFor(action) });
        return {};
      },
    },
  };

  /** The upload options of one action: its chosen storage class (`storageClassRules`) over the run's. */
  #uploadFor(action: TransferAction): UploadOptions {
    return action.storageClass === undefined ? this.#upload : { ...this.#upload, storageClass: action.storageClass };
  }

  /** How an action between these locations is carried out. */
  methodFor(action: TransferAction, route: { readonly from: Location; readonly to: Location }): TransferMethod {
    return transfererFor(this.#transferers, routeOf(route.from, route.to)).method(action);
  }

  /**
   * Queues a transfer, first waiting while the backlog is full. Resolves once queued; the
   * outcome arrives through `hooks`.
   */
  async enqueue(action: TransferAction, route: TransferRoute, hooks: TransferHooks, signal?: AbortSignal): Promise<void> {
    // Refuses the pairs no transfer serves (a manifest or two directories) before queuing.
    const directed = routeOf(route.from, route.to);
    const transferer = transfererFor(this.#transferers, directed);
    await this.#queue.onSizeLessThan(this.#backlog);
    signal?.throwIfAborted();
    const method = transferer.method(action);
    const taskSignal = signal ?? new AbortController().signal;
    const task = async (): Promise<void> => {
      if (signal?.aborted) return;
      const started = performance.now();
      hooks.onStart?.(method);
      const common: TransferCommon = {
        client: this.#client,
        source: action.source,
        partSize: this.#partSize,
        queueSize: this.#queueSize,
        onProgress: (loaded) => hooks.onProgress?.(loaded),
        signal: taskSignal,
        limiter: this.#limiter,
        sseCustomer: this.#sseCustomer,
      };
      try {
        // The entry an update replaces is kept first; if that fails, nothing is overwritten.
        const backup = route.backup;
        if (action.type === 'update' && action.target !== undefined && backup !== undefined) {
          const kept = action.target;
          const backedUp = await withRetry(
            () => this.#backUp(route.to, backup, kept, 'overwrite', signal),
            { retries: this.#retries, baseDelayMs: this.#retryBaseDelayMs },
            signal,
          );
          if (backedUp) hooks.onBackedUp?.(kept);
        }
        const outcome = await withRetry(
          () => transferer.transfer({ action, route: directed, method, common, targetKey: route.targetKey ?? action.key, writeCondition: route.writeCondition }),
          { retries: this.#retries, baseDelayMs: this.#retryBaseDelayMs },
          signal,
        );
        hooks.onEnd?.({ ...outcome, method: outcome.method ?? method, durationMs: performance.now() - started });
      } catch (error) {
        if (signal?.aborted) return;
        hooks.onFailed?.(asS3kitError(error, action.key));
      }
    };
    void this.#queue.add(task);
  }

  /**
   * Deletes target entries in DeleteObjects batches of up to 1000 keys, reporting each key's
   * outcome through `hooks`. Resolves when every batch has settled.
   */
  async deleteEntries(location: Location, entries: AsyncIterable<Entry>, hooks: DeleteHooks, signal?: AbortSignal, backup?: BackupDestination): Promise<void> {
    switch (location.kind) {
      case 'local':
        return this.#deleteLocal(location.path, entries, hooks, signal, backup);
      case 'manifest':
        throw new ConfigError('target', 'a manifest is never a target: nothing can be deleted from it.');
      case 's3':
        return this.#deleteObjects(location, backup === undefined ? entries : this.#backedUpFirst(location, backup, entries, hooks, signal), hooks, signal);
    }
  }

  /**
   * The entries whose backup succeeded (or that are already gone: nothing to keep, the delete
   * is a no-op), in order; the others are reported failed and never deleted. Backups run with
   * the transfer concurrency, a bounded window ahead of the deletes.
   */
  async *#backedUpFirst(location: S3Location, backup: BackupDestination, entries: AsyncIterable<Entry>, hooks: DeleteHooks, signal?: AbortSignal): AsyncGenerator<Entry> {
    const window: Promise<Entry | undefined>[] = [];
    const backUp = async (entry: Entry): Promise<Entry | undefined> => {
      try {
        const kept = await withRetry(() => this.#backUp(location, backup, entry, 'delete', signal), { retries: this.#retries, baseDelayMs: this.#retryBaseDelayMs }, signal);
        if (kept) hooks.onBackedUp?.(entry);
        return entry;
      } catch (error) {
        if (!signal?.aborted) hooks.onFailed?.(entry, asS3kitError(error, entry.key));
        return undefined;
      }
    };
    for await (const entry of entries) {
      if (signal?.aborted) return;
      window.push(backUp(entry));
      if (window.length >= this.#backlog) {
        const kept = await window.shift();
        if (kept !== undefined) yield kept;
      }
    }
    for (const pending of window) {
      const kept = await pending;
      if (kept !== undefined && !signal?.aborted) yield kept;
    }
  }

  /** Keeps `entry` of `target` under `backup`; false when it is already gone. */
  #backUp(target: Location, backup: BackupDestination, entry: Entry, reason: BackupReason, signal?: AbortSignal): Promise<boolean> {
    const { location, suffix = '' } = backup;
    if (target.kind === 's3' && location.kind === 's3') return backUpObject(this.#backupCopier, target, location, suffix, entry, signal);
    if (target.kind === 'local' && location.kind === 'local') return this.#localRoot(target.path, false).then((root) => backUpFile(root, location, suffix, entry, reason));
    throw new ConfigError('backup', `backup ${location.kind === 's3' ? 's3://…' : 'directory'} does not suit a ${target.kind} target: give a location of the target's kind.`);
  }

  async #deleteObjects(location: S3Location, entries: AsyncIterable<Entry>, hooks: DeleteHooks, signal?: AbortSignal): Promise<void> {
    const toRelative = (objectKey: string): string => objectKey.slice(location.prefix.length);
    const sendBatch = async (batch: Entry[]): Promise<void> => {
      const byObjectKey = new Map(batch.map((entry) => [location.prefix + entry.key, entry]));
      const conditions = hooks.ifMatch === undefined ? undefined : conditionsOf(byObjectKey, hooks.ifMatch);
      const result = await withRetry(
        async () => {
          const outcome = await deleteBatch(this.#client, location.bucket, [...byObjectKey.keys()], toRelative, signal, conditions);
          // Retry the whole batch only when the request itself failed retryably.
          const [first] = outcome.failed;
          if (outcome.deleted.length === 0 && first !== undefined && outcome.failed.every((f) => f.error.retryable)) throw first.error;
          return outcome;
        },
        { retries: this.#retries, baseDelayMs: this.#retryBaseDelayMs },
        signal,
      ).catch((error: unknown) => {
        const failure = asS3kitError(error, '');
        return { deleted: [] as string[], failed: [...byObjectKey.keys()].map((objectKey) => ({ objectKey, error: failure })) };
      });
      if (signal?.aborted) return;
      // Keys the server names that were not asked for (none should be) are not ours to report.
      for (const objectKey of result.deleted) {
        const entry = byObjectKey.get(objectKey);
        if (entry !== undefined) hooks.onDeleted?.(entry);
      }
      for (const { objectKey, error } of result.failed) {
        const entry = byObjectKey.get(objectKey);
        if (entry !== undefined) hooks.onFailed?.(entry, error);
      }
    };
    let batch: Entry[] = [];
    for await (const entry of entries) {
      batch.push(entry);
      if (batch.length === DELETE_BATCH_SIZE) {
        await this.#queue.onSizeLessThan(this.#backlog);
        void this.#queue.add(sendBatch.bind(undefined, batch));
        batch = [];
      }
    }
    if (batch.length > 0) void this.#queue.add(sendBatch.bind(undefined, batch));
    await this.#queue.onIdle();
  }

  async #deleteLocal(path: string, entries: AsyncIterable<Entry>, hooks: DeleteHooks, signal?: AbortSignal, backup?: BackupDestination): Promise<void> {
    for await (const entry of entries) {
      if (signal?.aborted) return;
      await this.#queue.onSizeLessThan(this.#backlog);
      void this.#queue.add(async () => {
        try {
          // With a backup the file is moved there: that is its delete.
          if (backup === undefined) await deleteLocalFile(await this.#localRoot(path, false), entry);
          else if (await this.#backUp({ kind: 'local', path }, backup, entry, 'delete', signal)) hooks.onBackedUp?.(entry);
          hooks.onDeleted?.(entry);
        } catch (error) {
          hooks.onFailed?.(entry, asS3kitError(error, entry.key));
        }
      });
    }
    await this.#queue.onIdle();
  }

  /**
   * The real path of a local destination, resolved once and kept while it is still a directory
   * (a destination removed between runs is resolved, and with `create` made, again). The path the
   * user gave may itself be a link; only what lies below its real path is checked for links.
   */
  async #localRoot(path: string, create: boolean): Promise<string> {
    const known = this.#localRoots.get(path);
    if (known !== undefined && (await lstat(known).then((stats) => stats.isDirectory(), () => false))) return known;
    const root = await resolveDestinationRoot(path, create);
    this.#localRoots.set(path, root);
    return root;
  }

  /** Resolves when every queued transfer has settled. */
  onIdle(): Promise<void> {
    return this.#queue.onIdle();
  }

  /** Drops transfers not yet started (after an abort). */
  clear(): void {
    this.#queue.clear();
  }
}

/** What every transfer of an action is given, whatever its direction. */
type TransferCommon = Pick<ObjectTransfer, 'client' | 'source' | 'partSize' | 'queueSize' | 'onProgress' | 'signal' | 'limiter' | 'sseCustomer'>;

/** How one direction's transfers are done. */
interface Transferer<R extends Route> {
  /** The method an action will use (the copier may still fall back from server-side to streaming). */
  method(action: TransferAction): TransferMethod;
  /** Carries the action out once (retries are the manager's). */
  transfer(task: { action: TransferAction; route: R; method: TransferMethod; common: TransferCommon; targetKey: string; writeCondition?: WriteCondition }): Promise<Partial<TransferResult>>;
}

type TransfererTable = { readonly [D in Direction]: Transferer<Extract<Route, { direction: D }>> };

/** The row of `table` for `route`'s direction, typed for that route. */
function transfererFor<R extends Route>(table: TransfererTable, route: R): Transferer<R> {
  // TypeScript cannot relate an indexed row to the route's own type; the table's type ties them.
  return table[route.direction] as unknown as Transferer<R>;
}

function asS3kitError(error: unknown, key: string): S3kitError {
  if (error instanceof S3kitError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new TransferError('transfer', key, message, { code, cause: error });
}

/** The ETag each object of a delete batch must still have, where the hook names one. */
function conditionsOf(byObjectKey: ReadonlyMap<string, Entry>, ifMatch: (entry: Entry) => string | undefined): Map<string, string> {
  const conditions = new Map<string, string>();
  for (const [objectKey, entry] of byObjectKey) {
    const etag = ifMatch(entry);
    if (etag !== undefined) conditions.set(objectKey, etag);
  }
  return conditions;
}
