// Runs one sync with the s3kit library (the built package) and prints its summary as JSON.
// Usage: node bench/runners/s3kit-lib.mjs SOURCE TARGET [concurrency]
import { createSyncer } from '../../dist/index.js';

const [source, target, concurrency = '16'] = process.argv.slice(2);
const summary = await createSyncer({
  source,
  target,
  endpoint: process.env.BENCH_ENDPOINT,
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
  concurrency: Number(concurrency),
}).run();
process.stdout.write(`${JSON.stringify({ requests: summary.requests, failed: summary.failedCount, copied: summary.copied.count, updated: summary.updated.count })}\n`);
process.exitCode = summary.failedCount > 0 ? 1 : 0;
