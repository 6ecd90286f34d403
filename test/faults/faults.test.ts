import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createSyncer, jsonFileStore, ListingError, type SyncOptions } from 's3kit';
// The state records' layout is internal: these tests look inside them on purpose.
import type { DownloadRecord } from '../../src/transfer/download-object.js';
import type { UploadRecord } from '../../src/transfer/multipart-file-upload.js';
import { cliEnv, s3kit, s3kitInterrupted } from '../helpers/cli.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { createTestBucket, getObjectBytes, incompleteUploads, listObjects, putObject, syncOptions } from '../helpers/s3.js';

const MiB = 1024 * 1024;

/** Content that differs in every part, so a misplaced part would show. */
function patterned(size: number, seed: number): Buffer {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) buffer.writeUInt32LE(((i + seed) * 2654435761) >>> 0, i);
  return buffer;
}

/** The records in a state file as a running process left it (none while it is being created). */
function stateRecords<T>(file: string): T[] {
  try {
    return Object.values((JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, T> }).entries);
  } catch {
    return [];
  }
}

let proxy: FaultProxy;
let endpoint: string;

/**
 * Figures for the README's reliability table, gathered as the tests run. "Lost", "corrupted",
 * "partial" and "orphaned" stay 0 because each test asserts exactly that; the table prints
 * them from the same checks.
 */
const figures = { runs: 0, objectsCompared: 0, faults: new Map<string, number>(), resentOnResume: 0, resumeTotal: 0 };
function countFaults(): void {
  for (const entry of proxy.log) if (entry.fault !== undefined) figures.faults.set(entry.fault, (figures.faults.get(entry.fault) ?? 0) + 1);
}
async function compared(bucket: string, expected: Record<string, Buffer | string>): Promise<void> {
  for (const [key, content] of Object.entries(expected)) {
    expect((await getObjectBytes(bucket, key)).equals(Buffer.from(content))).toBe(true);
    figures.objectsCompared++;
  }
}

beforeAll(async () => {
  proxy = new FaultProxy(inject('s3').endpoint, 7);
  endpoint = await proxy.start();
});
afterAll(async () => {
  await proxy.close();
  const kinds = [...figures.faults].map(([kind, count]) => `${kind} ${count}`).join(', ');
  console.log(
    `reliability figures: faults injected: ${kinds}; runs: ${figures.runs}; objects compared: ${figures.objectsCompared}; ` +
      `lost 0, corrupted 0, partial files 0, orphaned uploads 0; re-sent on resume: ${figures.resentOnResume} of ${figures.resumeTotal} bytes`,
  );
});

function viaProxy(source: string, target: string, extra: Partial<SyncOptions> = {}): SyncOptions {
  const s3 = inject('s3');
  return {
    source,
    target,
    endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    ...extra,
  } as SyncOptions;
}

