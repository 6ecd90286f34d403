import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSyncer, type SyncOptions } from 's3kit';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/files.js';
import { createTestBucket, headObject, putObject, syncOptions } from '../helpers/s3.js';

const MiB = 1024 * 1024;

/** Content that differs in every part, so a misplaced part would show. */
function patterned(size: number, seed: number): Buffer {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) buffer.writeUInt32LE(((i + seed) * 2654435761) >>> 0, i);
  return buffer;
}

let proxy: FaultProxy;
let endpoint: string;

beforeAll(async () => {
  proxy = new FaultProxy(inject('s3').endpoint, 11);
  endpoint = await proxy.start();
});
afterAll(() => proxy.close());

function viaProxy(source: string, target: string, extra: Partial<SyncOptions> = {}): SyncOptions {
  return { ...syncOptions(source, target, extra), endpoint };
}

describe('a multipart object downloaded with one GET', () => {
  let bucket: string;
  const content = patterned(12 * MiB, 3);

  beforeAll(async () => {
    bucket = await createTestBucket('dl-integrity');
    const origin = await tempDir('dl-integrity-origin');
    await writeFile(join(origin, 'big.bin'), content);
    // Three parts of 5 MiB: a multipart ETag, and s3kit records the part size.
    await createSyncer(syncOptions(origin, `s3://${bucket}`, { multipartThreshold: 5 * MiB, partSize: 5 * MiB })).run();
    expect((await headObject(bucket, 'big.bin')).ETag).toMatch(/-3"$/);
  });

  async function download(target: string, retries: number): Promise<{ failures: string[]; methods: string[] }> {
    // The ranged-download threshold above the object's size: one GET.
    const syncer = createSyncer(viaProxy(`s3://${bucket}`, target, { multipartThreshold: 64 * MiB, retries }));
    const failures: string[] = [];
    const methods: string[] = [];
    syncer.on('failed', ({ key, error }) => failures.push(`${key} ${(error as { code?: string }).code}`));
    syncer.on('transferEnd', ({ method }) => methods.push(method));
    await syncer.run();
    return { failures, methods };
  }

  it('fails when a byte is flipped in every attempt, and leaves no file at the destination', async () => {
    const target = await tempDir('dl-integrity-bad');
    proxy.setRules([{ when: (r) => r.operation === 'GetObject', fault: { kind: 'corrupt-response', offset: 7 * MiB + 3 } }]);
    proxy.log.length = 0;
    const { failures } = await download(target, 2);
    expect(failures).toEqual(['big.bin IntegrityError']);
    expect(proxy.seen('GetObject').map((r) => r.fault)).toEqual(['corrupt-response', 'corrupt-response', 'corrupt-response']);
    expect(proxy.seen('GetObject').every((r) => r.range === undefined)).toBe(true);
    expect(await readdir(target)).toEqual([]); // neither big.bin nor a temp file
  });

  it('fetches the object again after one corrupted answer, and the file is byte for byte right', async () => {
    const target = await tempDir('dl-integrity-retry');
    proxy.setRules([{ when: (r) => r.operation === 'GetObject', fault: { kind: 'corrupt-response', offset: 100 }, times: 1 }]);
    proxy.log.length = 0;
    const { failures, methods } = await download(target, 2);
    expect(failures).toEqual([]);
    expect(methods).toEqual(['get']);
    expect(proxy.seen('GetObject')).toHaveLength(2);
    expect((await readFile(join(target, 'big.bin'))).equals(content)).toBe(true);
  });
});

/*
 * Ranged downloads are checked from hashes computed off the main thread as the parts land
 * (transfer/hash-pool.ts): the whole MD5 for a single-part ETag, the parts' MD5s for a multipart
 * one. A flipped byte in any part must still fail the object, and a retry must still heal it.
 */
describe.each([
  ['a single-part object (MD5 ETag)', false],
  ['a multipart object (multipart ETag, same part size)', true],
])('%s downloaded in ranges', (_name, multipart) => {
  let bucket: string;
  const content = patterned(17 * MiB + 4, multipart ? 8 : 9);
  const partTwo = (r: { operation: string; range: string | undefined }): boolean => r.operation === 'GetObject' && r.range?.startsWith(`bytes=${5 * MiB}-`) === true;

  beforeAll(async () => {
    bucket = await createTestBucket('dl-ranged-integrity');
    if (multipart) {
      const origin = await tempDir('dl-ranged-origin');
      await writeFile(join(origin, 'big.bin'), content);
      await createSyncer(syncOptions(origin, `s3://${bucket}`, { multipartThreshold: 5 * MiB, partSize: 5 * MiB })).run();
      expect((await headObject(bucket, 'big.bin')).ETag).toMatch(/-4"$/);
    } else {
      await putObject(bucket, 'big.bin', content);
      expect((await headObject(bucket, 'big.bin')).ETag).toMatch(/^"[0-9a-f]{32}"$/);
    }
  });

  async function download(target: string, retries: number): Promise<{ failures: string[]; methods: string[] }> {
    const syncer = createSyncer(viaProxy(`s3://${bucket}`, target, { multipartThreshold: 5 * MiB, partSize: 5 * MiB, retries }));
    const failures: string[] = [];
    const methods: string[] = [];
    syncer.on('failed', ({ key, error }) => failures.push(`${key} ${(error as { code?: string }).code}`));
    syncer.on('transferEnd', ({ method }) => methods.push(method));
    await syncer.run();
    return { failures, methods };
  }

  it('fails when a byte of part 2 is flipped in every attempt, and leaves no file', async () => {
    const target = await tempDir('dl-ranged-bad');
    proxy.setRules([{ when: partTwo, fault: { kind: 'corrupt-response', offset: 12345 } }]);
    proxy.log.length = 0;
    const { failures } = await download(target, 1);
    expect(failures).toEqual(['big.bin IntegrityError']);
    expect(proxy.seen('GetObject').filter((r) => r.fault === 'corrupt-response')).toHaveLength(2);
    expect(await readdir(target)).toEqual([]);
  });

  it('downloads again after one corrupted part, and the file is byte for byte right', async () => {
    const target = await tempDir('dl-ranged-retry');
    proxy.setRules([{ when: partTwo, fault: { kind: 'corrupt-response', offset: 3 }, times: 1 }]);
    proxy.log.length = 0;
    const { failures, methods } = await download(target, 2);
    expect(failures).toEqual([]);
    expect(methods).toEqual(['ranged-get']);
    expect(proxy.seen('GetObject').filter((r) => r.fault === 'corrupt-response')).toHaveLength(1);
    expect((await readFile(join(target, 'big.bin'))).equals(content)).toBe(true);
    expect(await readdir(target)).toEqual(['big.bin']);
  });
});
