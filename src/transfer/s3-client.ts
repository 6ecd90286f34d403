import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ConfigError } from '../core/errors.js';
import { setClientLane, TRANSPORTS, type Transport } from '../core/transport.js';

/**
 * How s3kit reaches an S3 service when it builds the client itself.
 * @public
 */
export interface S3ConnectionOptions {
  /**
   * A ready client; the other connection options are then ignored. Its
   * `requestChecksumCalculation` should be `WHEN_REQUIRED` for servers other than AWS.
   */
  readonly client?: S3Client;
  /**
   * Endpoint URL of an S3-compatible server, e.g. `http://127.0.0.1:7480`.
   * @defaultValue the AWS endpoint of the region
   */
  readonly endpoint?: string;
  /**
   * Region to sign for.
   * @defaultValue the SDK's default chain (`AWS_REGION`, the profile); `us-east-1` with a custom `endpoint`
   */
  readonly region?: string;
  /**
   * Address buckets as `endpoint/bucket` instead of `bucket.endpoint`.
   * @defaultValue `true` when `endpoint` is set, else `false`
   */
  readonly forcePathStyle?: boolean;
  /**
   * Named profile of `~/.aws/config` and `~/.aws/credentials` for credentials and region.
   * @defaultValue the SDK's default (`AWS_PROFILE`, else `default`)
   */
  readonly profile?: string;
  /**
   * Credentials, or a provider of them.
   * @defaultValue the SDK's default credential chain (environment, profiles, SSO, roles)
   */
  readonly credentials?: S3ClientConfig['credentials'];
  /**
   * When the SDK adds flexible checksums (`x-amz-checksum-*`, `aws-chunked` bodies) to requests.
   * Many S3-compatible servers (radosgw 16, older MinIO) reject them, so for a custom endpoint
   * s3kit asks for them only when an operation requires one; s3kit sends `Content-MD5` itself.
   * @defaultValue `'WHEN_REQUIRED'` with a custom `endpoint`, else the SDK's default
   */
  readonly checksumMode?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  /**
   * Sockets kept open per host.
   * @defaultValue `64`
   */
  readonly maxSockets?: number;
  /**
   * How long to wait for a TCP connection to the endpoint, in milliseconds. A request that
   * times out is retried like any transient failure, then fails naming this option.
   * @defaultValue `10000`
   */
  readonly connectTimeoutMs?: number;
  /**
   * How long a request may go without a byte moving either way (no answer, or a server that
   * stopped reading the body), in milliseconds. An idle timeout rather than a total one, so a
   * large part on a slow link is never cut while it progresses. With the SDK's 3 attempts, a
   * silent endpoint fails a request in about 100 s by default (rclone's
   * `--timeout` is the model; its default is 5 minutes).
   * @defaultValue `30000`
   */
  readonly timeoutMs?: number;
  /**
   * The request lane of the clients s3kit builds: `'lean'` lists (every page after the first)
   * without the SDK's middleware and XML deserializer, signed by the client's own signer and sent
   * by its own handler, so credentials, addressing, TLS, timeouts and retries are the SDK's. Not
   * applied to a `client` you pass in. `'sdk'` sends everything through the SDK.
   * @defaultValue `'sdk'`
   */
  readonly transport?: Transport;
}

/** Defaults of the timeouts: a silent endpoint fails a command within about two minutes. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Builds an S3 client with s3kit's defaults: keep-alive sockets sized for its concurrency, path
 * style and `WHEN_REQUIRED` checksums for custom endpoints.
 * @public
 */
export function createS3Client(options: S3ConnectionOptions = {}): S3Client {
  if (options.client !== undefined) return options.client;
  if (options.transport !== undefined && !TRANSPORTS.includes(options.transport)) {
    throw new ConfigError('transport', `transport must be 'sdk' or 'lean', got ${JSON.stringify(options.transport)}.`);
  }
  const custom = options.endpoint !== undefined;
  const checksumMode = options.checksumMode ?? (custom ? 'WHEN_REQUIRED' : undefined);
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const connectTimeoutMs = positiveMs(options.connectTimeoutMs, 'connectTimeoutMs') ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const timeoutMs = positiveMs(options.timeoutMs, 'timeoutMs') ?? DEFAULT_TIMEOUT_MS;
  const client = new S3Client({
    endpoint: options.endpoint,
    // A custom endpoint (radosgw, MinIO) rarely has a region of its own; AWS needs the real one.
    region: options.region ?? (custom ? 'us-east-1' : undefined),
    profile: options.profile,
    forcePathStyle: options.forcePathStyle ?? custom,
    credentials: options.credentials,
    requestChecksumCalculation: checksumMode,
    responseChecksumValidation: checksumMode,
    requestHandler: {
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: connectTimeoutMs,
      // The handler's socketTimeout is the idle timeout (socket inactivity, body included); its
      // requestTimeout is a total that only warns unless told otherwise.
      socketTimeout: timeoutMs,
    },
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if ((error as Error | undefined)?.name === 'TimeoutError') describeTimeout(error as Error, args.request, { connectTimeoutMs, timeoutMs });
        throw error;
      }
    },
    // The build step runs outside the SDK's retries, so this sees the error that ends them.
    { step: 'build', name: 's3kitTimeoutMessage' },
  );
  setClientLane(client, { transport: options.transport ?? 'sdk', describeTimeout: (error, request) => describeTimeout(error, request, { connectTimeoutMs, timeoutMs }) });
  return client;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

function positiveMs(value: number | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  // Node's timers hold at most 2^31 - 1 ms (about 24.8 days); a longer one fires after 1 ms.
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new ConfigError(field, `${field} must be a positive number of milliseconds up to ${MAX_TIMER_MS} (about 24 days), got ${JSON.stringify(value)}.`);
  }
  return value;
}

/**
 * Rewrites the HTTP handler's timeout message into one sentence that names the endpoint, which
 * timeout fired and the option that sets it (the CLI shows its flag instead). The error keeps
 * its name, so it is still classified as transient.
 */
function describeTimeout(error: Error, request: unknown, limits: { connectTimeoutMs: number; timeoutMs: number }): void {
  const connect = /establish a connection/.test(error.message);
  const http = request as { protocol?: string; hostname?: string; port?: number } | undefined;
  const endpoint = http?.hostname === undefined ? 'the S3 endpoint' : `${http.protocol ?? 'https:'}//${http.hostname}${http.port === undefined ? '' : `:${http.port}`}`;
  const [what, ms, option] = connect
    ? ['could not connect to', limits.connectTimeoutMs, 'connectTimeoutMs']
    : ['no answer from', limits.timeoutMs, 'timeoutMs'];
  error.message =
    `${what} ${endpoint} within ${ms / 1000} s (${connect ? 'connection' : 'idle'} timeout ${option}), after retries: ` +
    `check that the server is up and reachable, or raise ${option}`;
}