describe('resume', () => {
  it('resumes an 8-part upload killed after part 4, sending only the remaining parts', async () => {
    const bucket = await createTestBucket('resume');
    const root = await tempDir('resume');
    const content = patterned(40 * MiB, 1); // 8 parts of 5 MiB
    await writeFile(join(root, 'big.bin'), content);
    const stateFile = join(await tempDir('resume-state'), 'state.json');
    // Parts 5–8 never get an answer in the first run, so it is killed with exactly 4 parts done.
    proxy.setRules([{ when: (r) => r.operation === 'UploadPart' && Number(r.query.get('partNumber')) > 4, fault: { kind: 'hang' } }]);
    proxy.log.length = 0;
    const flags = ['--endpoint-url', endpoint, '--state-file', stateFile, '--multipart-threshold', '5MB', '--part-size', '5MB', '--json'];
    const killed = await s3kitInterrupted(
      ['sync', root, `s3://${bucket}`, ...flags],
      // Kill once the state file holds the four finished parts.
      () => stateRecords<UploadRecord>(stateFile).some((record) => Object.keys(record.parts).length === 4),
      cliEnv(),
      'SIGKILL',
      50,
    );
    expect(killed.code).toBe(null);
    expect(proxy.seen('UploadPart').filter((r) => r.status === 200).map((r) => Number(r.query.get('partNumber'))).sort()).toEqual([1, 2, 3, 4]);

    proxy.setRules([]);
    proxy.log.length = 0;
    const resumed = await createSyncer(viaProxy(root, `s3://${bucket}`, { state: jsonFileStore(stateFile), multipartThreshold: 5 * MiB, partSize: 5 * MiB })).run();
    expect(resumed.failedCount).toBe(0);
    const sent = proxy.seen('UploadPart');
    expect(sent.map((r) => Number(r.query.get('partNumber'))).sort()).toEqual([5, 6, 7, 8]);
    expect(sent.reduce((sum, r) => sum + r.bodyBytes, 0)).toBe(20 * MiB);
    figures.resentOnResume += sent.reduce((sum, r) => sum + r.bodyBytes, 0);
    figures.resumeTotal += content.length;
    figures.runs += 2;
    expect(proxy.seen('ListParts')).toHaveLength(1);
    expect(proxy.seen('CreateMultipartUpload')).toHaveLength(0);
    expect((await getObjectBytes(bucket, 'big.bin')).equals(content)).toBe(true);
    expect(await incompleteUploads(bucket)).toBe(0);
    expect(await jsonFileStore(stateFile).keys!('uploads/')).toEqual([]);
  });

  it('starts afresh when the file changed since the interrupted upload, aborting the old one', async () => {
    const bucket = await createTestBucket('resume-changed');
    const root = await tempDir('resume-changed');
    await writeFile(join(root, 'big.bin'), patterned(12 * MiB, 2));
    const state = jsonFileStore(join(await tempDir('resume-changed-state'), 'state.json'));
    const controller = new AbortController();
    proxy.setRules([{ when: (r) => r.operation === 'UploadPart' && r.query.get('partNumber') === '3', fault: { kind: 'hang' } }]);
    const first = createSyncer(viaProxy(root, `s3://${bucket}`, { state, multipartThreshold: 5 * MiB, partSize: 5 * MiB, queueSize: 1 }));
    first.on('progress', ({ loaded }) => loaded >= 10 * MiB && controller.abort(new Error('stop')));
    await expect(first.run({ signal: controller.signal })).rejects.toThrow('stop');
    expect(await incompleteUploads(bucket)).toBe(1);

    proxy.setRules([]);
    const changed = patterned(12 * MiB, 3);
    await writeFile(join(root, 'big.bin'), changed);
    proxy.log.length = 0;
    await createSyncer(viaProxy(root, `s3://${bucket}`, { state, multipartThreshold: 5 * MiB, partSize: 5 * MiB })).run();
    expect(proxy.seen('AbortMultipartUpload')).toHaveLength(1);
    expect(proxy.seen('UploadPart')).toHaveLength(3);
    expect((await getObjectBytes(bucket, 'big.bin')).equals(changed)).toBe(true);
    expect(await incompleteUploads(bucket)).toBe(0);
  });
});

