import { setTimeout as sleep } from 'node:timers/promises';
import { isRetryableError } from '../core/s3-errors.js';

/**
 * Retry policy of a transfer task. The SDK already retries single requests; this layer retries
 * a whole task (re-reading the file, restarting a multipart upload) after the SDK gave up.
 */
export interface RetryPolicy {
  /** Attempts after the first. */
  readonly retries: number;
  /** First delay; each retry doubles it, with full jitter. */
  readonly baseDelayMs: number;
  /** Which failures are worth another attempt. @defaultValue {@link isRetryableError} */
  readonly isRetryable?: (error: unknown) => boolean;
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or retries run out. */
export async function withRetry<T>(attempt: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (signal?.aborted || retry >= policy.retries || !(policy.isRetryable ?? isRetryableError)(error)) throw error;
      const ceiling = policy.baseDelayMs * 2 ** retry;
      await sleep(Math.random() * ceiling, undefined, { signal });
    }
  }
}
