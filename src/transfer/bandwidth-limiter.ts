import { pipeline, type Readable, Transform } from 'node:stream';
import { positiveNumber } from '../core/validate.js';

// Why not a library: `limiter` (the well-kept token bucket on npm, Node ≥ 20) has no AbortSignal —
// a waiting removeTokens() cannot be cancelled, keeps its place and still takes its tokens after
// an abort — and refuses requests larger than the bucket, which a PUT of a whole part is.
// `stream-throttle` and `throttle` pace one stream each (no bucket shared by several) and are no
// longer maintained. What is needed here is a few lines: a bucket that may go into debt, one
// timer per waiting caller, and the tokens of an aborted caller given back.

/** The longest delay setTimeout keeps (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Options of {@link BandwidthLimiter}.
 * @public
 */
export interface BandwidthLimiterOptions {
  /** The long-run rate, in bytes per second. */
  readonly bytesPerSecond: number;
  /**
   * Bytes that may pass at once after an idle spell (the bucket's size). Small, so that the rate
   * holds over short runs too; it does not limit throughput, since a caller may take more than
   * this and then waits until its bytes are due.
   * @defaultValue a tenth of a second's worth of `bytesPerSecond`
   */
  readonly burstBytes?: number;
}

/**
 * A token bucket shared by every transfer of a run: each caller takes the bytes it is about to
 * move and waits until the rate allows them. Bytes admitted by time `t` never exceed
 * `burstBytes + bytesPerSecond × t`, and while callers keep asking they get exactly the rate.
 * A caller may take more than the bucket holds (the bucket goes into debt, and that caller waits
 * it out), so a whole part can be paid for before it is sent. Callers wait in the order they
 * asked only as far as their waits do: each gets one timer, none polls.
 * @public
 */
export class BandwidthLimiter {
  /** The rate, in bytes per second. */
  readonly bytesPerSecond: number;
  /** The bucket's size, in bytes. */
  readonly burstBytes: number;
  /** Bytes in the bucket at `#updated`; negative while callers wait for bytes already promised. */
  #tokens: number;
  #updated: number;

  /** Throws a `ConfigError` for a rate or burst that is not a positive finite number. */
  constructor(options: BandwidthLimiterOptions) {
    this.bytesPerSecond = positiveNumber(options.bytesPerSecond, 'bytesPerSecond', 'bytes per second');
    this.burstBytes = positiveNumber(options.burstBytes ?? this.bytesPerSecond / 10, 'burstBytes', 'bytes');
    this.#tokens = this.burstBytes;
    this.#updated = performance.now();
  }

  /**
   * Resolves when `bytes` may be moved. With `signal`, an abort rejects at once with the
   * signal's reason (nothing waits for tokens after an abort) and gives the bytes back.
   */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason as unknown);
    if (bytes <= 0) return Promise.resolve();
    this.#refill();
    this.#tokens -= bytes;
    if (this.#tokens >= 0) return Promise.resolve();
    const due = performance.now() + (-this.#tokens * 1000) / this.bytesPerSecond;
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        clearTimeout(timer);
        this.#refill();
        this.#tokens = Math.min(this.burstBytes, this.#tokens + bytes);
        reject(signal?.reason as unknown);
      };
      // Node fires a delay above MAX_TIMER_MS after 1 ms: a long wait (a low limit, a big part)
      // is slept in steps.
      const sleep = (): void => {
        const left = due - performance.now();
        if (left <= 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
          return;
        }
        timer = setTimeout(sleep, Math.min(Math.ceil(left), MAX_TIMER_MS));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      sleep();
    });
  }

  #refill(): void {
    const now = performance.now();
    this.#tokens = Math.min(this.burstBytes, this.#tokens + ((now - this.#updated) * this.bytesPerSecond) / 1000);
    this.#updated = now;
  }
}

/**
 * A pass-through stream that hands each chunk on once `limiter` admits it, for bodies that are
 * read as they arrive (GET bodies, streamed copies, URL ingests): while it waits, the source is
 * not read, so the connection itself slows down. Memory stays at the stream's buffers (16 KiB
 * each side). An abort of `signal` fails the stream at once with the signal's reason.
 * @internal
 */
export function throttled(limiter: BandwidthLimiter, signal: AbortSignal | undefined): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      limiter.take(chunk.length, signal).then(
        () => callback(null, chunk),
        (error: unknown) => callback(error as Error),
      );
    },
  });
}

/**
 * `source` read through {@link throttled}, for a consumer that takes a readable (lib-storage's
 * Upload). An error on either side destroys both; the consumer sees it on the returned stream.
 * @internal
 */
export function throttledReadable(source: Readable, limiter: BandwidthLimiter, signal: AbortSignal | undefined): Readable {
  const paced = throttled(limiter, signal);
  // The callback only keeps the error from going unhandled; `paced` carries it to the consumer.
  pipeline(source, paced, () => {});
  return paced;
}