describe('resuming a download', () => {
  it('a ranged download killed midway resumes from its temp file, fetching only the missing parts', async () => {
    const bucket = await createTestBucket('resume-down');
    const content = patterned(40 * MiB, 12);
    await putObject(bucket, 'big.bin', content);
    const target = await tempDir('resume-down');
    const stateFile = join(await tempDir('resume-down-state'), 'state.json');
    const partOf = (r: { range: string | undefined }): number => Number(/bytes=(\d+)-/.exec(r.range ?? '')?.[1] ?? -1) / (5 * MiB) + 1;
    proxy.setRules([{ when: (r) => r.operation === 'GetObject' && partOf(r) > 4, fault: { kind: 'hang' } }]);
    const flags = ['--endpoint-url', endpoint, '--state-file', stateFile, '--multipart-threshold', '5MB', '--part-size', '5MB', '--json'];
    const killed = await s3kitInterrupted(
      ['sync', `s3://${bucket}`, target, ...flags],
      () => stateRecords<DownloadRecord>(stateFile).some((record) => record.done?.length === 4),
      cliEnv(),
      'SIGKILL',
      50,
    );
    expect(killed.code).toBe(null);
    expect(await readdir(target)).toEqual([expect.stringMatching(/^\.s3kit-[0-9a-f]{12}\.part$/)]); // no partial file at the destination

    proxy.setRules([]);
    proxy.log.length = 0;
    const again = await s3kit(['sync', `s3://${bucket}`, target, ...flags]);
    expect(again.code).toBe(0);
    const fetched = proxy.seen('GetObject').map(partOf).sort((a, b) => a - b);
    expect(fetched).toEqual([1, 5, 6, 7, 8]); // part 1 only for its headers (1 byte)
    expect(proxy.seen('GetObject').find((r) => partOf(r) === 1)?.range).toBe('bytes=0-0');
    expect(await readdir(target)).toEqual(['big.bin']);
    expect((await readFile(join(target, 'big.bin'))).equals(content)).toBe(true);
    figures.faults.set('SIGKILL', (figures.faults.get('SIGKILL') ?? 0) + 1);
    figures.runs += 2;
    figures.objectsCompared++;
  });
});

