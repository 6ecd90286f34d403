// Runs one sync with the npm s3-sync-client (the peer the brief names).
// Usage: node bench/runners/s3-sync-client.mjs SOURCE TARGET [concurrency]
import { S3Client } from '@aws-sdk/client-s3';
import { S3SyncClient } from 's3-sync-client';

const [source, target, concurrency = '16'] = process.argv.slice(2);
const client = new S3Client({
  endpoint: process.env.BENCH_ENDPOINT,
  region: 'us-east-1',
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const { sync } = new S3SyncClient({ client });
await sync(source, target, { maxConcurrentTransfers: Number(concurrency) });
