import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

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
}

/**
 * Builds an S3 client with s3kit's defaults: keep-alive sockets sized for its concurrency, path
 * style and `WHEN_REQUIRED` checksums for custom endpoints.
 * @public
 */
export function createS3Client(options: S3ConnectionOptions = {}): S3Client {
  if (options.client !== undefined) return options.client;
  const custom = options.endpoint !== undefined;
  const checksumMode = options.checksumMode ?? (custom ? 'WHEN_REQUIRED' : undefined);
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  return new S3Client({
    endpoint: options.endpoint,
    // A custom endpoint (radosgw, MinIO) rarely has a region of its own; AWS needs the real one.
    region: options.region ?? (custom ? 'us-east-1' : undefined),
    profile: options.profile,
    forcePathStyle: options.forcePathStyle ?? custom,
    credentials: options.credentials,
    requestChecksumCalculation: checksumMode,
    responseChecksumValidation: checksumMode,
    requestHandler: { httpAgent: new HttpAgent(agentOptions), httpsAgent: new HttpsAgent(agentOptions) },
  });
}