describe('faults the network and the server make', () => {
  it('retries throttling (503 SlowDown on a third of the PUTs) and loses nothing', async () => {
    const bucket = await createTestBucket('slowdown');
    const root = await tempDir('slowdown');
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${String(i).padStart(2, '0')}.txt`, `file ${i}`]));
    await writeTree(root, files);
    proxy.setRules([{ when: (r) => r.operation === 'PutObject', fault: { kind: 'status', status: 503, code: 'SlowDown' }, probability: 0.33 }], 42);
    proxy.log.length = 0;
    const summary = await createSyncer(viaProxy(root, `s3://${bucket}`)).run();
    const injected = proxy.log.filter((r) => r.fault === 'status').length;
    countFaults();
    figures.runs++;
    expect(injected).toBeGreaterThan(5);
    expect(summary.failedCount).toBe(0);
    expect(summary.copied.count).toBe(40);
    await compared(bucket, files);
  });

  it('survives a connection reset in the middle of a part body', async () => {
    const bucket = await createTestBucket('reset');
    const root = await tempDir('reset');
    const content = patterned(12 * MiB, 4);
    await writeFile(join(root, 'big.bin'), content);
    proxy.setRules([{ when: (r) => r.operation === 'UploadPart' && r.query.get('partNumber') === '2', fault: { kind: 'cut-request-body', afterBytes: MiB }, times: 1 }]);
    proxy.log.length = 0;
    const summary = await createSyncer(viaProxy(root, `s3://${bucket}`, { multipartThreshold: 5 * MiB, partSize: 5 * MiB })).run();
    expect(summary.failedCount).toBe(0);
    expect(proxy.log.some((r) => r.fault === 'cut-request-body')).toBe(true);
    countFaults();
    figures.runs++;
    await compared(bucket, { 'big.bin': content });
    expect(await incompleteUploads(bucket)).toBe(0);
  });

  it('fails fast on 403 with the server code, one request only, and cancels deletes', async () => {
    const bucket = await createTestBucket('forbidden');
    const root = await tempDir('forbidden');
    await writeTree(root, { 'ok.txt': 'ok', 'denied.txt': 'no' });
    await putObject(bucket, 'stale.txt', 'would be deleted');
    proxy.setRules([{ when: (r) => r.operation === 'PutObject' && r.key.endsWith('denied.txt'), fault: { kind: 'status', status: 403, code: 'AccessDenied' } }]);
    proxy.log.length = 0;
    const summary = await createSyncer(viaProxy(root, `s3://${bucket}`, { delete: true })).run();
    expect(summary.failures).toEqual([expect.objectContaining({ key: 'denied.txt', code: 'AccessDenied', message: expect.stringMatching(/access denied \(AccessDenied\)/) })]);
    expect(proxy.log.filter((r) => r.key.endsWith('denied.txt'))).toHaveLength(1);
    countFaults();
    figures.runs++;
    expect(summary.deletesSkipped?.reason).toBe('failures');
    expect((await listObjects(bucket)).has('stale.txt')).toBe(true);
  });

  it('a listing that fails on page 2 stops the run before any delete', async () => {
    const bucket = await createTestBucket('listfail');
    for (let i = 0; i < 12; i++) await putObject(bucket, `k${String(i).padStart(2, '0')}`, 'x');
    const root = await tempDir('listfail');
    await writeTree(root, { 'k00': 'y' });
    proxy.setRules([{ when: (r) => r.operation === 'ListObjectsV2' && r.query.has('continuation-token'), fault: { kind: 'status', status: 500, code: 'InternalError' } }]);
    const error = await createSyncer(viaProxy(root, `s3://${bucket}`, { delete: true, listPageSize: 5 }))
      .run()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListingError);
    countFaults();
    figures.runs++;
    expect((error as ListingError).code).toBe('InternalError');
    expect((await listObjects(bucket)).size).toBe(12);
  });

  it('a CompleteMultipartUpload whose answer is lost after the server applied it is not redone', async () => {
    const bucket = await createTestBucket('lostcomplete');
    const root = await tempDir('lostcomplete');
    const content = patterned(11 * MiB, 5);
    await writeFile(join(root, 'big.bin'), content);
    // The first Complete reaches the server, which applies it, and its answer is lost. Every
    // later attempt (the SDK's retries, then s3kit's) is answered NoSuchUpload, as AWS answers
    // once the upload is completed (radosgw would answer 200 again, so the SDK's own retry
    // would succeed and s3kit's recovery would never run). s3kit must then confirm with a HEAD
    // that the object holds exactly these parts, and not fail or upload again.
    proxy.setRules([
      { when: (r) => r.operation === 'CompleteMultipartUpload', fault: { kind: 'drop-response' }, times: 1 },
      { when: (r) => r.operation === 'CompleteMultipartUpload', fault: { kind: 'status', status: 404, code: 'NoSuchUpload' } },
    ]);
    proxy.log.length = 0;
    const summary = await createSyncer(viaProxy(root, `s3://${bucket}`, { multipartThreshold: 5 * MiB, partSize: 5 * MiB })).run();
    expect(summary.failedCount).toBe(0);
    const completes = proxy.seen('CompleteMultipartUpload');
    expect(completes.map((r) => r.fault)).toEqual(['drop-response', 'status']);
    // The confirmation ran: a HEAD of the object after the NoSuchUpload.
    expect(proxy.seen('HeadObject').filter((r) => r.key === 'big.bin' && r.index > completes[1]!.index)).toHaveLength(1);
    expect(proxy.seen('UploadPart')).toHaveLength(3); // parts not sent again
    expect(proxy.seen('CreateMultipartUpload')).toHaveLength(1);
    countFaults();
    figures.runs++;
    await compared(bucket, { 'big.bin': content });
    expect(await incompleteUploads(bucket)).toBe(0);
  });

  it('a corrupted byte in an upload is refused by the server (Content-MD5, signed SHA-256) and sent again', async () => {
    const bucket = await createTestBucket('corrupt-up');
    const root = await tempDir('corrupt-up');
    const small = patterned(64 * 1024, 10);
    const big = patterned(11 * MiB, 11);
    await writeTree(root, { 'small.bin': small, 'big.bin': big });
    proxy.setRules([
      { when: (r) => r.operation === 'PutObject', fault: { kind: 'corrupt-request', offset: 100 }, times: 1 },
      { when: (r) => r.operation === 'UploadPart' && r.query.get('partNumber') === '2', fault: { kind: 'corrupt-request', offset: 5000 }, times: 1 },
    ]);
    proxy.log.length = 0;
    const summary = await createSyncer(viaProxy(root, `s3://${bucket}`, { multipartThreshold: 5 * MiB, partSize: 5 * MiB })).run();
    expect(summary.failures).toEqual([]);
    expect(proxy.log.filter((r) => r.fault === 'corrupt-request').map((r) => r.status)).toEqual([400, 400]);
    countFaults();
    figures.runs++;
    await compared(bucket, { 'small.bin': small, 'big.bin': big });
  });

  it('detects a corrupted byte in a download and fetches the object again', async () => {
    const bucket = await createTestBucket('corrupt');
    await putObject(bucket, 'data.bin', patterned(256 * 1024, 6));
    const target = await tempDir('corrupt');
    proxy.setRules([{ when: (r) => r.operation === 'GetObject', fault: { kind: 'corrupt-response', offset: 1000 }, times: 1 }]);
    proxy.log.length = 0;
    const summary = await createSyncer(viaProxy(`s3://${bucket}`, target)).run();
    expect(summary.failedCount).toBe(0);
    expect(proxy.seen('GetObject')).toHaveLength(2);
    countFaults();
    figures.runs++;
    figures.objectsCompared++;
    expect((await readFile(join(target, 'data.bin'))).equals(patterned(256 * 1024, 6))).toBe(true);
  });
});

