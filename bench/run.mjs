// `npm run bench`: s3kit (library and CLI) side by side with aws-cli, rclone and s3-sync-client
// against one local radosgw (bluestore on a sparse file), on the same data, at the same
// concurrency where a tool allows it. Each scenario runs BENCH_REPS times (default 3), the tools
// taking turns; wall time, CPU time and peak RSS come from GNU time. The Markdown table goes to
// bench/results/ (and latest.md).
//
// Knobs: BENCH_REPS=3, BENCH_SCALE=1 (0.1 for a quick look), BENCH_TOOLS=s3kit-lib,s3kit-cli,s3kit-cli-lean,aws,rclone,s3-sync-client,
//        BENCH_SCENARIOS=1,2,3,4,5,6,7,8,9, BENCH_NOOP_FILES=100000 (scenario 9), BENCH_CONCURRENCY=16, BENCH_KEEP_SERVER=1 (do not stop it),
//        BENCH_BWLIMIT_MIB=10 (scenario 7: the limit, in MiB/s; a run lasts about 30 s × BENCH_SCALE).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const reps = Number(process.env.BENCH_REPS ?? 3);
const scale = Number(process.env.BENCH_SCALE ?? 1);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const scenarios = new Set((process.env.BENCH_SCENARIOS ?? '1,2,3,4,5,6,7,8,9').split(','));
const bwlimitMiB = Number(process.env.BENCH_BWLIMIT_MIB ?? 10);
const wantedTools = (process.env.BENCH_TOOLS ?? 's3kit-lib,s3kit-cli,s3kit-cli-lean,aws,rclone,s3-sync-client').split(',');
const work = mkdtempSync(join(tmpdir(), 's3kit-bench-'));
const log = (message) => process.stderr.write(`bench: ${message}\n`);

// ---- tools: install what is missing (Debian, as root), then keep those that answer
function sh(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}
function installDebian(packages) {
  const missing = packages.filter((name) => spawnSync('dpkg', ['-s', name], { stdio: 'ignore' }).status !== 0);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) return log(`not root: skipping the install of ${missing.join(', ')}`);
  log(`installing ${missing.join(', ')}`);
  sh('apt-get', ['update', '-qq']);
  sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}
installDebian(['time', 'awscli', 'rclone']);
execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
const versions = {
  node: process.version,
  s3kit: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
  'aws-cli': spawnSync('/usr/bin/aws', ['--version'], { encoding: 'utf8' }).stdout?.trim().split(' ')[0] ?? 'missing',
  rclone: spawnSync('rclone', ['version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? 'missing',
  's3-sync-client': JSON.parse(readFileSync(join(root, 'node_modules/s3-sync-client/package.json'), 'utf8')).version,
  radosgw: spawnSync('radosgw', ['--version'], { encoding: 'utf8' }).stdout?.trim().split(' ').slice(0, 3).join(' ') ?? '',
};

// ---- the server: bluestore on a sparse file, its own ports
const server = { dir: join(work, 'ceph'), rgw: '7580', mon: '6889' };
const serverEnv = {
  ...process.env,
  S3KIT_CEPH_DIR: server.dir,
  S3KIT_RGW_PORT: server.rgw,
  S3KIT_MON_PORT: server.mon,
  S3KIT_OSD_STORE: 'bluestore',
  S3KIT_STORE_SIZE: '40G',
  S3KIT_ACCESS_KEY: 'bench',
  S3KIT_SECRET_KEY: 'benchsecret',
};
log('starting radosgw (bluestore)…');
sh('bash', [join(root, 'scripts/s3-server.sh'), 'start'], { env: serverEnv });
const endpoint = `http://127.0.0.1:${server.rgw}`;
const bucket = 'bench';
const client = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'benchsecret' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
});
await client.send(new CreateBucketCommand({ Bucket: bucket }));

