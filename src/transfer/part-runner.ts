import PQueue from 'p-queue';

/** Options of {@link runParts}. */
export interface PartRunnerOptions {
  /** Parts in flight at once (a few more wait in the queue, so the next starts without delay). */
  readonly concurrency: number;
  /** Stops starting parts; the call rejects with its reason once the parts in flight settled. */
  readonly signal?: AbortSignal;
}

/**
 * Runs `task` for each part with bounded concurrency, for multipart uploads, ranged downloads and
 * part copies alike. Parts are taken from `parts` lazily, only while fewer than `concurrency`
 * wait, so a large object never has all its parts queued. At the first failure (or an abort) no
 * further part starts; the call waits for the parts in flight — the caller's file handle or
 * upload id stays valid until none is left — and then rejects with the first failure (the
 * signal's reason after an abort). A failing part never becomes an unhandled rejection.
 */
export async function runParts<T>(parts: Iterable<T>, task: (part: T) => Promise<void>, options: PartRunnerOptions): Promise<void> {
  const { concurrency, signal } = options;
  const queue = new PQueue({ concurrency });
  let failure: { readonly error: unknown } | undefined;
  const pending: Promise<void>[] = [];
  const stopped = (): boolean => failure !== undefined || signal?.aborted === true;
  for (const part of parts) {
    if (stopped()) break;
    await queue.onSizeLessThan(concurrency);
    if (stopped()) break;
    // Caught inside the queued function: a failure is recorded before the queue starts the next
    // waiting part (which then does not start), and is never an unhandled rejection.
    pending.push(
      queue.add(async () => {
        if (stopped()) return;
        try {
          await task(part);
        } catch (error) {
          failure ??= { error };
        }
      }),
    );
  }
  await Promise.all(pending);
  signal?.throwIfAborted();
  if (failure !== undefined) throw failure.error;
}
