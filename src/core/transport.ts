/**
 * The request lanes: `'sdk'` sends every request through the AWS SDK client; `'lean'` sends the
 * hot requests it covers (so far the pages of a listing after the first) signed by the client's
 * own signer through its own request handler, without the SDK's middleware and deserializer.
 * @public
 */
export type Transport = 'sdk' | 'lean';

export const TRANSPORTS: readonly Transport[] = ['sdk', 'lean'];

/** How s3kit built a client: its lane, and how its timeouts are told (the SDK lane's middleware does it there). */
export interface ClientLane {
  readonly transport: Transport;
  /** Rewrites a timeout error's message to name the endpoint and the setting, as the SDK lane does. */
  readonly describeTimeout?: (error: Error, request: unknown) => void;
}

/** The lane of each client s3kit built (a client a caller passes in is on the SDK lane). */
const lanes = new WeakMap<object, ClientLane>();

/** Records the lane of a client s3kit built. */
export function setClientLane(client: object, lane: ClientLane): void {
  lanes.set(client, lane);
}

/** The lane of a client: what it was built with, else the SDK lane. */
export function clientLane(client: object): ClientLane {
  return lanes.get(client) ?? { transport: 'sdk' };
}

/**
 * ListObjectsV2 streams per S3 listing when listS3 is not told (its `concurrency`: a delimiter
 * pass, then sub-prefixes listed side by side and merged in key order), by the lane. Measured on 2 cores against radosgw on loopback, no-op re-syncs (2 runs each):
 * on the lean lane, 100,000 keys 4.04–4.10 s → 3.15–3.26 s with 4 streams for 10 MB more peak
 * memory, 20,000 keys unchanged within noise; on the SDK lane, 100,000 keys 4.9–5.7 → 4.6–4.7 s
 * for 45 MB more (its per-page CPU, not latency, bounds it), so it keeps one stream.
 */
export function listingStreams(transport: Transport): number {
  return transport === 'lean' ? 4 : 1;
}
