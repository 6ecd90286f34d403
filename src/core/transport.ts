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
