import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createSyncer, type SseCustomerKey } from 's3kit';
import { connection, createTestBucket, syncOptions, testClient } from '../helpers/s3.js';
import { tempDir, writeTree } from '../helpers/files.js';

/*
 * SSE-C against radosgw: the harness sets `rgw crypt require ssl = false`, so radosgw takes SSE-C
 * over plain http here (AWS takes it only over HTTPS). A recording client checks the exact headers
 * of every command that must carry the key; the server checks the key itself (an object written
 * with it cannot be read without it).
 */

const MiB = 1024 * 1024;
const key = randomBytes(32);
const otherKey = randomBytes(32);
const sseC: SseCustomerKey = { algorithm: 'AES256', key };
const KEY_HEADERS = (k: Buffer) => ({
  'x-amz-server-side-encryption-customer-algorithm': 'AES256',
  'x-amz-server-side-encryption-customer-key': k.toString('base64'),
  'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(k).digest('base64'),
});
const COPY_SOURCE_HEADERS = (k: Buffer) => ({
  'x-amz-copy-source-server-side-encryption-customer-algorithm': 'AES256',
  'x-amz-copy-source-server-side-encryption-customer-key': k.toString('base64'),
  'x-amz-copy-source-server-side-encryption-customer-key-md5': createHash('md5').update(k).digest('base64'),
});

/** A client that records each command's name and its SSE-C headers as sent on the wire. */
function recordingClient(): { client: S3Client; sent: { command: string; headers: Record<string, string> }[] } {
  const sent: { command: string; headers: Record<string, string> }[] = [];
  const client = new S3Client({ ...connection(), forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const headers = (args.request as { headers: Record<string, string> }).headers;
      const encryption = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase().includes('server-side-encryption-customer')).map(([name, value]) => [name.toLowerCase(), value]));
      sent.push({ command: context.commandName ?? 'unknown', headers: encryption });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordSseC' },
  );
  return { client, sent };
}

