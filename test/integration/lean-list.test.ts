import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createS3Client, createSyncer, listS3, ListingError, type Entry, type ListS3Options } from 's3kit';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { connection, createTestBucket, putObject } from '../helpers/s3.js';

/*
 * The lean listing lane against radosgw: the same entries as the SDK lane for names XML must
 * escape, every page after the first sent without the SDK, and the SDK's behaviour kept for
 * errors, retries, timeouts and cancellation (through a fault proxy).
 */

// Names that need escaping in XML, line ends (XML normalises a raw CR), characters outside ASCII,
// and characters URL encoding treats specially; '/' makes sub-prefixes for the parallel listing.
const ODD_KEYS = [
  'a&b.txt',
  '<tag>.txt',
  'quote"s.txt',
  "apos'.txt",
  'tab\there.txt',
  'cr\rin.txt',
  'crlf\r\nin.txt',
  'lf\nin.txt',
  'ünïcödé/é.txt',
  'emoji-😀.txt',
  'space here/x y.txt',
  '%41%20.txt',
  'plus+sign.txt',
  'dir/sub/deep.txt',
  'dir/',
  `${'long-'.repeat(150)}.txt`,
  ']]>cdata-end.txt',
  '&amp;literal.txt',
  // Sub-prefixes that URL encoding changes: the parallel listing's delimiter pass reads them back.
  'p+q/x.txt',
  'p%41/y.txt',
];

async function collect(client: S3Client, bucket: string, options: ListS3Options = {}): Promise<Entry[]> {
  const entries: Entry[] = [];
  for await (const entry of listS3(client, { kind: 's3', bucket, prefix: '' }, options)) entries.push(entry);
  return entries;
}

/** A client that records the name of every command the SDK sends. */
function counted(client: S3Client): string[] {
  const commands: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return commands;
}

/**
 * What the lean no-op of 25 keys in d0/ (7) and d1/–d3/ (6 each) at pages of 4 sends: the lean lane
 * lists in parallel streams (listingStreams), so the first page (4 keys of d0/), the rest of d0/
 * (1 page), the delimiter pass after it (1 page: d1/ d2/ d3/; radosgw leaves d0/ out) and 2 pages
 * for each of d1/–d3/.
 */
const LEAN_SYNC_LIST_REQUESTS = 1 + 1 + 1 + 3 * 2;

describe('lean listing lane', () => {
  let bucket: string;
  beforeAll(async () => {
    bucket = await createTestBucket('lean-list');
    for (const [i, key] of ODD_KEYS.entries()) await putObject(bucket, key, 'x'.repeat(i));
  });

  it('lists the same entries as the SDK lane, page by page, in one stream and in parallel, and sends only the first page by the SDK', async () => {
    const sdk = createS3Client({ ...connection(), transport: 'sdk' });
    const lean = createS3Client({ ...connection(), transport: 'lean' });
    const sdkCommands = counted(sdk);
    const leanCommands = counted(lean);
    for (const options of [{ pageSize: 3 }, { pageSize: 2, directoryMarkers: true }, { pageSize: 4, concurrency: 4 }] satisfies ListS3Options[]) {
      const want = await collect(sdk, bucket, options);
      expect(want.length).toBeGreaterThanOrEqual(ODD_KEYS.length - 1);
      expect(await collect(lean, bucket, options)).toEqual(want);
      // The option overrides the client's lane.
      expect(await collect(sdk, bucket, { ...options, transport: 'lean' })).toEqual(want);
    }
    const keys = (await collect(lean, bucket, { pageSize: 3, directoryMarkers: true })).map((entry) => entry.key);
    expect([...keys].sort()).toEqual([...ODD_KEYS].sort());
    const parallelKeys = (await collect(lean, bucket, { pageSize: 2, concurrency: 4, directoryMarkers: true })).map((entry) => entry.key);
    expect([...parallelKeys].sort()).toEqual([...ODD_KEYS].sort());
    // One stream of ceil(20 / 3) pages: the SDK sent the first only.
    leanCommands.length = 0;
    await collect(lean, bucket, { pageSize: 3 });
    expect(leanCommands).toEqual(['ListObjectsV2Command']);
    sdkCommands.length = 0;
    await collect(sdk, bucket, { pageSize: 3 });
    expect(sdkCommands.length).toBe(Math.ceil(ODD_KEYS.length / 3));
  });

  it('a sync over the lean lane sees the same target: a re-sync transfers nothing', async () => {
    const root = await tempDir('lean-sync');
    await writeTree(root, Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`d${i % 4}/f${i}.txt`, `file ${i}`])));
    const target = `s3://${await createTestBucket('lean-sync')}/data`;
    const first = await createSyncer({ source: root, target, ...connection(), transport: 'lean', listPageSize: 4 }).run();
    expect(first.copied.count).toBe(25);
    const again = await createSyncer({ source: root, target, ...connection(), transport: 'lean', listPageSize: 4, delete: true }).run();
    expect(again.copied.count + again.updated.count + again.deleted.count).toBe(0);
    expect(again.skipped.count).toBe(25);
    // Requests sent by the lean lane count in the summary as the SDK's do; the SDK lane lists the
    // same target in one stream of ceil(25 / 4) pages.
    const sdkRun = await createSyncer({ source: root, target, ...connection(), transport: 'sdk', listPageSize: 4, delete: true }).run();
    expect(sdkRun.requests).toBe(Math.ceil(25 / 4));
    expect(again.requests).toBe(LEAN_SYNC_LIST_REQUESTS);
  });

  it('lists keys that are only white space on both lanes (they are asked for URL-encoded)', async () => {
    const spaces = await createTestBucket('lean-spaces');
    const keys = ['\t', '\n', ' ', '  ', ' x ', '\r\n', 'a'];
    for (const k of keys) await putObject(spaces, k, 'v');
    const want = [...keys].sort();
    const listed = async (client: S3Client, pageSize: number): Promise<string[]> => (await collect(client, spaces, { pageSize })).map((entry) => entry.key).sort();
    expect(await listed(createS3Client({ ...connection(), transport: 'sdk' }), 1000)).toEqual(want);
    // One key per page: radosgw's continuation token is the last key, raw ("\n" included),
    // which the lean reader keeps (the SDK's reads "", and that listing stops with an error).
    expect(await listed(createS3Client({ ...connection(), transport: 'lean' }), 1)).toEqual(want);
  });

  it('refuses a lane it does not know, naming the option', () => {
    expect(() => createS3Client({ ...connection(), transport: 'fast' as never })).toThrow(/transport must be 'sdk' or 'lean', got "fast"/);
  });
});

