// Shards vs one process, S3 → S3 on one server (issue 17): N objects of 1 KiB copied by one
// `s3kit sync` and by 3 concurrent `s3kit sync --shard i/3`, alternating, each into an empty
// target prefix. Prints wall time, the sum of CPU time and the sum of requests.
//
//   BENCH_OBJECTS=20000 BENCH_REPS=3 node bench/shards.mjs   (uses S3KIT_TEST_ENDPOINT and its keys)
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const endpoint = process.env.S3KIT_TEST_ENDPOINT ?? 'http://127.0.0.1:17480';
const credentials = { accessKeyId: process.env.S3KIT_TEST_ACCESS_KEY ?? 'test', secretAccessKey: process.env.S3KIT_TEST_SECRET_KEY ?? 'testsecret' };
const objects = Number(process.env.BENCH_OBJECTS ?? 20_000);
const reps = Number(process.env.BENCH_REPS ?? 3);
const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
const bucket = `bench-shards-${Date.now()}`;
await client.send(new CreateBucketCommand({ Bucket: bucket }));
const body = Buffer.alloc(1024, 7);
for (let i = 0; i < objects; i += 64) {
  await Promise.all(Array.from({ length: Math.min(64, objects - i) }, (_, j) => client.send(new PutObjectCommand({ Bucket: bucket, Key: `src/d${(i + j) % 100}/f${i + j}.bin`, Body: body }))));
}
const env = { ...process.env, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_REGION: 'us-east-1' };

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%U %S', process.execPath, join(root, 'bin', 's3kit.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`s3kit ${args.join(' ')} exited ${code}: ${stderr}`));
      const [user, system] = stderr.trim().split('\n').at(-1).split(' ').map(Number);
      const summary = JSON.parse(stdout.trim().split('\n').at(-1));
      resolve({ cpu: user + system, requests: (summary.summary ?? summary).requests, copied: (summary.summary ?? summary).copied.count });
    });
  });
}

const common = (prefix) => [`s3://${bucket}/src/`, `s3://${bucket}/${prefix}/`, '--endpoint-url', endpoint, '--json', '--no-progress'];
const rows = [];
for (let rep = 0; rep < reps; rep++) {
  for (const shards of rep % 2 === 0 ? [1, 3] : [3, 1]) {
    const prefix = `dst-${shards}-${rep}`;
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: shards }, (_, index) => run(['sync', ...common(prefix), ...(shards > 1 ? ['--shard', `${index}/${shards}`] : [])])),
    );
    const wall = (performance.now() - started) / 1000;
    const copied = results.reduce((sum, r) => sum + r.copied, 0);
    if (copied !== objects) throw new Error(`${shards} shard(s) copied ${copied} of ${objects}`);
    rows.push({ shards, wall, cpu: results.reduce((sum, r) => sum + r.cpu, 0), requests: results.reduce((sum, r) => sum + r.requests, 0) });
    process.stderr.write(`bench: ${shards} process(es): ${wall.toFixed(2)} s\n`);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`| processes | wall s (median of ${reps}) | CPU s (sum) | requests (sum) |\n|---|---|---|---|`);
for (const shards of [1, 3]) {
  const mine = rows.filter((row) => row.shards === shards);
  console.log(`| ${shards === 1 ? '1 (no shard)' : `${shards} (--shard i/${shards})`} | ${median(mine.map((r) => r.wall)).toFixed(2)} | ${median(mine.map((r) => r.cpu)).toFixed(2)} | ${median(mine.map((r) => r.requests))} |`);
}
console.log(`\n${objects} objects of 1 KiB, S3 → S3 (server-side copies) on ${endpoint}, node ${process.version}.`);
