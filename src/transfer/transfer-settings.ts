import { ConfigError } from '../core/errors.js';
import { integerBetween, nonNegativeInteger, oneOf, positiveInteger, positiveNumber } from '../core/validate.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_COPY_PART_SIZE,
  DEFAULT_MULTIPART_THRESHOLD,
  DEFAULT_PART_SIZE,
  DEFAULT_QUEUE_SIZE,
  DEFAULT_RETRIES,
  DEFAULT_RETRY_BASE_DELAY_MS,
  MAX_PART_SIZE,
  MAX_SINGLE_COPY,
  MIN_PART_SIZE,
} from './limits.js';
import type { MultipartOptions, UploadOptions } from './upload-options.js';

/** Server-side encryption modes S3 accepts. */
export const SSE_MODES = ['AES256', 'aws:kms'] as const;
/** Metadata directives of S3 → S3 copies. */
export const METADATA_DIRECTIVES = ['COPY', 'REPLACE'] as const;

/** The transfer options as given (a subset of `TransferManagerOptions` and `SyncOptions`). */
export interface TransferOptionsInput extends MultipartOptions {
  readonly concurrency?: number;
  readonly backlog?: number;
  readonly retries?: number;
  readonly retryBaseDelayMs?: number;
  readonly bandwidthLimit?: number;
  readonly upload?: UploadOptions;
  readonly copy?: {
    readonly multipartCopyThreshold?: number;
    readonly copyPartSize?: number;
    readonly metadataDirective?: 'COPY' | 'REPLACE';
  };
}

/** Every transfer option validated, with its default. */
export interface TransferSettings {
  readonly concurrency: number;
  readonly backlog: number;
  readonly retries: number;
  readonly retryBaseDelayMs: number;
  /** Bytes per second of all transfers together; undefined for no limit. */
  readonly bandwidthLimit: number | undefined;
  readonly partSize: number;
  readonly multipartThreshold: number;
  readonly queueSize: number;
  readonly upload: UploadOptions;
  readonly multipartCopyThreshold: number;
  readonly copyPartSize: number;
  readonly metadataDirective: 'COPY' | 'REPLACE';
}

const PART_SIZE_RULE = "at least 5 MiB and at most 5 GiB (S3's part limits: 5242880 to 5368709120 bytes)";

/**
 * Validates the transfer options and sets each default (from `limits.ts`); throws a
 * `ConfigError` naming the field at fault. Resolving resolved settings gives them back unchanged.
 */
export function resolveTransferSettings(options: TransferOptionsInput): TransferSettings {
  const concurrency = positiveInteger(options.concurrency ?? DEFAULT_CONCURRENCY, 'concurrency');
  const partSize = integerBetween(options.partSize ?? DEFAULT_PART_SIZE, 'partSize', MIN_PART_SIZE, MAX_PART_SIZE, PART_SIZE_RULE);
  const multipartThreshold = positiveInteger(options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD, 'multipartThreshold');
  if (multipartThreshold > MAX_PART_SIZE) {
    throw new ConfigError('multipartThreshold', `multipartThreshold must be at most 5 GiB (5368709120 bytes), the most S3 takes in one PUT; got ${multipartThreshold}.`);
  }
  if (multipartThreshold < partSize) {
    throw new ConfigError('multipartThreshold', `multipartThreshold (${multipartThreshold}) must be at least partSize (${partSize}).`);
  }
  const upload = options.upload ?? {};
  if (upload.sse !== undefined) oneOf(upload.sse, 'upload.sse', SSE_MODES);
  if (upload.sseKmsKeyId !== undefined && upload.sse !== 'aws:kms') {
    throw new ConfigError('sseKmsKeyId', `sseKmsKeyId needs sse: 'aws:kms' (got sse: ${String(upload.sse)}).`);
  }
  const multipartCopyThreshold = options.copy?.multipartCopyThreshold;
  // 0 is a threshold too (every non-empty object in parts), as the copier and the CLI flag take it.
  if (multipartCopyThreshold !== undefined && (!Number.isInteger(multipartCopyThreshold) || multipartCopyThreshold < 0)) {
    throw new ConfigError(
      'multipartCopyThreshold',
      `multipartCopyThreshold must be a whole number of bytes (0 copies every non-empty object in parts), got ${String(multipartCopyThreshold)}.`,
    );
  }
  return {
    concurrency,
    backlog: positiveInteger(options.backlog ?? 2 * concurrency, 'backlog'),
    retries: nonNegativeInteger(options.retries ?? DEFAULT_RETRIES, 'retries'),
    retryBaseDelayMs: nonNegativeInteger(options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS, 'retryBaseDelayMs'),
    bandwidthLimit: options.bandwidthLimit === undefined ? undefined : positiveNumber(options.bandwidthLimit, 'bandwidthLimit', 'bytes per second (leave it out for no limit)'),
    partSize,
    multipartThreshold,
    queueSize: positiveInteger(options.queueSize ?? DEFAULT_QUEUE_SIZE, 'queueSize'),
    upload,
    // S3 caps a single CopyObject at 5 GiB, so a larger threshold is lowered to that.
    multipartCopyThreshold: Math.min(multipartCopyThreshold ?? MAX_SINGLE_COPY, MAX_SINGLE_COPY),
    copyPartSize: integerBetween(options.copy?.copyPartSize ?? DEFAULT_COPY_PART_SIZE, 'copyPartSize', MIN_PART_SIZE, MAX_PART_SIZE, PART_SIZE_RULE),
    metadataDirective: oneOf(options.copy?.metadataDirective ?? 'COPY', 'metadataDirective', METADATA_DIRECTIVES),
  };
}