const { AWS_CA_BUNDLE: _caBundle, ...inherited } = process.env; // plain http: a CA bundle only confuses rclone
const toolEnv = {
  ...inherited,
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'benchsecret',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  BENCH_ENDPOINT: endpoint,
  AWS_CONFIG_FILE: join(work, 'aws-config'),
  XDG_STATE_HOME: join(work, 'state'),
  RCLONE_CONFIG: '/dev/null',
  RCLONE_CONFIG_BENCH_TYPE: 's3',
  RCLONE_CONFIG_BENCH_PROVIDER: 'Ceph',
  RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
  RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: 'bench',
  RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: 'benchsecret',
};
writeFileSync(toolEnv.AWS_CONFIG_FILE, `[default]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = ${concurrency}\n`);

/** How each tool syncs `from` to `to` (local paths or s3://bench/… URLs). */
const rcloneUrl = (location) => location.replace(/^s3:\/\//, 'bench:');
const tools = {
  's3kit-lib': (from, to) => ['node', join(root, 'bench/runners/s3kit-lib.mjs'), from, to, String(concurrency)],
  's3kit-cli': (from, to) => ['node', join(root, 'bin/s3kit.js'), 'sync', from, to, '--endpoint-url', endpoint, '--concurrency', String(concurrency), '--quiet'],
  // The same CLI on the lean request lane (issue 13): listings after their first page skip the SDK.
  's3kit-cli-lean': (from, to) => ['node', join(root, 'bin/s3kit.js'), 'sync', from, to, '--endpoint-url', endpoint, '--concurrency', String(concurrency), '--quiet', '--transport', 'lean'],
  aws: (from, to) => ['/usr/bin/aws', '--endpoint-url', endpoint, 's3', 'sync', from, to, '--only-show-errors'],
  rclone: (from, to) => ['rclone', 'sync', rcloneUrl(from), rcloneUrl(to), '--transfers', String(concurrency), '--checkers', String(concurrency)],
  's3-sync-client': (from, to) => ['node', join(root, 'bench/runners/s3-sync-client.mjs'), from, to, String(concurrency)],
};
const available = wantedTools.filter((tool) => tool in tools && (tool !== 'aws' || versions['aws-cli'] !== 'missing') && (tool !== 'rclone' || versions.rclone !== 'missing'));

/** Runs a command under GNU time: wall s, user+sys s, peak RSS MB, and s3kit's request count. */
function measure(argv) {
  const timing = join(work, 'time.txt');
  const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timing, ...argv], { env: toolEnv, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  const [wall, user, sys, rssKb] = readFileSync(timing, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  let requests;
  try {
    requests = JSON.parse(result.stdout.trim().split('\n').at(-1)).requests;
  } catch {
    requests = undefined;
  }
  return { wall, cpu: user + sys, rssMb: rssKb / 1024, requests };
}

// ---- data
function makeFiles(dir, count, size, seed) {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `d${String(i % 50).padStart(2, '0')}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${String(i).padStart(6, '0')}.bin`), createHash('sha256').update(`${seed}:${i}`).digest().toString('hex').repeat(Math.ceil(size / 64)).slice(0, size));
  }
}
async function clearPrefix(prefix) {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    if (!page.Contents?.length) return;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: page.Contents.map(({ Key }) => ({ Key })) } }));
  }
}
const n5k = Math.round(5000 * scale);
const n20k = Math.round(20000 * scale);
const n1k = Math.round(1000 * scale);
const bigBytes = Math.round(1024 * 1024 * 1024 * scale);

