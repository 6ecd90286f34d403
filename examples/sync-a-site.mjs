// Library usage: sync a local directory to a bucket with typed events.
//   node examples/sync-a-site.mjs ./examples/site s3://my-bucket/www
// Credentials and region come from the AWS SDK's default chain (env, profiles, SSO, roles);
// AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (as for the CLI) point it at an S3-compatible server
// such as a local radosgw. The library reads no environment itself: the example passes it on.
import { createSyncer, isS3kitError } from 's3kit';

const [source = './examples/site', target = 's3://my-bucket/www'] = process.argv.slice(2);

const syncer = createSyncer({
  source,
  target,
  endpoint: process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined, // undefined → AWS
  delete: true, // mirror: remove keys that no longer exist locally (after all uploads succeed)
  maxDelete: '20%', // …but never more than a fifth of the bucket
  ignoreFileName: '.gitignore', // honour .gitignore files found in the tree
  upload: { cacheControl: 'max-age=300' },
});

syncer.on('transferEnd', ({ action, method }) => console.log(`${action.type.padEnd(6)} ${action.key} (${method})`));
syncer.on('deleted', ({ key }) => console.log(`delete ${key}`));
syncer.on('failed', ({ key, error }) => console.error(`failed ${key}: ${error.message}`));
syncer.on('deletesSkipped', ({ message }) => console.error(message));

try {
  const summary = await syncer.run({ signal: AbortSignal.timeout(10 * 60_000) });
  console.log(summary);
  process.exitCode = summary.failedCount > 0 ? 1 : 0;
} catch (error) {
  console.error(isS3kitError(error) ? error.message : error);
  process.exitCode = 2;
}
