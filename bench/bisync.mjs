// Two-way sync, no-op run (issue 14): N small files already in step between a local directory and
// an S3 prefix, `s3kit bisync` against `rclone bisync` (each on its own prefix, the same local
// files), alternating, after one `--resync` each. Prints wall time, CPU and peak RSS (and rclone's request count).
//
//   BENCH_FILES=20000 BENCH_REPS=3 node bench/bisync.mjs   (uses S3KIT_TEST_ENDPOINT and its keys)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const endpoint = process.env.S3KIT_TEST_ENDPOINT ?? 'http://127.0.0.1:17480';
const credentials = { accessKeyId: process.env.S3KIT_TEST_ACCESS_KEY ?? 'test', secretAccessKey: process.env.S3KIT_TEST_SECRET_KEY ?? 'testsecret' };
const files = Number(process.env.BENCH_FILES ?? 20_000);
const reps = Number(process.env.BENCH_REPS ?? 3);
const bucket = `bench-bisync-${Date.now()}`;
await new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials }).send(new CreateBucketCommand({ Bucket: bucket }));

const work = mkdtempSync(join(tmpdir(), 's3kit-bench-bisync-'));
const local = join(work, 'local');
for (let i = 0; i < files; i++) {
  const dir = join(local, `d${i % 100}`);
  if (i < 100) mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `f${i}.txt`), `file ${i} `.padEnd(1024, '.'));
}

// A plain-http endpoint: a CA bundle in the environment only makes rclone fail.
const { AWS_CA_BUNDLE: _caBundle, ...inherited } = process.env;
const env = {
  ...inherited,
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  XDG_STATE_HOME: join(work, 'state'),
  RCLONE_CONFIG: '/dev/null',
  RCLONE_CONFIG_BENCH_TYPE: 's3',
  RCLONE_CONFIG_BENCH_PROVIDER: 'Ceph',
  RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
  RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: credentials.accessKeyId,
  RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
};

const tools = {
  s3kit: (extra) => [process.execPath, join(root, 'bin', 's3kit.js'), 'bisync', local, `s3://${bucket}/s3kit/`, '--endpoint-url', endpoint, '--json', ...extra],
  rclone: (extra) => ['rclone', 'bisync', local, `bench:${bucket}/rclone`, '--workdir', join(work, 'rclone'), '--checkers', '32', ...extra],
  // rclone at its fastest: the object's LastModified instead of a HEAD for its mtime metadata.
  'rclone --use-server-modtime': (extra) => ['rclone', 'bisync', local, `bench:${bucket}/rclone-smt`, '--workdir', join(work, 'rclone-smt'), '--checkers', '32', '--use-server-modtime', ...extra],
};
const names = Object.keys(tools);

/** One run under /usr/bin/time: wall, CPU and peak RSS. */
function measure(tool, extra = []) {
  const timing = join(work, 'timing');
  const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timing, ...tools[tool](extra)], { env, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (result.status !== 0) throw new Error(`${tool} exited ${result.status}: ${result.stderr.slice(-2000)}`);
  const [wall, user, system, rssKb] = readFileSync(timing, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return { wall, cpu: user + system, rssMb: rssKb / 1024, stderr: result.stderr };
}

process.stderr.write(`bench: ${files} files; resync with both tools\n`);
for (const tool of names) measure(tool, ['--resync']);
const rows = Object.fromEntries(names.map((tool) => [tool, []]));
for (let rep = 0; rep < reps; rep++) {
  for (const tool of rep % 2 === 0 ? names : [...names].reverse()) {
    const run = measure(tool);
    rows[tool].push(run);
    process.stderr.write(`bench: ${tool} no-op: ${run.wall.toFixed(2)} s, cpu ${run.cpu.toFixed(2)} s, ${run.rssMb.toFixed(0)} MB\n`);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fastest = Math.min(...names.filter((tool) => tool !== 's3kit').map((tool) => median(rows[tool].map((r) => r.wall))));
// The requests of one more no-op run each, counted apart (logging every request slows a run).
const requests = (tool) => (measure(tool, ['--dump', 'headers']).stderr.match(/HTTP REQUEST/g) ?? []).length;
const rcloneRequests = requests('rclone');
const serverModtimeRequests = requests('rclone --use-server-modtime');
console.log(`| tool | wall s | CPU s | peak RSS MB | wall ÷ fastest rclone |\n|---|---|---|---|---|`);
for (const [tool, runs] of Object.entries(rows)) {
  const wall = median(runs.map((r) => r.wall));
  console.log(`| ${tool.replace(/^(\S+)/, '$1 bisync')} | ${wall.toFixed(2)} | ${median(runs.map((r) => r.cpu)).toFixed(2)} | ${median(runs.map((r) => r.rssMb)).toFixed(0)} | ${(wall / fastest).toFixed(2)} |`);
}
console.log(`\nNo-op bisync of ${files} files of 1 KiB (local ⇄ ${endpoint}), medians of ${reps}, tools alternating; rclone with --checkers 32 (its no-op run made ${rcloneRequests} HTTP requests: it reads each object's mtime with a HEAD; with --use-server-modtime ${serverModtimeRequests}). node ${process.version}, ${spawnSync('rclone', ['version'], { encoding: 'utf8' }).stdout.split('\n')[0]}.`);
rmSync(work, { recursive: true, force: true });