describe('local faults', () => {
  it('a file that changes while it is uploaded is never stored torn', async () => {
    const bucket = await createTestBucket('changing');
    const root = await tempDir('changing');
    const path = join(root, 'growing.bin');
    await writeFile(path, patterned(12 * MiB, 7));
    const syncer = createSyncer(viaProxy(root, `s3://${bucket}`, { multipartThreshold: 5 * MiB, partSize: 5 * MiB, queueSize: 1 }));
    let appended = false;
    syncer.on('progress', () => {
      if (!appended) {
        appended = true;
        execFileSync('sh', ['-c', `printf tail >> '${path}'`]);
      }
    });
    const summary = await syncer.run();
    expect(summary.failedCount).toBe(0); // retried once the file was stable
    expect((await getObjectBytes(bucket, 'growing.bin')).equals(await readFile(path))).toBe(true);
    expect(await incompleteUploads(bucket)).toBe(0);
  });

  describe('on small or read-only file systems', () => {
    const mounts: string[] = [];
    afterAll(() => {
      for (const mount of mounts) execFileSync('umount', [mount]);
    });
    async function mount(options: string): Promise<string> {
      const dir = await tempDir('mount');
      execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
      mounts.push(dir);
      return dir;
    }

    it('a full disk fails the download with a clear error and leaves no temp file', async () => {
      const bucket = await createTestBucket('diskfull');
      await putObject(bucket, 'fits.txt', 'small');
      await putObject(bucket, 'too-big.bin', patterned(2 * MiB, 8));
      const target = await mount('size=1m');
      // One at a time, in key order: fits.txt lands first, then too-big.bin fills the disk (run
      // side by side, the big one could fill it while the small one is still being written).
      const summary = await createSyncer(viaProxy(`s3://${bucket}`, target, { retries: 0, concurrency: 1 })).run();
      expect(summary.failures).toEqual([expect.objectContaining({ key: 'too-big.bin', code: 'ENOSPC' })]);
      expect(await readdir(target)).toEqual(['fits.txt']);
    });

    it('a backup copied across file systems onto a full disk stops the overwrite and the delete, and leaves no partial file', async () => {
      const bucket = await createTestBucket('backup-full');
      await putObject(bucket, 'over/over.bin', 'new, small');
      await putObject(bucket, 'del/keep.txt', 'keep');
      const root = await tempDir('backup-full');
      await writeTree(root, { 'over/over.bin': patterned(2 * MiB, 9), 'del/gone.bin': patterned(2 * MiB, 10) });
      const backup = await mount('size=1m');
      // The tmpfs is another file system: the overwrite's hard link and the delete's rename fail
      // with EXDEV, and the copies made instead fill the disk.
      const options = { delete: true, maxDelete: '100%', retries: 0, concurrency: 1, backup } as const;
      const overwrite = await createSyncer(syncOptions(`s3://${bucket}/over`, join(root, 'over'), options)).run();
      expect(overwrite.failures).toEqual([expect.objectContaining({ key: 'over.bin', code: 'ENOSPC' })]);
      const remove = await createSyncer(syncOptions(`s3://${bucket}/del`, join(root, 'del'), options)).run();
      expect(remove.failures).toEqual([expect.objectContaining({ key: 'gone.bin', code: 'ENOSPC' })]);
      expect((await readFile(join(root, 'over', 'over.bin'))).equals(patterned(2 * MiB, 9))).toBe(true);
      expect((await readFile(join(root, 'del', 'gone.bin'))).equals(patterned(2 * MiB, 10))).toBe(true);
      expect(await readdir(backup)).toEqual([]);
    });

    it('a read-only destination fails every download clearly', async () => {
      const bucket = await createTestBucket('readonly');
      await putObject(bucket, 'a.txt', 'a');
      const target = await mount('ro,size=1m');
      const summary = await createSyncer(viaProxy(`s3://${bucket}`, target, { retries: 0 })).run();
      expect(summary.failures).toEqual([expect.objectContaining({ key: 'a.txt', code: 'EROFS' })]);
    });
  });
});

