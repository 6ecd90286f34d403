import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  paginateListObjectsV2,
  S3Client,
  PutObjectCommand,
  type HeadObjectCommandOutput,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import type { SyncOptions } from 's3kit';
import { inject } from 'vitest';

/** createSyncer options between two locations, connected to the test server. */
export function syncOptions(source: string, target: string, extra: Partial<SyncOptions> = {}): SyncOptions {
  return { source, target, ...connection(), ...extra };
}

/**
 * The request lane the suite runs on: S3KIT_TEST_TRANSPORT=lean runs every test that connects
 * through {@link connection} on the lean lane (CI runs the S3 suites on both).
 */
const TRANSPORT = process.env.S3KIT_TEST_TRANSPORT === 'lean' ? { transport: 'lean' as const } : {};

/** Connection options for createSyncer pointing at the test server. */
export function connection(): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; transport?: 'lean' } {
  const s3 = inject('s3');
  return {
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    ...TRANSPORT,
  };
}

let client: S3Client | undefined;

/** A client for checking what is on the server, independent of s3kit's own. */
export function testClient(): S3Client {
  client ??= new S3Client({
    ...connection(),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return client;
}

/** Creates a bucket of its own for a test file or test. */
export async function createTestBucket(label: string): Promise<string> {
  const bucket = `s3kit-${label}-${randomBytes(4).toString('hex')}`.toLowerCase().slice(0, 63);
  await testClient().send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Every object under a prefix: key → size. */
export async function listObjects(bucket: string, prefix = ''): Promise<Map<string, number>> {
  const objects = new Map<string, number>();
  for await (const page of paginateListObjectsV2({ client: testClient() }, { Bucket: bucket, Prefix: prefix })) {
    for (const object of page.Contents ?? []) objects.set(object.Key!, object.Size ?? 0);
  }
  return objects;
}

export async function getObjectBytes(bucket: string, key: string): Promise<Buffer> {
  const response = await testClient().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

export function headObject(bucket: string, key: string): Promise<HeadObjectCommandOutput> {
  return testClient().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

/** Puts an object directly (not through s3kit). */
export async function putObject(bucket: string, key: string, body: string | Buffer, extra: Partial<PutObjectCommandInput> = {}): Promise<void> {
  await testClient().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }));
}

/** Multipart uploads started and neither completed nor aborted. */
export async function incompleteUploads(bucket: string): Promise<number> {
  const response = await testClient().send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return response.Uploads?.length ?? 0;
}
