import type { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  type Tag,
  UploadPartCopyCommand,
  type CompletedPart,
  type CopyObjectCommandInput,
  type CreateMultipartUploadCommandInput,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { abortMultipartUpload, createMultipartUpload } from './create-upload.js';
import { throttledReadable, type BandwidthLimiter } from './bandwidth-limiter.js';
import type { Entry } from '../core/entry.js';
import { S3kitError, TransferError } from '../core/errors.js';
import type { TransferMethod } from '../core/events.js';
import { DEFAULT_COPY_PART_SIZE, DEFAULT_PART_SIZE, DEFAULT_QUEUE_SIZE, GiB, MAX_SINGLE_COPY, MiB, partCountOf, partSizeFor } from './limits.js';
import { descriptionParams, storageParams, type DescriptionParams } from './object-params.js';
import { runParts } from './part-runner.js';
import { asTransferError } from './transfer-error.js';
import { s3ErrorCode } from '../core/s3-errors.js';
import type { UploadOptions } from './upload-options.js';
import { copySourceSseCustomerParams, resolveSseCustomerKey, sseCustomerParams, type SseCustomerKey, type SseCustomerParams } from './sse-customer.js';


/**
 * Server-side copy is impossible: the source and target are different services or accounts
 * (different endpoints or credentials). The copier streams instead.
 * @public
 */
export class CannotServerCopyError extends S3kitError {
  /** {@inheritDoc S3kitError.name} */
  override name = 'CannotServerCopyError';
}

/**
 * Options of {@link S3ToS3Copier}.
 * @public
 */
export interface S3ToS3CopierOptions {
  /** Client of the source bucket. */
  readonly sourceClient: S3Client;
  /** Client of the target bucket (may be the same object as `sourceClient`). */
  readonly targetClient: S3Client;
  /**
   * Whether the target's service can read the source: same endpoint and credentials (the
   * region may differ). When false, every copy streams through this process.
   * @defaultValue `sourceClient === targetClient`
   */
  readonly serverSide?: boolean;
  /**
   * Objects of at least this size are copied with parallel UploadPartCopy requests; S3 caps a
   * single CopyObject at 5 GiB, so larger values are lowered to that.
   * @defaultValue `5 GiB`
   */
  readonly multipartCopyThreshold?: number;
  /**
   * Part size of multipart copies and of streamed uploads.
   * @defaultValue `64 MiB` for part copies, the transfer part size for streaming
   */
  readonly copyPartSize?: number;
  /**
   * Part size of streamed copies (memory per object is about `queueSize × streamPartSize`).
   * @defaultValue `8 MiB`
   */
  readonly streamPartSize?: number;
  /**
   * Parts in flight per object.
   * @defaultValue `4`
   */
  readonly queueSize?: number;
  /**
   * `COPY` keeps the source's metadata, Content-Type, Cache-Control and tags; `REPLACE` takes
   * them from `upload` instead.
   * @defaultValue `'COPY'`
   */
  readonly metadataDirective?: 'COPY' | 'REPLACE';
  /**
   * Storage class, encryption, ACL (always applied) and metadata, Content-Type, Cache-Control
   * (applied with `REPLACE`). Without `storageClass`, the source's storage class is kept.
   */
  readonly upload?: UploadOptions;
  /**
   * The SSE-C key to encrypt the copies with (and to read the target's objects with).
   * @defaultValue none (no SSE-C)
   */
  readonly sseCustomerKey?: SseCustomerKey;
  /**
   * The SSE-C key the source objects were encrypted with.
   * @defaultValue none (the source objects are not SSE-C)
   */
  readonly copySourceSseCustomerKey?: SseCustomerKey;
  /**
   * Paces streamed copies (the bytes read from the source), shared with whatever else takes
   * from it. Server-side copies move no bytes through this process and are never limited.
   * @defaultValue no limit
   */
  readonly bandwidthLimiter?: BandwidthLimiter;
}

/**
 * One copy request.
 * @public
 */
export interface CopyRequest {
  /** The source bucket. */
  readonly sourceBucket: string;
  /** The full source key (prefix included). */
  readonly sourceKey: string;
  /** The listed source object (size, ETag, storage class). */
  readonly source: Entry;
  /**
   * A version of the source object to copy (a versioned bucket's older version) instead of its
   * current one.
   * @defaultValue the current version
   */
  readonly sourceVersionId?: string;
  /**
   * The class to write the copy in, chosen for this object (`storageClassRules`): overrides
   * `upload.storageClass` and the source's class.
   * @defaultValue `upload.storageClass`, else the source's class
   */
  readonly storageClass?: string;
  /** The target bucket. */
  readonly targetBucket: string;
  /** The full target key (prefix included). */
  readonly targetKey: string;
  /** Bytes copied so far (for streamed copies: bytes uploaded). */
  readonly onProgress?: (loaded: number) => void;
  /** Cancels the copy; a multipart copy or upload in progress is aborted. */
  readonly signal?: AbortSignal;
}

/**
 * How a copy was done, and why that way.
 * @public
 */
export interface CopyResult {
  /** How the object was copied. */
  readonly method: Extract<TransferMethod, 'server-copy' | 'multipart-copy' | 'stream-copy'>;
  /** Why this method, e.g. `same service, 12.0 MiB under the 5 GiB multipart threshold`. */
  readonly why: string;
  /** Requests this copy sent. */
  readonly requests: number;
  /** Bytes that passed through this process (0 for server-side copies). */
  readonly bytesThroughProcess: number;
}

/**
 * Copies objects between buckets. On the same service it copies server-side — CopyObject, or
 * parallel UploadPartCopy for large objects — so no bytes pass through this process, keeping
 * metadata, Content-Type, tags and storage class. Between services it streams GetObject into a
 * multipart upload with bounded memory and no local disk. A failed multipart copy or upload is
 * aborted.
 * @public
 */
export class S3ToS3Copier {
  readonly #options: S3ToS3CopierOptions;
  readonly #serverSide: boolean;
  readonly #threshold: number;
  readonly #copyPartSize: number;
  readonly #targetKey: SseCustomerParams | undefined;
  readonly #sourceKey: SseCustomerParams | undefined;

  /** @param options - the clients and copy settings; throws a `ConfigError` for an SSE-C key that is not 32 bytes */
  constructor(options: S3ToS3CopierOptions) {
    this.#options = options;
    this.#targetKey = resolveSseCustomerKey(options.sseCustomerKey, 'sseCustomerKey');
    this.#sourceKey = resolveSseCustomerKey(options.copySourceSseCustomerKey, 'copySourceSseCustomerKey');
    this.#serverSide = options.serverSide ?? options.sourceClient === options.targetClient;
    this.#threshold = Math.min(options.multipartCopyThreshold ?? MAX_SINGLE_COPY, MAX_SINGLE_COPY);
    this.#copyPartSize = options.copyPartSize ?? DEFAULT_COPY_PART_SIZE;
  }

  /** The method a copy of `size` bytes will use. */
  methodFor(size: number): CopyResult['method'] {
    if (!this.#serverSide) return 'stream-copy';
    return size >= this.#threshold && size > 0 ? 'multipart-copy' : 'server-copy';
  }

  /** Copies one object; throws a {@link TransferError} on failure. */
  async copy(request: CopyRequest): Promise<CopyResult> {
    try {
      try {
        return await this.#serverCopy(request);
      } catch (error) {
        if (!(error instanceof CannotServerCopyError)) throw error;
        return await this.#streamCopy(request, error.message);
      }
    } catch (error) {
      throw asTransferError(error, {
        operation: 'copy',
        key: request.source.key,
        bucket: request.targetBucket,
        signal: request.signal,
        read: { bucket: request.sourceBucket, objectKey: request.sourceKey, storageClass: request.source.storageClass },
      });
    }
  }

  async #serverCopy(request: CopyRequest): Promise<CopyResult> {
    if (!this.#serverSide) {
      throw new CannotServerCopyError('different endpoints or credentials: the target service cannot read the source');
    }
    try {
      return await this.#serverCopyOnce(request);
    } catch (error) {
      // Some servers cannot copy an SSE-C object server-side (radosgw 16 answers CopyObject with
      // 501 NotImplemented whatever the keys): the bytes are streamed instead, decrypted with
      // the source key and encrypted with the target's.
      if (this.#sourceKey !== undefined && !request.signal?.aborted && s3ErrorCode(error) === 'NotImplemented') {
        throw new CannotServerCopyError('the server cannot copy SSE-C objects server-side (NotImplemented)', { cause: error });
      }
      throw error;
    }
  }

  async #serverCopyOnce(request: CopyRequest): Promise<CopyResult> {
    const size = request.source.size;
    if (this.methodFor(size) === 'server-copy') {
      await this.#options.targetClient.send(new CopyObjectCommand(this.#copyInput(request)), { abortSignal: request.signal });
      request.onProgress?.(size);
      return { method: 'server-copy', why: `same service, ${formatSize(size)} under the ${formatSize(this.#threshold)} multipart copy threshold`, requests: 1, bytesThroughProcess: 0 };
    }
    const requests = await this.#multipartCopy(request);
    return {
      method: 'multipart-copy',
      why: `same service, ${formatSize(size)} at or above the ${formatSize(this.#threshold)} multipart copy threshold`,
      requests,
      bytesThroughProcess: 0,
    };
  }

  #copyInput(request: CopyRequest): CopyObjectCommandInput {
    const { upload = {} } = this.#options;
    const replace = this.#options.metadataDirective === 'REPLACE';
    return {
      Bucket: request.targetBucket,
      Key: request.targetKey,
      CopySource: copySource(request),
      CopySourceIfMatch: request.source.etag === undefined ? undefined : `"${request.source.etag}"`,
      MetadataDirective: replace ? 'REPLACE' : 'COPY',
      TaggingDirective: 'COPY',
      // CopyObject writes STANDARD unless told otherwise: keep the source's class.
      ...storageParams(withClass(upload, request.storageClass), request.source.storageClass),
      ...(replace ? descriptionParams(upload) : {}),
      ...sseCustomerParams(this.#targetKey),
      ...copySourceSseCustomerParams(this.#sourceKey),
    };
  }

  /** CreateMultipartUpload with the source's attributes, parallel UploadPartCopy, Complete; Abort on failure. */
  async #multipartCopy(request: CopyRequest): Promise<number> {
    const client = this.#options.targetClient;
    const signal = request.signal;
    const head = await this.#options.sourceClient.send(new HeadObjectCommand({ Bucket: request.sourceBucket, Key: request.sourceKey, VersionId: request.sourceVersionId, ...sseCustomerParams(this.#sourceKey) }), { abortSignal: signal });
    const tags = await this.#sourceTags(request);
    let requests = 4 + (tags.length > 0 ? 1 : 0);
    // No StateStore resumes copies: an interrupted copy's upload is always aborted.
    const target = { client, bucket: request.targetBucket, key: request.targetKey, signal: signal ?? new AbortController().signal };
    const { Bucket: _bucket, Key: _key, ...input } = this.#createInput(request, head);
    const uploadId = await createMultipartUpload(target, input);
    try {
      const size = request.source.size;
      const partSize = partSizeFor(size, this.#copyPartSize);
      const ranges = function* (): Generator<{ number: number; start: number; end: number }> {
        for (let start = 0, number = 1; start < size; start += partSize, number++) yield { number, start, end: Math.min(start + partSize, size) - 1 };
      };
      const etags = new Map<number, string | undefined>();
      let copied = 0;
      await runParts(
        ranges(),
        async ({ number, start, end }) => {
          const result = await client.send(
            new UploadPartCopyCommand({
              Bucket: request.targetBucket,
              Key: request.targetKey,
              UploadId: uploadId,
              PartNumber: number,
              CopySource: copySource(request),
              CopySourceIfMatch: request.source.etag === undefined ? undefined : `"${request.source.etag}"`,
              CopySourceRange: `bytes=${start}-${end}`,
              ...sseCustomerParams(this.#targetKey),
              ...copySourceSseCustomerParams(this.#sourceKey),
            }),
            { abortSignal: signal },
          );
          requests++;
          etags.set(number, result.CopyPartResult?.ETag);
          copied += end - start + 1;
          request.onProgress?.(copied);
        },
        { concurrency: this.#options.queueSize ?? DEFAULT_QUEUE_SIZE, signal },
      );
      const parts: CompletedPart[] = [...etags].sort(([a], [b]) => a - b).map(([PartNumber, ETag]) => ({ PartNumber, ETag }));
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: request.targetBucket,
          Key: request.targetKey,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
          ...sseCustomerParams(this.#targetKey),
        }),
        { abortSignal: signal },
      );
      // Tags after completing, as lib-storage does: not every server honours x-amz-tagging on
      // CreateMultipartUpload (radosgw 16 ignores it).
      if (tags.length > 0) {
        await client.send(new PutObjectTaggingCommand({ Bucket: request.targetBucket, Key: request.targetKey, Tagging: { TagSet: tags } }), {
          abortSignal: signal,
        });
      }
      return requests;
    } catch (error) {
      // Abort even when our signal fired: orphaned parts are billed.
      await abortMultipartUpload(target, uploadId).catch(() => {});
      throw error;
    }
  }

  #createInput(request: CopyRequest, head: HeadObjectCommandOutput): CreateMultipartUploadCommandInput {
    const { upload = {} } = this.#options;
    const replace = this.#options.metadataDirective === 'REPLACE';
    return {
      Bucket: request.targetBucket,
      Key: request.targetKey,
      ...this.#description(head),
      ContentDisposition: replace ? undefined : head.ContentDisposition,
      ContentEncoding: replace ? undefined : head.ContentEncoding,
      ContentLanguage: replace ? undefined : head.ContentLanguage,
      ...storageParams(withClass(upload, request.storageClass), request.source.storageClass ?? head.StorageClass),
      ...sseCustomerParams(this.#targetKey),
    };
  }

  /** Metadata, Content-Type and Cache-Control of the copy: the source's (`COPY`) or the upload options' (`REPLACE`). */
  #description(source: { readonly Metadata?: Record<string, string>; readonly ContentType?: string; readonly CacheControl?: string }): DescriptionParams {
    if (this.#options.metadataDirective === 'REPLACE') return descriptionParams(this.#options.upload ?? {});
    return { Metadata: source.Metadata, ContentType: source.ContentType, CacheControl: source.CacheControl };
  }

  /** The source's tags (none with `REPLACE`). */
  async #sourceTags(request: CopyRequest): Promise<Tag[]> {
    if (this.#options.metadataDirective === 'REPLACE') return [];
    const tagging = await this.#options.sourceClient.send(new GetObjectTaggingCommand({ Bucket: request.sourceBucket, Key: request.sourceKey, VersionId: request.sourceVersionId }), {
      abortSignal: request.signal,
    });
    return tagging.TagSet ?? [];
  }

  /** GetObject from the source streamed into a multipart upload to the target: no disk, bounded memory. */
  async #streamCopy(request: CopyRequest, why: string): Promise<CopyResult> {
    const { sourceClient, targetClient, upload = {} } = this.#options;
    const signal = request.signal;
    const object = await sourceClient.send(
      new GetObjectCommand({
        Bucket: request.sourceBucket,
        Key: request.sourceKey,
        VersionId: request.sourceVersionId,
        IfMatch: request.source.etag === undefined ? undefined : `"${request.source.etag}"`,
        ...sseCustomerParams(this.#sourceKey),
      }),
      { abortSignal: signal },
    );
    const partSize = partSizeFor(request.source.size, this.#options.streamPartSize ?? DEFAULT_PART_SIZE);
    const body = object.Body as NodeJS.ReadableStream & { destroy(error?: Error): void };
    const onAbort = (): void => body.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const limiter = this.#options.bandwidthLimiter;
    try {
      const uploader = new Upload({
        client: targetClient,
        partSize,
        queueSize: this.#options.queueSize ?? DEFAULT_QUEUE_SIZE,
        leavePartsOnError: false,
        params: {
          Bucket: request.targetBucket,
          Key: request.targetKey,
          Body: (limiter === undefined ? body : throttledReadable(body as unknown as Readable, limiter, signal)) as never,
          ContentLength: request.source.size,
          ...this.#description(object),
          ...storageParams(withClass(upload, request.storageClass), request.source.storageClass),
          ...sseCustomerParams(this.#targetKey),
        },
      });
      uploader.on('httpUploadProgress', (progress) => request.onProgress?.(progress.loaded ?? 0));
      await uploader.done();
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    const parts = partCountOf(request.source.size, partSize);
    return { method: 'stream-copy', why, requests: 1 + (parts === 1 ? 1 : parts + 2), bytesThroughProcess: request.source.size };
  }
}

/** `upload` with the class chosen for one object, when one was. */
function withClass(upload: UploadOptions, storageClass: string | undefined): UploadOptions {
  return storageClass === undefined ? upload : { ...upload, storageClass };
}

function copySource(request: CopyRequest): string {
  // CopySource is "bucket/key" with the key URL-encoded (slashes may stay), and a version as
  // "?versionId=…" (the one query parameter CopySource takes).
  const source = `${request.sourceBucket}/${request.sourceKey.split('/').map(encodeURIComponent).join('/')}`;
  return request.sourceVersionId === undefined ? source : `${source}?versionId=${encodeURIComponent(request.sourceVersionId)}`;
}

function formatSize(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`;
}
