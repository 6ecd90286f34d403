/**
 * Base class of every error s3kit throws on purpose. Catch it with `isS3kitError` (from `s3kit`).
 * @public
 */
export class S3kitError extends Error {
  /** The class name, for logs and `instanceof`-free checks. */
  override name = 'S3kitError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Options or a location given to s3kit are invalid. `field` names the option at fault.
 * @public
 */
export class ConfigError extends S3kitError {
  /** {@inheritDoc S3kitError.name} */
  override name = 'ConfigError';
  /** The option (or config path) at fault, e.g. `source` or `maxDelete`. */
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.field = field;
  }
}

/**
 * A listing stream delivered keys out of S3 order; planning cannot continue safely.
 * @public
 */
export class ListingOrderError extends S3kitError {
  /** {@inheritDoc S3kitError.name} */
  override name = 'ListingOrderError';
  /** Which listing broke the order. */
  readonly side: 'source' | 'target';
  /** The key before the offending one. */
  readonly previousKey: string;
  /** The key that came out of order. */
  readonly key: string;
  /**
   * @param side - which listing broke the order
   * @param previousKey - the key that came first
   * @param key - the key that came after it but sorts before or equal to it
   */
  constructor(side: 'source' | 'target', previousKey: string, key: string) {
    super(
      `The ${side} listing is out of order: ${JSON.stringify(key)} came after ${JSON.stringify(previousKey)}. ` +
        `s3kit needs keys in UTF-8 byte order (as AWS S3 lists them); this server does not list in that order.`,
    );
    this.side = side;
    this.previousKey = previousKey;
    this.key = key;
  }
}

/**
 * Listing a source or target failed (missing bucket, access denied, unreadable directory...).
 * @public
 */
export class ListingError extends S3kitError {
  /** {@inheritDoc S3kitError.name} */
  override name = 'ListingError';
  /** Which listing failed. */
  readonly side: 'source' | 'target';
  /** The server's error code (`NoSuchBucket`, `AccessDenied`...) or the system code (`ENOENT`). */
  readonly code: string | undefined;
  /**
   * True when the service failed rather than the request (5xx, throttling, a timeout or reset,
   * after retries): the same sync may succeed later. False for a missing bucket, denied access,
   * bad credentials.
   */
  readonly retryable: boolean;
  constructor(side: 'source' | 'target', message: string, options: { code?: string; cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.side = side;
    this.code = options.code;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * One object's transfer or delete failed. Collected per object; the run goes on.
 * @public
 */
export class TransferError extends S3kitError {
  /** {@inheritDoc S3kitError.name} */
  override name = 'TransferError';
  /** What was being done: `put`, `multipart`, `delete`, `read`. */
  readonly operation: string;
  /** The key, relative to the location root. */
  readonly key: string;
  /** Whether trying again may succeed (throttling, 5xx, connection reset). */
  readonly retryable: boolean;
  /** The server's error code or the system error code, when there is one. */
  readonly code: string | undefined;
  constructor(
    operation: string,
    key: string,
    message: string,
    options: { retryable?: boolean; code?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.operation = operation;
    this.key = key;
    this.retryable = options.retryable ?? false;
    this.code = options.code;
  }
}

/**
 * A saved plan no longer matches the source and target: `apply` refuses it.
 * @public
 */
export class PlanMismatchError extends S3kitError {
  /** {@inheritDoc S3kitError.name} */
  override name = 'PlanMismatchError';
  /** The first key that differs. */
  readonly key: string;
  /**
   * @param key - the first key that differs
   * @param difference - what differs, as a sentence fragment
   */
  constructor(key: string, difference: string) {
    super(`The plan is out of date at ${JSON.stringify(key)}: ${difference}. Make a new plan.`);
    this.key = key;
  }
}

/**
 * Why a bisync refused to run: `needs-resync` (no baseline for the pair yet), `filters-changed`
 * (the baseline was made with other filters), `empty-side` (a side lists nothing while the
 * baseline holds keys: an unmounted disk or a wrong prefix, not a mass delete), `locked` (another
 * run holds the pair's lock, local or on an S3 side), `lock-lost` (another run took the S3 lock
 * over while this one ran: this run stopped, keeping what it did), `access-check` (the
 * `accessCheck` key is missing on a side).
 * @public
 */
export type BisyncRefusal = 'needs-resync' | 'filters-changed' | 'empty-side' | 'locked' | 'lock-lost' | 'access-check';

/**
 * A bisync refused to start, before changing anything (or, for `lock-lost`, stopped: what it did
 * is kept). `reason` says why; the message what to do.
 * @public
 */
export class BisyncRefusedError extends S3kitError {
  /** {@inheritDoc S3kitError.name} */
  override name = 'BisyncRefusedError';
  /** Why the run was refused. */
  readonly reason: BisyncRefusal;
  constructor(reason: BisyncRefusal, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * True for any error s3kit threw on purpose.
 * @public
 */
export function isS3kitError(error: unknown): error is S3kitError {
  return error instanceof S3kitError;
}
