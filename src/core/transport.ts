/**
 * The request lanes: `'sdk'` sends every request through the AWS SDK client; `'lean'` sends the
 * hot requests it covers (so far the pages of a listing after the first) signed by the client's
 * own signer through its own request handler, without the SDK's middleware and deserializer.
 * @public
 */
export type Transport = 'sdk' | 'lean';

export const TRANSPORTS: readonly Transport[] = ['sdk', 'lean'];

/** The lane chosen for each client s3kit built (a client a caller passes in is on the SDK lane). */
const lanes = new WeakMap<object, Transport>();

/** Records the lane of a client s3kit built. */
export function setTransport(client: object, transport: Transport): void {
  lanes.set(client, transport);
}

/** The lane of a client: what it was built with, else `'sdk'`. */
export function transportOf(client: object): Transport {
  return lanes.get(client) ?? 'sdk';
}