const results = []; // { scenario, tool, runs: [...] }
function record(scenario, tool, run) {
  let entry = results.find((r) => r.scenario === scenario && r.tool === tool);
  if (entry === undefined) results.push((entry = { scenario, tool, runs: [] }));
  entry.runs.push(run);
  log(`${scenario} · ${tool}: ${run.wall.toFixed(2)} s, cpu ${run.cpu.toFixed(2)} s, ${run.rssMb.toFixed(0)} MB`);
}
const rotate = (rep) => available.map((_, i) => available[(i + rep) % available.length]);
/** Scenario 7: { scenario, tool, bytes, runs } — the rate achieved under a bandwidth limit. */
const rateResults = [];
function recordRate(scenario, tool, bytes, run) {
  let entry = rateResults.find((r) => r.scenario === scenario && r.tool === tool);
  if (entry === undefined) rateResults.push((entry = { scenario, tool, bytes, runs: [] }));
  entry.runs.push(run);
  log(`${scenario} · ${tool}: ${run.wall.toFixed(2)} s, ${(bytes / 2 ** 20 / run.wall).toFixed(2)} MiB/s of ${bwlimitMiB} MiB/s`);
}

try {
  if (scenarios.has('1') || scenarios.has('2')) {
    const dir = join(work, 'd5k');
    makeFiles(dir, n5k, 4096, 1);
    for (let rep = 0; rep < reps; rep++) {
      for (const tool of rotate(rep)) {
        const target = `s3://${bucket}/s1/${tool}/${rep}`;
        if (scenarios.has('1')) record(`1. ${n5k} × 4 KiB, first upload`, tool, measure(tools[tool](dir, target)));
        else measure(tools[tool](dir, target));
        if (scenarios.has('2')) record(`2. ${n5k} × 4 KiB, no-op re-sync`, tool, measure(tools[tool](dir, target)));
        await clearPrefix(`s1/${tool}/${rep}/`);
      }
    }
  }
  if (scenarios.has('3')) {
    const dir = join(work, 'd20k');
    makeFiles(dir, n20k, 4096, 2);
    for (const tool of available) measure(tools[tool](dir, `s3://${bucket}/s3/${tool}`));
    const changed = Math.round(200 * scale) || 1;
    for (let rep = 0; rep < reps; rep++) {
      for (let i = 0; i < changed; i++) {
        const index = (i * 97 + rep) % n20k;
        const file = join(dir, `d${String(index % 50).padStart(2, '0')}`, `f${String(index).padStart(6, '0')}.bin`);
        writeFileSync(file, randomBytes(2048).toString('hex')); // same size, new bytes, new mtime
      }
      for (const tool of rotate(rep)) record(`3. ${changed} changed of ${n20k}, re-sync`, tool, measure(tools[tool](dir, `s3://${bucket}/s3/${tool}`)));
    }
    for (const tool of available) await clearPrefix(`s3/${tool}/`);
  }
  if (scenarios.has('4')) {
    const dir = join(work, 'd1g');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'big.bin'), randomBytes(Math.min(bigBytes, 64 << 20)));
    for (let written = Math.min(bigBytes, 64 << 20); written < bigBytes; written += 64 << 20) {
      writeFileSync(join(dir, 'big.bin'), randomBytes(Math.min(64 << 20, bigBytes - written)), { flag: 'a' });
    }
    for (let rep = 0; rep < reps; rep++) {
      for (const tool of rotate(rep)) {
        const prefix = `s4/${tool}/${rep}`;
        record(`4a. 1 × ${Math.round(bigBytes / 2 ** 20)} MiB upload`, tool, measure(tools[tool](dir, `s3://${bucket}/${prefix}`)));
        const down = join(work, 'down', tool, String(rep));
        record(`4b. 1 × ${Math.round(bigBytes / 2 ** 20)} MiB download`, tool, measure(tools[tool](`s3://${bucket}/${prefix}`, down)));
        rmSync(down, { recursive: true, force: true });
        await clearPrefix(`${prefix}/`);
      }
    }
  }
  if (scenarios.has('5')) {
    const dir = join(work, 'd1k');
    makeFiles(dir, n1k, 4096, 3);
    measure(tools['s3kit-lib'](dir, `s3://${bucket}/src1k`));
    for (let rep = 0; rep < reps; rep++) {
      for (const tool of rotate(rep)) {
        record(`5. S3 → S3, ${n1k} objects (server-side)`, tool, measure(tools[tool](`s3://${bucket}/src1k`, `s3://${bucket}/s5/${tool}/${rep}`)));
        await clearPrefix(`s5/${tool}/${rep}/`);
      }
    }
  }
  if (scenarios.has('7')) {
    // About 30 s of data at the limit: half in 1 MiB files (one PUT or GET each), half in 24 MiB
    // files (parts and ranged GETs), so both ways of paying for bytes are measured. The wall time
    // includes start-up and listing, as a user's does; the ratio is achieved rate ÷ limit.
    const dir = join(work, 'dbw');
    const total = Math.max(Math.round(bwlimitMiB * 2 ** 20 * 30 * scale), 48 << 20);
    const bigCount = Math.max(1, Math.round(total / 2 / (24 << 20)));
    const smallCount = Math.max(1, Math.round((total - bigCount * (24 << 20)) / (1 << 20)));
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < bigCount; i++) writeFileSync(join(dir, `big${i}.bin`), randomBytes(24 << 20));
    for (let i = 0; i < smallCount; i++) writeFileSync(join(dir, `small${i}.bin`), randomBytes(1 << 20));
    const bytes = bigCount * (24 << 20) + smallCount * (1 << 20);
    const limited = {
      's3kit-cli': (from, to) => [...tools['s3kit-cli'](from, to), '--bwlimit', `${bwlimitMiB}MiB/s`],
      // rclone reads M as MiB, as s3kit does.
      rclone: (from, to) => [...tools.rclone(from, to), '--bwlimit', `${bwlimitMiB}M`],
    };
    const limitedTools = available.filter((tool) => tool in limited);
    const label = `${Math.round(bytes / 2 ** 20)} MiB at --bwlimit ${bwlimitMiB} MiB/s`;
    for (let rep = 0; rep < reps; rep++) {
      for (const tool of limitedTools) {
        const prefix = `s7/${tool}/${rep}`;
        recordRate(`7a. upload ${label}`, tool, bytes, measure(limited[tool](dir, `s3://${bucket}/${prefix}`)));
        const down = join(work, 'down7', tool, String(rep));
        recordRate(`7b. download ${label}`, tool, bytes, measure(limited[tool](`s3://${bucket}/${prefix}`, down)));
        rmSync(down, { recursive: true, force: true });
        await clearPrefix(`${prefix}/`);
      }
    }
  }
  if (scenarios.has('8')) {
    // Start-up: what a user waits for before any work, then the smallest real run (one listing
    // each side, nothing to do). Node CLIs pay for module loading here; Go and Python differently.
    const versionOf = {
      's3kit-cli': ['node', join(root, 'bin/s3kit.js'), '--version'],
      aws: ['/usr/bin/aws', '--version'],
      rclone: ['rclone', 'version'],
    };
    const dir = join(work, 'd1');
    makeFiles(dir, 1, 4096, 8);
    for (const tool of available) measure(tools[tool](dir, `s3://${bucket}/s8/${tool}`));
    for (let rep = 0; rep < reps; rep++) {
      for (const tool of rotate(rep)) {
        if (tool in versionOf) record('8a. start-up: --version', tool, measure(versionOf[tool]));
        record('8b. start-up: 1-file no-op re-sync', tool, measure(tools[tool](dir, `s3://${bucket}/s8/${tool}`)));
      }
    }
    for (const tool of available) await clearPrefix(`s8/${tool}/`);
  }
  if (scenarios.has('9')) {
    // A no-op over a real listing at scale (issue 13): s3kit uploads the files once, then every
    // tool compares the same directory with the same prefix; rclone as fast as it goes
    // (--size-only, 32 checkers), aws-cli with its defaults.
    const files = Math.round(Number(process.env.BENCH_NOOP_FILES ?? 100_000) * scale);
    const dir = join(work, 'd100k');
    makeFiles(dir, files, 1024, 9);
    const target = `s3://${bucket}/s9`;
    measure(tools['s3kit-cli'](dir, target));
    const noop = { ...tools, rclone: (from, to) => ['rclone', 'sync', rcloneUrl(from), rcloneUrl(to), '--transfers', String(concurrency), '--checkers', '32', '--size-only'] };
    for (let rep = 0; rep < reps; rep++) {
      for (const tool of rotate(rep)) record(`9. ${files}-file no-op re-sync, real listing`, tool, measure(noop[tool](dir, target)));
    }
    rmSync(dir, { recursive: true, force: true });
    await clearPrefix('s9/');
  }
  if (scenarios.has('6')) {
    const keys = Math.round(1_000_000 * scale);
    for (let rep = 0; rep < reps; rep++) record(`6. ${keys}-key no-op plan (planner only)`, 's3kit-lib', measure(['node', join(root, 'bench/planner-1m.mjs'), String(keys)]));
  }
} finally {
  if (process.env.BENCH_KEEP_SERVER !== '1') sh('bash', [join(root, 'scripts/s3-server.sh'), 'stop'], { env: serverEnv });
  rmSync(work, { recursive: true, force: true });
}

