import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncer, type SyncOptions } from 's3kit';
import { cliEnv, s3kit } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { connection, createTestBucket, getObjectBytes, incompleteUploads, listObjects, syncOptions, testClient } from '../helpers/s3.js';

// Lower bounds only: the limit must slow a transfer down to about its rate. A loaded machine
// may make a run slower still, never faster, so no upper bound is asserted. Each bound leaves
// the bucket's burst (a tenth of a second's worth) and some slack below the ideal time.

const MiB = 1024 * 1024;

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await run();
  return { result, seconds: (performance.now() - started) / 1000 };
}

describe('bandwidthLimit against radosgw', () => {
  let bucket: string;
  const files = Array.from({ length: 4 }, () => randomBytes(MiB));
  const large = randomBytes(10 * MiB);

  beforeAll(async () => {
    bucket = await createTestBucket('bwlimit');
    for (const [i, body] of files.entries()) await testClient().send(new PutObjectCommand({ Bucket: bucket, Key: `small/${i}.bin`, Body: body }));
    await testClient().send(new PutObjectCommand({ Bucket: bucket, Key: 'large/large.bin', Body: large }));
  });

  it('uploads 4 × 1 MiB (PUTs) at 2 MiB/s in at least 1.5 s, every byte on the server', async () => {
    const root = await tempDir('bwlimit-put');
    for (const [i, body] of files.entries()) await writeFile(join(root, `${i}.bin`), body);
    const { result: summary, seconds } = await timed(() => createSyncer(syncOptions(root, `s3://${bucket}/put`, { bandwidthLimit: 2 * MiB })).run());
    expect(summary.failedCount).toBe(0);
    expect(summary.copied.count).toBe(4);
    for (const [i, body] of files.entries()) expect((await getObjectBytes(bucket, `put/${i}.bin`)).equals(body)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
  });

  it('uploads 10 MiB in parts at 5 MiB/s in at least 1.5 s', async () => {
    const root = await tempDir('bwlimit-parts');
    await writeFile(join(root, 'large.bin'), large);
    const options = syncOptions(root, `s3://${bucket}/parts`, { bandwidthLimit: 5 * MiB, multipartThreshold: 5 * MiB, partSize: 5 * MiB });
    const { result: summary, seconds } = await timed(() => createSyncer(options).run());
    expect(summary.failedCount).toBe(0);
    expect((await getObjectBytes(bucket, 'parts/large.bin')).equals(large)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
  });

  it('downloads 4 × 1 MiB (GETs) at 2 MiB/s in at least 1.5 s, every byte on disk', async () => {
    const root = await tempDir('bwlimit-get');
    const { result: summary, seconds } = await timed(() => createSyncer(syncOptions(`s3://${bucket}/small`, root, { bandwidthLimit: 2 * MiB })).run());
    expect(summary.failedCount).toBe(0);
    for (const [i, body] of files.entries()) expect((await readFile(join(root, `${i}.bin`))).equals(body)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
  });

  it('downloads 10 MiB in ranged GETs at 5 MiB/s in at least 1.5 s', async () => {
    const root = await tempDir('bwlimit-ranged');
    const options = syncOptions(`s3://${bucket}/large`, root, { bandwidthLimit: 5 * MiB, multipartThreshold: 5 * MiB, partSize: 5 * MiB });
    const methods: string[] = [];
    const syncer = createSyncer(options);
    syncer.on('transferStart', ({ method }) => methods.push(method));
    const { result: summary, seconds } = await timed(() => syncer.run());
    expect(summary.failedCount).toBe(0);
    expect(methods).toEqual(['ranged-get']);
    expect((await readFile(join(root, 'large.bin'))).equals(large)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
  });

  it('streams an S3 → S3 copy of 4 MiB at 2 MiB/s in at least 1.5 s', async () => {
    const target = await createTestBucket('bwlimit-copy');
    // Credentials given again (an equal copy) make the copy stream through this process.
    const sourceConnection = { credentials: { ...connection().credentials } };
    const options: SyncOptions = { ...syncOptions(`s3://${bucket}/small`, `s3://${target}/copy`, { bandwidthLimit: 2 * MiB }), sourceConnection };
    const methods: string[] = [];
    const syncer = createSyncer(options);
    syncer.on('transferEnd', ({ method }) => methods.push(method));
    const { result: summary, seconds } = await timed(() => syncer.run());
    expect(summary.failedCount).toBe(0);
    expect(methods).toEqual(['stream-copy', 'stream-copy', 'stream-copy', 'stream-copy']);
    for (const [i, body] of files.entries()) expect((await getObjectBytes(target, `copy/${i}.bin`)).equals(body)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
  });

  it('ends an aborted limited upload promptly: nothing waits for tokens, no parts are left behind', async () => {
    const root = await tempDir('bwlimit-abort');
    await writeFile(join(root, 'large.bin'), large);
    const target = await createTestBucket('bwlimit-abort');
    // 10 MiB at 1 MiB/s would take 10 s; the run is aborted after 0.5 s.
    const syncer = createSyncer(syncOptions(root, `s3://${target}`, { bandwidthLimit: MiB, multipartThreshold: 5 * MiB, partSize: 5 * MiB }));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('stop')), 500);
    const { result: outcome, seconds } = await timed(() => syncer.run({ signal: controller.signal }).then(() => 'finished', (error: Error) => error.message));
    clearTimeout(timer);
    expect(outcome).toBe('stop');
    expect(seconds).toBeLessThan(5);
    expect(await incompleteUploads(target)).toBe(0);
    expect((await listObjects(target)).size).toBe(0);
  });

  it('ends an aborted limited download promptly, leaving no file or temp file behind', async () => {
    const root = await tempDir('bwlimit-abort-get');
    // 10 MiB at 1 MiB/s would take 10 s; the run is aborted after 0.5 s.
    const syncer = createSyncer(syncOptions(`s3://${bucket}/large`, root, { bandwidthLimit: MiB, multipartThreshold: 5 * MiB, partSize: 5 * MiB }));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('stop')), 500);
    const { result: outcome, seconds } = await timed(() => syncer.run({ signal: controller.signal }).then(() => 'finished', (error: Error) => error.message));
    clearTimeout(timer);
    expect(outcome).toBe('stop');
    expect(seconds).toBeLessThan(5);
    expect(await readdir(root)).toEqual([]);
  });
});

describe('bandwidthLimit of a URL ingest', () => {
  let server: Server;
  let base: string;
  const body = randomBytes(4 * MiB);

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-length': String(body.length), 'content-type': 'application/octet-stream' });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('streams a 4 MiB URL at 2 MiB/s in at least 1.5 s', async () => {
    const bucket = await createTestBucket('bwlimit-ingest');
    const manifest = join(await tempDir('bwlimit-manifest'), 'urls.txt');
    await writeFile(manifest, `${base}/data.bin\n`);
    const options: SyncOptions = { source: `manifest:${manifest}`, target: `s3://${bucket}/in`, ...connection(), bandwidthLimit: 2 * MiB };
    const { result: summary, seconds } = await timed(() => createSyncer(options).run());
    expect(summary.failedCount).toBe(0);
    expect((await getObjectBytes(bucket, 'in/data.bin')).equals(body)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
  });
});