async function getWith(bucket: string, objectKey: string, k: Buffer | undefined): Promise<Buffer> {
  const params = k === undefined ? {} : { SSECustomerAlgorithm: 'AES256', SSECustomerKey: k.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(k).digest('base64') };
  const response = await testClient().send(new GetObjectCommand({ Bucket: bucket, Key: objectKey, ...params }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

describe('SSE-C against radosgw', () => {
  let bucket: string;
  let root: string;
  const small = randomBytes(1000);
  const big = randomBytes(12 * MiB);

  beforeAll(async () => {
    bucket = await createTestBucket('sse-c');
    root = await tempDir('sse-c');
    await writeTree(root, { 'small.bin': small, 'big.bin': big });
  });

  it('uploads (PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload) send the key; the objects need it to be read', async () => {
    const { client, sent } = recordingClient();
    const summary = await createSyncer(syncOptions(root, `s3://${bucket}/up/`, { client, sseCustomerKey: sseC, multipartThreshold: 8 * MiB, partSize: 5 * MiB })).run();
    expect(summary.failedCount, JSON.stringify(summary.failures)).toBe(0);
    const writes = sent.filter(({ command }) => /PutObject|MultipartUpload|UploadPart/.test(command));
    expect(new Set(writes.map(({ command }) => command))).toEqual(new Set(['PutObjectCommand', 'CreateMultipartUploadCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']));
    for (const { headers } of writes) expect(headers).toEqual(KEY_HEADERS(key));
    expect((await getWith(bucket, 'up/small.bin', key)).equals(small)).toBe(true);
    expect((await getWith(bucket, 'up/big.bin', key)).equals(big)).toBe(true);
    await expect(getWith(bucket, 'up/small.bin', undefined)).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    await expect(testClient().send(new HeadObjectCommand({ Bucket: bucket, Key: 'up/big.bin' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('a second run HEADs nothing without the key and transfers nothing', async () => {
    const { client, sent } = recordingClient();
    const summary = await createSyncer(syncOptions(root, `s3://${bucket}/up/`, { client, sseCustomerKey: sseC })).run();
    expect(summary.failedCount).toBe(0);
    expect(summary.copied.count + summary.updated.count).toBe(0);
    for (const { command, headers } of sent.filter(({ command }) => command === 'HeadObjectCommand')) expect(headers, command).toEqual(KEY_HEADERS(key));
  });

  it('downloads (GetObject, single and ranged) send the key and write the plaintext; without it they fail per file', async () => {
    const { client, sent } = recordingClient();
    const target = await tempDir('sse-c-down');
    const summary = await createSyncer(syncOptions(`s3://${bucket}/up/`, target, { client, sseCustomerKey: sseC, multipartThreshold: 8 * MiB, partSize: 5 * MiB })).run();
    expect(summary.failedCount, JSON.stringify(summary.failures)).toBe(0);
    expect(summary.byMethod).toEqual({ get: 1, 'ranged-get': 1 });
    const gets = sent.filter(({ command }) => command === 'GetObjectCommand');
    expect(gets.length).toBeGreaterThanOrEqual(3);
    for (const { headers } of gets) expect(headers).toEqual(KEY_HEADERS(key));
    expect((await readFile(join(target, 'small.bin'))).equals(small)).toBe(true);
    expect((await readFile(join(target, 'big.bin'))).equals(big)).toBe(true);

    const withoutKey = await createSyncer(syncOptions(`s3://${bucket}/up/`, await tempDir('sse-c-nokey'))).run();
    expect(withoutKey.failedCount).toBe(2);
    const wrongKey = await createSyncer(syncOptions(`s3://${bucket}/up/`, await tempDir('sse-c-wrongkey'), { sseCustomerKey: { key: otherKey } })).run();
    expect(wrongKey.failedCount).toBe(2);
    for (const failure of wrongKey.failures) {
      expect(failure.message).toMatch(/cannot be read with the SSE-C key given.*encrypted with another key/);
      expect(failure.message).not.toContain(otherKey.toString('base64'));
    }
  });

  it('S3 → S3 copies send the source key and the target key; where radosgw cannot copy SSE-C server-side (CopyObject: 501), the copy streams', async () => {
    const { client, sent } = recordingClient();
    const summary = await createSyncer(
      syncOptions(`s3://${bucket}/up/`, `s3://${bucket}/copied/`, { client, copySourceSseCustomerKey: sseC, sseCustomerKey: sseC, multipartCopyThreshold: 8 * MiB }),
    ).run();
    expect(summary.failedCount, JSON.stringify(summary.failures)).toBe(0);
    // radosgw 16 refuses CopyObject of an SSE-C source (NotImplemented) but takes UploadPartCopy with the same key.
    expect(summary.byMethod).toEqual({ 'stream-copy': 1, 'multipart-copy': 1 });
    const byCommand = (name: string) => sent.filter(({ command }) => command === name).map(({ headers }) => headers);
    expect(byCommand('CopyObjectCommand')).toEqual([{ ...KEY_HEADERS(key), ...COPY_SOURCE_HEADERS(key) }]);
    expect(byCommand('HeadObjectCommand')).toEqual([KEY_HEADERS(key)]);
    expect(byCommand('CreateMultipartUploadCommand')).toEqual([KEY_HEADERS(key)]);
    expect(byCommand('UploadPartCopyCommand').length).toBeGreaterThanOrEqual(1);
    for (const headers of byCommand('UploadPartCopyCommand')) expect(headers).toEqual({ ...KEY_HEADERS(key), ...COPY_SOURCE_HEADERS(key) });
    // The streamed fallback: read with the source key, written with the target key.
    expect(byCommand('GetObjectCommand')).toEqual([KEY_HEADERS(key)]);
    expect(byCommand('PutObjectCommand')).toEqual([KEY_HEADERS(key)]);
    expect((await getWith(bucket, 'copied/small.bin', key)).equals(small)).toBe(true);
    expect((await getWith(bucket, 'copied/big.bin', key)).equals(big)).toBe(true);
    await expect(getWith(bucket, 'copied/small.bin', undefined)).rejects.toBeDefined();
  });

  it('refuses a key that is not 32 bytes, compare: checksum with SSE-C, and a copy-source key outside S3 → S3, without printing the key', () => {
    const short = randomBytes(16);
    for (const [options, field] of [
      [{ sseCustomerKey: { key: short } }, 'sseCustomerKey'],
      [{ sseCustomerKey: sseC, compare: 'checksum' as const }, 'compare'],
      [{ copySourceSseCustomerKey: sseC }, 'copySourceSseCustomerKey'],
    ] as const) {
      let error: unknown;
      try {
        createSyncer(syncOptions(root, `s3://${bucket}/x/`, options));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe(field);
      const text = `${(error as Error).message} ${JSON.stringify(error)}`;
      for (const k of [key, short]) {
        expect(text).not.toContain(k.toString('base64'));
        expect(text).not.toContain(k.toString('hex'));
      }
    }
  });
});
