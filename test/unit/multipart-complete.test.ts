import { writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { uploadFileInParts } from '../../src/transfer/multipart-file-upload.js';

// Failures of CompleteMultipartUpload that a live server cannot be made to give on cue.
const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const MiB = 1024 * 1024;

async function upload(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 's3kit-complete-'));
  const path = join(dir, 'big.bin');
  await writeFile(path, Buffer.alloc(6 * MiB, 7));
  // Let ctime settle, so the upload does not wait for it.
  await new Promise((resolve) => setTimeout(resolve, 30));
  await uploadFileInParts({
    client: new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
    bucket: 'bucket',
    objectKey: 'big.bin',
    source: { key: 'big.bin', path, size: 6 * MiB, mtimeMs: 0 },
    partSize: 5 * MiB,
    queueSize: 2,
    onProgress: () => {},
    signal: new AbortController().signal,
    params: () => ({}),
    state: undefined,
    resume: false,
  });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code });
}

describe('CompleteMultipartUpload retries', () => {
  it('retries a completion that failed without an HTTP answer (a network error), as before the restructure', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1', $metadata: { attempts: 1 } });
    s3.on(UploadPartCommand).resolves({ ETag: '"0123456789abcdef0123456789abcdef"' });
    s3.on(CompleteMultipartUploadCommand).rejectsOnce(networkError('EHOSTUNREACH')).resolves({});
    s3.on(AbortMultipartUploadCommand).resolves({});
    await upload();
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(2);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it('does not retry a completion the server refused with a 4xx, and aborts the upload', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1', $metadata: { attempts: 1 } });
    s3.on(UploadPartCommand).resolves({ ETag: '"0123456789abcdef0123456789abcdef"' });
    s3.on(CompleteMultipartUploadCommand).rejects(Object.assign(new Error('bad part'), { name: 'InvalidPart', $metadata: { httpStatusCode: 400 } }));
    s3.on(AbortMultipartUploadCommand).resolves({});
    await expect(upload()).rejects.toMatchObject({ name: 'InvalidPart' });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(1);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });

  it('settles a NoSuchUpload after a lost answer with a HEAD, retrying nothing', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1', $metadata: { attempts: 1 } });
    s3.on(UploadPartCommand).resolves({ ETag: '"0123456789abcdef0123456789abcdef"' });
    s3.on(CompleteMultipartUploadCommand)
      .rejectsOnce(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))
      .rejects(Object.assign(new Error('gone'), { name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } }));
    s3.on(HeadObjectCommand).resolves({ ETag: '"nothing-like-it"' });
    s3.on(AbortMultipartUploadCommand).resolves({});
    await expect(upload()).rejects.toMatchObject({ code: 'NoSuchUpload' });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(2);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(1);
  });
});
