import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createSyncer, type SyncOptions } from 's3kit';
import { s3kit } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { connection, createTestBucket, getObjectBytes, headObject, incompleteUploads, listObjects } from '../helpers/s3.js';

const MiB = 1024 * 1024;
const big = Buffer.alloc(11 * MiB);
for (let i = 0; i < big.length; i += 256) big[i] = i % 251;

/** A small web server with files, a path that fails once with 503, and a 404. */
function startServer(): Promise<{ server: Server; base: string; requests: string[] }> {
  const requests: string[] = [];
  let flakyFailures = 0;
  const files: Record<string, { body: Buffer; type: string }> = {
    '/files/hello.txt': { body: Buffer.from('hello from http'), type: 'text/plain' },
    '/files/data/big.bin': { body: big, type: 'application/octet-stream' },
    '/flaky.json': { body: Buffer.from('{"ok":true}'), type: 'application/json' },
  };
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    if (request.url === '/flaky.json' && request.method === 'GET' && flakyFailures++ === 0) {
      response.writeHead(503).end('try again');
      return;
    }
    const file = files[request.url ?? ''];
    if (file === undefined) {
      response.writeHead(404).end('no such file');
      return;
    }
    response.writeHead(200, {
      'content-type': file.type,
      'content-length': String(file.body.length),
      'last-modified': 'Wed, 01 Jan 2025 00:00:00 GMT',
    });
    response.end(request.method === 'HEAD' ? undefined : file.body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests })));
}

describe('URL manifest → S3', () => {
  let http: Awaited<ReturnType<typeof startServer>>;
  let manifest: string;

  beforeAll(async () => {
    http = await startServer();
    manifest = join(await tempDir('manifest'), 'urls.txt');
    await writeFile(
      manifest,
      [
        '# images and data for the archive',
        `${http.base}/files/hello.txt`,
        `${http.base}/files/data/big.bin`,
        `${http.base}/flaky.json\trenamed/flaky.json`,
        '',
      ].join('\n'),
    );
  });
  afterAll(() => new Promise<void>((resolve) => http.server.close(() => resolve())));

  it('streams each URL into the bucket (retrying a 503), then skips what is already there', async () => {
    const bucket = await createTestBucket('ingest');
    const options: SyncOptions = { source: `manifest:${manifest}`, target: `s3://${bucket}/in`, ...connection(), partSize: 5 * MiB, multipartThreshold: 5 * MiB };
    const syncer = createSyncer(options);
    const methods: string[] = [];
    syncer.on('transferEnd', ({ action, method }) => methods.push(`${action.key}:${method}`));
    const summary = await syncer.run();
    expect(summary.failedCount).toBe(0);
    expect(methods.sort()).toEqual(['files/data/big.bin:url-stream', 'files/hello.txt:url-stream', 'renamed/flaky.json:url-stream']);
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(['in/files/data/big.bin', 'in/files/hello.txt', 'in/renamed/flaky.json']);
    expect((await getObjectBytes(bucket, 'in/files/data/big.bin')).equals(big)).toBe(true);
    expect((await getObjectBytes(bucket, 'in/renamed/flaky.json')).toString()).toBe('{"ok":true}');
    expect(await headObject(bucket, 'in/files/hello.txt')).toMatchObject({ ContentType: 'text/plain', Metadata: { mtime: '1735689600.000' } });
    expect(http.requests.filter((r) => r === 'GET /flaky.json')).toHaveLength(2);
    expect(await incompleteUploads(bucket)).toBe(0);

    http.requests.length = 0;
    const again = await createSyncer(options).run();
    expect(again.copied.count + again.updated.count).toBe(0);
    expect(again.skipped.count).toBe(3);
    expect(http.requests.every((r) => r.startsWith('HEAD '))).toBe(true); // sized, never fetched
  });

  it('reports a URL that does not exist as a failed transfer (exit 1 on the command line)', async () => {
    const bucket = await createTestBucket('ingest-404');
    const list = join(await tempDir('manifest-404'), 'urls.txt');
    await writeFile(list, `${http.base}/files/hello.txt\n${http.base}/missing.txt\n`);
    const result = await s3kit(['sync', `manifest:${list}`, `s3://${bucket}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/warning: .*missing\.txt: HEAD failed \(HTTP 404\)/);
    expect(result.stderr).toMatch(/fetch failed: http:\/\/127\.0\.0\.1:\d+\/missing\.txt to s3:\/\/.*\/missing\.txt: fetching .* answered HTTP 404/);
    expect(result.stdout).toContain(`fetch: ${http.base}/files/hello.txt to s3://${bucket}/files/hello.txt`);
    expect([...(await listObjects(bucket)).keys()]).toEqual(['files/hello.txt']);
  });

  it('rejects a manifest with a bad line or two URLs for one key', async () => {
    const dir = await tempDir('manifest-bad');
    const bad = join(dir, 'bad.txt');
    await writeFile(bad, 'ftp://example.com/x\n');
    const run = (path: string) => createSyncer({ source: `manifest:${path}`, target: 's3://any-bucket', ...connection() }).run();
    await expect(run(bad)).rejects.toThrow(/line 1: only http:\/\/, https:\/\/ and s3:\/\/ sources can be copied, not ftp:/);
    const duplicate = join(dir, 'dup.txt');
    await writeFile(duplicate, 'https://a.example/x.txt\nhttps://b.example/x.txt\n');
    await expect(run(duplicate)).rejects.toSatisfy((error: unknown) => error instanceof ConfigError && /lines 1 and 2 both go to the key "x\.txt"/.test(error.message));
  });
});