describe('lean listing lane under faults', () => {
  let proxy: FaultProxy;
  let endpoint: string;
  let bucket: string;
  beforeAll(async () => {
    proxy = new FaultProxy(inject('s3').endpoint, 11);
    endpoint = await proxy.start();
    bucket = await createTestBucket('lean-faults');
    for (let i = 0; i < 12; i++) await putObject(bucket, `k${String(i).padStart(2, '0')}`, 'x');
  });
  afterAll(async () => {
    await proxy.close();
  });
  const leanClient = (extra: { timeoutMs?: number } = {}): S3Client => createS3Client({ ...connection(), endpoint, transport: 'lean', ...extra });
  const laterPages = (r: { operation: string; query: URLSearchParams }): boolean => r.operation === 'ListObjectsV2' && r.query.has('continuation-token');

  it('retries a throttled or failing later page as the SDK would, and lists everything', async () => {
    proxy.setRules([
      { when: laterPages, fault: { kind: 'status', status: 503, code: 'SlowDown' }, times: 1 },
      { when: laterPages, fault: { kind: 'status', status: 500, code: 'InternalError' }, times: 1 },
    ]);
    proxy.log.length = 0;
    const entries = await collect(leanClient(), bucket, { pageSize: 5 });
    expect(entries.map((entry) => entry.key)).toEqual(Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, '0')}`));
    expect(proxy.log.filter((r) => r.fault !== undefined)).toHaveLength(2);
  });

  it('a refused later page is a ListingError with the S3 code and status, not retried', async () => {
    proxy.setRules([{ when: laterPages, fault: { kind: 'status', status: 403, code: 'AccessDenied' } }]);
    proxy.log.length = 0;
    const error = await collect(leanClient(), bucket, { pageSize: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListingError);
    expect((error as ListingError).code).toBe('AccessDenied');
    expect((error as ListingError).message).toMatch(/access denied \(AccessDenied\)/);
    expect(((error as ListingError).cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(403);
    expect(proxy.log.filter(laterPages)).toHaveLength(1);
  });

  it('a later page that never answers fails within the idle timeout (with retries), not never', async () => {
    proxy.setRules([{ when: laterPages, fault: { kind: 'hang' } }]);
    const started = Date.now();
    const error = await collect(leanClient({ timeoutMs: 400 }), bucket, { pageSize: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListingError);
    expect((error as Error).message).toMatch(/no answer from http:\/\/127\.0\.0\.1:\d+ within 0\.4 s \(idle timeout timeoutMs\), after retries/);
    // Three attempts of 0.4 s each and the backoff between them.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('cancelling during a later page ends the listing with the signal\'s reason', async () => {
    proxy.setRules([{ when: laterPages, fault: { kind: 'hang' } }]);
    const controller = new AbortController();
    const reason = new Error('stop now');
    setTimeout(() => controller.abort(reason), 300);
    const started = Date.now();
    const error = await collect(leanClient(), bucket, { pageSize: 5, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