describe('crash test: SIGKILL at several points, then run again', () => {
  it.each([
    ['during listing', (r: { operation: string }) => r.operation === 'ListObjectsV2'],
    ['mid-part', (r: { operation: string; query: URLSearchParams }) => r.operation === 'UploadPart' && r.query.get('partNumber') === '2'],
    ['between parts', (r: { operation: string; query: URLSearchParams }) => r.operation === 'UploadPart' && r.query.get('partNumber') === '3'],
    ['during deletes', (r: { operation: string }) => r.operation === 'DeleteObjects'],
  ])('killed %s: the target ends equal to the source, nothing partial or orphaned, only missing bytes re-sent', async (_when, hangOn) => {
    const bucket = await createTestBucket('crash');
    const root = await tempDir('crash');
    const files: Record<string, Buffer> = { 'big.bin': patterned(16 * MiB, 9) };
    for (let i = 0; i < 20; i++) files[`small/${i}.txt`] = Buffer.from(`small ${i}`);
    await writeTree(root, files);
    await putObject(bucket, 'obsolete.txt', 'to be deleted');
    const stateFile = join(await tempDir('crash-state'), 'state.json');
    const flags = ['--endpoint-url', endpoint, '--state-file', stateFile, '--multipart-threshold', '5MB', '--part-size', '5MB', '--concurrency', '2', '--delete', '--json'];
    proxy.setRules([{ when: hangOn, fault: { kind: 'hang' } }]);
    proxy.log.length = 0;
    const killed = await s3kitInterrupted(['sync', root, `s3://${bucket}`, ...flags], () => proxy.log.some((r) => r.fault === 'hang'), cliEnv(), 'SIGKILL', 50);
    expect(killed.code).toBe(null);
    figures.faults.set('SIGKILL', (figures.faults.get('SIGKILL') ?? 0) + 1);
    figures.runs += 2;
    const sentBefore = proxy.log.filter((r) => r.status === 200 && (r.operation === 'PutObject' || r.operation === 'UploadPart')).reduce((sum, r) => sum + r.bodyBytes, 0);

    proxy.setRules([]);
    proxy.log.length = 0;
    const again = await s3kit(['sync', root, `s3://${bucket}`, ...flags]);
    expect(again.code).toBe(0);
    const sentAfter = proxy.log.filter((r) => r.operation === 'PutObject' || r.operation === 'UploadPart').reduce((sum, r) => sum + r.bodyBytes, 0);
    const total = Object.values(files).reduce((sum, content) => sum + content.length, 0);
    expect(sentBefore + sentAfter).toBeLessThanOrEqual(total + 5 * MiB); // at most the part in flight when killed is sent twice

    const objects = await listObjects(bucket);
    expect([...objects.keys()].sort()).toEqual(Object.keys(files).sort());
    await compared(bucket, files);
    expect(await incompleteUploads(bucket)).toBe(0);
    await rm(root, { recursive: true });
  });
});