describe('--bwlimit and a job\'s bandwidthLimit (the built CLI)', () => {
  const files = Array.from({ length: 4 }, () => randomBytes(MiB));
  let root: string;
  let bucket: string;

  beforeAll(async () => {
    root = await tempDir('bwlimit-cli');
    bucket = await createTestBucket('bwlimit-cli');
    for (const [i, body] of files.entries()) await writeFile(join(root, `${i}.bin`), body);
  });

  it('s3kit sync --bwlimit 2MiB/s uploads 4 MiB in at least 1.5 s', async () => {
    const { result, seconds } = await timed(() => s3kit(['sync', root, `s3://${bucket}/cli`, '--bwlimit', '2MiB/s', '--no-progress']));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const [i, body] of files.entries()) expect((await getObjectBytes(bucket, `cli/${i}.bin`)).equals(body)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
  });

  it.each([
    ['10Mb/s', /--bwlimit "10Mb\/s": a lowercase b reads as bits/],
    ['0', /--bwlimit "0" must be more than 0; leave --bwlimit out for no limit/],
    ['fast', /--bwlimit "fast" is not a rate: use bytes per second, e\.g\. 10MiB\/s/],
  ])('refuses --bwlimit %s with exit code 2, naming the flag, before any transfer', async (value, message) => {
    const result = await s3kit(['sync', root, `s3://${bucket}/refused`, '--bwlimit', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect((await listObjects(bucket, 'refused/')).size).toBe(0);
  });

  it('s3kit run honours a job\'s bandwidthLimit: 4 MiB at 2MiB/s in at least 1.5 s', async () => {
    const config = join(root, '..', 'bwlimit-jobs.yaml');
    await writeFile(
      config,
      `defaults:\n  connection:\n    endpoint: \${TEST_S3_ENDPOINT}\njobs:\n  - name: limited\n    source: ${root}\n    target: s3://${bucket}/job\n    bandwidthLimit: 2MiB/s\n`,
    );
    const env = cliEnv({ TEST_S3_ENDPOINT: connection().endpoint });
    const { result, seconds } = await timed(() => s3kit(['run', '--config', config], { env }));
    expect(result.code).toBe(0);
    for (const [i, body] of files.entries()) expect((await getObjectBytes(bucket, `job/${i}.bin`)).equals(body)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
  });
});
