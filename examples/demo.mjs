// `npm run demo`: starts the local S3 server (radosgw), syncs examples/ into a bucket, prints
// the summary, syncs again to show that nothing is transferred, and stops the server.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client, createSyncer } from '../dist/index.js';

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cephDir = join(mkdtempSync(join(tmpdir(), 's3kit-demo-')), 'ceph');
const env = {
  ...process.env,
  S3KIT_CEPH_DIR: cephDir,
  S3KIT_RGW_PORT: process.env.S3KIT_RGW_PORT ?? '7490',
  S3KIT_MON_PORT: process.env.S3KIT_MON_PORT ?? '6790',
};
const script = join(projectDir, 'scripts', 's3-server.sh');
const server = (command) => execFileSync('bash', [script, command], { env, stdio: ['ignore', 'pipe', 'inherit'] }).toString();

console.log('Starting the local S3 server (radosgw on 127.0.0.1)…');
const started = Object.fromEntries(server('start').trim().split(' ').map((pair) => pair.split('=')));
try {
  const connection = {
    endpoint: started.endpoint,
    credentials: { accessKeyId: started.access_key, secretAccessKey: started.secret_key },
  };
  await createS3Client(connection).send(new CreateBucketCommand({ Bucket: 'demo' }));

  for (const round of ['first sync', 'second sync']) {
    console.log(`\n== ${round}: ${join(projectDir, 'examples')} → s3://demo/examples/`);
    const syncer = createSyncer({ source: join(projectDir, 'examples'), target: 's3://demo/examples', ignoreFileName: '.gitignore', ...connection });
    syncer.on('transferEnd', ({ action, method }) => console.log(`  ${action.type === 'copy' ? 'upload' : 'update'}  ${action.key}  (${action.source.size} B, ${method})`));
    syncer.on('failed', ({ key, error }) => console.log(`  FAILED  ${key}: ${error.message}`));
    const summary = await syncer.run();
    console.log(
      `  summary: ${summary.copied.count} uploaded (${summary.copied.bytes} B), ${summary.updated.count} updated, ` +
        `${summary.deleted.count} deleted, ${summary.skipped.count} unchanged, ${summary.failedCount} failed, ${summary.durationMs} ms`,
    );
    if (summary.failedCount > 0) process.exitCode = 1;
  }
} finally {
  console.log('\nStopping the local S3 server.');
  server('stop');
  rmSync(dirname(cephDir), { recursive: true, force: true });
}
