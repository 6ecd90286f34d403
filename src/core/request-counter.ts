import type { S3Client } from '@aws-sdk/client-s3';

const counters = new WeakMap<S3Client, { count: number }>();

/**
 * Counts the requests a client sends (each attempt of each command), installing one counting
 * middleware per client however often it is asked. Returns a reader of the running total.
 */
export function requestCounter(client: S3Client): () => number {
  const current = counterOf(client);
  return () => current.count;
}

/**
 * Counts one request a client's lane sent outside the SDK's middleware (the lean lane's listing
 * pages, each attempt), so the summary's request count is the same whichever lane sent it.
 */
export function countRequestOutsideSdk(client: S3Client): void {
  counterOf(client).count++;
}

function counterOf(client: S3Client): { count: number } {
  let counter = counters.get(client);
  if (counter === undefined) {
    const created = { count: 0 };
    counter = created;
    counters.set(client, created);
    client.middlewareStack.add(
      (next) => async (args) => {
        created.count++;
        return next(args);
      },
      { step: 'finalizeRequest', name: 's3kitRequestCounter', override: true },
    );
  }
  return counter;
}