// ---- report
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (values, digits) => `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
const lines = [
  `# s3kit benchmark, ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB; radosgw on loopback, bluestore on a sparse file.`,
  `Versions: ${Object.entries(versions).map(([name, version]) => `${name} ${version}`).join('; ')}.`,
  `${reps} runs per tool and scenario, tools alternating; concurrency ${concurrency} where the tool takes it (aws-cli max_concurrent_requests, rclone --transfers/--checkers, s3-sync-client maxConcurrentTransfers); otherwise each tool's defaults.`,
  'Figures: median (min–max). Ratio: s3kit CLI wall time ÷ the fastest other tool (target ≤ 0.8).',
  '',
];
for (const scenario of [...new Set(results.map((r) => r.scenario))]) {
  const rows = results.filter((r) => r.scenario === scenario);
  const others = rows.filter((r) => !r.tool.startsWith('s3kit'));
  const fastestOther = others.length === 0 ? undefined : Math.min(...others.map((r) => median(r.runs.map((run) => run.wall))));
  lines.push(`## ${scenario}`, '', '| tool | wall s | CPU s | peak RSS MB | requests | ratio |', '|---|---|---|---|---|---|');
  for (const row of rows) {
    const wall = median(row.runs.map((run) => run.wall));
    const requests = row.runs[0].requests === undefined ? '' : String(median(row.runs.map((run) => run.requests)));
    const ratio = row.tool.startsWith('s3kit') && fastestOther !== undefined ? (wall / fastestOther).toFixed(2) : '';
    lines.push(`| ${row.tool} | ${fmt(row.runs.map((r) => r.wall), 2)} | ${fmt(row.runs.map((r) => r.cpu), 2)} | ${fmt(row.runs.map((r) => r.rssMb), 0)} | ${requests} | ${ratio} |`);
  }
  lines.push('');
}
for (const scenario of [...new Set(rateResults.map((r) => r.scenario))]) {
  lines.push(`## ${scenario}`, '', '| tool | wall s | achieved MiB/s | peak RSS MB | achieved ÷ limit (target 0.9–1.1) |', '|---|---|---|---|---|');
  for (const row of rateResults.filter((r) => r.scenario === scenario)) {
    const rates = row.runs.map((run) => row.bytes / 2 ** 20 / run.wall);
    lines.push(`| ${row.tool} | ${fmt(row.runs.map((r) => r.wall), 2)} | ${fmt(rates, 2)} | ${fmt(row.runs.map((r) => r.rssMb), 0)} | ${(median(rates) / bwlimitMiB).toFixed(3)} |`);
  }
  lines.push('');
}
const report = `${lines.join('\n')}\n`;
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results', `${new Date().toISOString().slice(0, 10)}-${cpus().length}cores.md`), report);
writeFileSync(join(root, 'bench/results/latest.md'), report);
process.stdout.write(report);
