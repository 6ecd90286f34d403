import { CreateBucketCommand, GetObjectCommand, GetObjectTaggingCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createSyncer, S3ToS3Copier } from 's3kit';
import { connection, syncOptions, createTestBucket, getObjectBytes, headObject, incompleteUploads, listObjects, testClient } from '../helpers/s3.js';

const MiB = 1024 * 1024;

const options = syncOptions;

describe('S3 → S3 on one service', () => {
  let source: string;
  let target: string;
  const big = Buffer.alloc(12 * MiB);

  beforeAll(async () => {
    source = await createTestBucket('copy-src');
    target = await createTestBucket('copy-dst');
    for (let i = 0; i < big.length; i += 1024) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    const client = testClient();
    await client.send(
      new PutObjectCommand({
        Bucket: source,
        Key: 'docs/readme.md',
        Body: '# hello',
        ContentType: 'text/markdown',
        CacheControl: 'max-age=5',
        Metadata: { owner: 'team-a', mtime: '1600000000.000' },
        Tagging: 'project=s3kit&tier=gold',
        StorageClass: 'STANDARD_IA',
      }),
    );
    await client.send(new PutObjectCommand({ Bucket: source, Key: 'docs/big.bin', Body: big, Metadata: { owner: 'team-b' }, Tagging: 'size=big' }));
    await client.send(new PutObjectCommand({ Bucket: source, Key: 'docs/sub/a b+c.txt', Body: 'odd key' }));
  });

  it('copies server-side across buckets, keeping metadata, content type, tags and storage class', async () => {
    const syncer = createSyncer(options(`s3://${source}/docs`, `s3://${target}/copy`, { multipartCopyThreshold: 10 * MiB }));
    const modes = new Map<string, string>();
    syncer.on('transferEnd', ({ action, method, why }) => modes.set(action.key, `${method}: ${why}`));
    const summary = await syncer.run();
    expect(summary.failedCount).toBe(0);
    expect([...(await listObjects(target)).keys()].sort()).toEqual(['copy/big.bin', 'copy/readme.md', 'copy/sub/a b+c.txt']);
    expect(modes.get('readme.md')).toMatch(/^server-copy: same service, 0\.0 MiB under the 10\.0 MiB multipart copy threshold$/);
    expect(modes.get('big.bin')).toMatch(/^multipart-copy: same service, 12\.0 MiB at or above/);

    const head = await headObject(target, 'copy/readme.md');
    expect(head).toMatchObject({ ContentType: 'text/markdown', CacheControl: 'max-age=5', StorageClass: 'STANDARD_IA' });
    expect(head.Metadata).toMatchObject({ owner: 'team-a', mtime: '1600000000.000' });
    const tags = await testClient().send(new GetObjectTaggingCommand({ Bucket: target, Key: 'copy/readme.md' }));
    expect(tags.TagSet?.map((t) => `${t.Key}=${t.Value}`).sort()).toEqual(['project=s3kit', 'tier=gold']);

    // The multipart copy carries the attributes over by hand: check them too.
    expect((await getObjectBytes(target, 'copy/big.bin')).equals(big)).toBe(true);
    expect((await headObject(target, 'copy/big.bin')).Metadata).toMatchObject({ owner: 'team-b' });
    const bigTags = await testClient().send(new GetObjectTaggingCommand({ Bucket: target, Key: 'copy/big.bin' }));
    expect(bigTags.TagSet).toEqual([{ Key: 'size', Value: 'big' }]);
    expect(await incompleteUploads(target)).toBe(0);

    expect(summary.copyStats).toMatchObject({ serverSideBytes: big.length + 7 + 7, streamedBytes: 0 });
    expect(summary.copyStats!.requestsAvoided).toBeGreaterThan(0);
    expect(summary.byMethod).toEqual({ 'server-copy': 2, 'multipart-copy': 1 });
  });

  it('is incremental, and --delete mirrors', async () => {
    const again = await createSyncer(options(`s3://${source}/docs`, `s3://${target}/copy`)).run();
    expect(again.copied.count + again.updated.count).toBe(0);
    expect(again.skipped.count).toBe(3);
    expect(again.requests).toBe(2); // one list page per side, no HEAD

    await testClient().send(new PutObjectCommand({ Bucket: target, Key: 'copy/extra.txt', Body: 'not in source' }));
    await testClient().send(new PutObjectCommand({ Bucket: source, Key: 'docs/readme.md', Body: '# changed!' }));
    const mirrored = await createSyncer(options(`s3://${source}/docs`, `s3://${target}/copy`, { delete: true })).run();
    expect(mirrored.updated.count).toBe(1);
    expect(mirrored.deleted.count).toBe(1);
    expect([...(await listObjects(target)).keys()].sort()).toEqual(['copy/big.bin', 'copy/readme.md', 'copy/sub/a b+c.txt']);
    expect((await getObjectBytes(target, 'copy/readme.md')).toString()).toBe('# changed!');
  });

  it('copies within one bucket, and REPLACE takes metadata from the upload options', async () => {
    const summary = await createSyncer(
      options(`s3://${source}/docs`, `s3://${source}/backup`, {
        metadataDirective: 'REPLACE',
        upload: { metadata: { replaced: 'yes' }, contentType: 'application/x-replaced' },
        rules: [{ type: 'exclude', pattern: 'big.bin' }],
      }),
    ).run();
    expect(summary.copied.count).toBe(2);
    const head = await headObject(source, 'backup/readme.md');
    expect(head.Metadata).toEqual({ replaced: 'yes' });
    expect(head.ContentType).toBe('application/x-replaced');
  });
});

describe('S3 → S3 between services', () => {
  const other = inject('s3b');

  it.skipIf(other === undefined)('streams between two radosgw instances with different credentials, without disk', async () => {
    const b = other!;
    const clientB = new S3Client({
      endpoint: b.endpoint,
      region: b.region,
      forcePathStyle: true,
      credentials: { accessKeyId: b.accessKeyId, secretAccessKey: b.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const remoteBucket = `s3kit-remote-${Date.now().toString(36)}`;
    await clientB.send(new CreateBucketCommand({ Bucket: remoteBucket }));
    const content = Buffer.alloc(11 * MiB, 5);
    await clientB.send(new PutObjectCommand({ Bucket: remoteBucket, Key: 'in/large.bin', Body: content, Metadata: { origin: 'b' }, ContentType: 'application/x-b' }));
    await clientB.send(new PutObjectCommand({ Bucket: remoteBucket, Key: 'in/small.txt', Body: 'small' }));
    const target = await createTestBucket('streamed');

    const syncer = createSyncer({
      ...options(`s3://${remoteBucket}/in`, `s3://${target}/out`, { partSize: 5 * MiB, multipartThreshold: 5 * MiB }),
      sourceConnection: { endpoint: b.endpoint, credentials: { accessKeyId: b.accessKeyId, secretAccessKey: b.secretAccessKey } },
    });
    const whys: string[] = [];
    syncer.on('transferEnd', ({ method, why }) => whys.push(`${method}: ${why}`));
    const summary = await syncer.run();
    expect(summary.failedCount).toBe(0);
    expect(whys).toEqual([
      'stream-copy: different endpoints or credentials: the target service cannot read the source',
      'stream-copy: different endpoints or credentials: the target service cannot read the source',
    ]);
    expect((await getObjectBytes(target, 'out/large.bin')).equals(content)).toBe(true);
    expect(await headObject(target, 'out/large.bin')).toMatchObject({ ContentType: 'application/x-b', Metadata: { origin: 'b' } });
    expect(summary.copyStats).toEqual({ serverSideBytes: 0, streamedBytes: content.length + 5, requestsAvoided: 0 });
    expect(await incompleteUploads(target)).toBe(0);

    const again = await createSyncer({
      ...options(`s3://${remoteBucket}/in`, `s3://${target}/out`),
      sourceConnection: { endpoint: b.endpoint, credentials: { accessKeyId: b.accessKeyId, secretAccessKey: b.secretAccessKey } },
    }).run();
    expect(again.copied.count + again.updated.count).toBe(0);
  });
});

describe('S3ToS3Copier', () => {
  it('refuses server-side copies between different clients and streams instead', async () => {
    const bucket = await createTestBucket('copier');
    await testClient().send(new PutObjectCommand({ Bucket: bucket, Key: 'a.txt', Body: 'abc' }));
    const secondClient = new S3Client({ ...connection(), forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const copier = new S3ToS3Copier({ sourceClient: testClient(), targetClient: secondClient });
    expect(copier.methodFor(3)).toBe('stream-copy');
    const result = await copier.copy({
      sourceBucket: bucket,
      sourceKey: 'a.txt',
      source: { key: 'a.txt', size: 3, mtimeMs: 0 },
      targetBucket: bucket,
      targetKey: 'b.txt',
    });
    expect(result).toMatchObject({ method: 'stream-copy', bytesThroughProcess: 3 });
    const body = await testClient().send(new GetObjectCommand({ Bucket: bucket, Key: 'b.txt' }));
    expect(await body.Body!.transformToString()).toBe('abc');
  });

  it('aborts a multipart copy that fails, leaving no parts', async () => {
    const bucket = await createTestBucket('copier-fail');
    await testClient().send(new PutObjectCommand({ Bucket: bucket, Key: 'src.bin', Body: Buffer.alloc(12 * MiB, 1) }));
    const copier = new S3ToS3Copier({ sourceClient: testClient(), targetClient: testClient(), multipartCopyThreshold: 5 * MiB, copyPartSize: 5 * MiB });
    // A listing that claims more bytes than the object has (it shrank since) makes the last
    // UploadPartCopy ask for a range past the end: the server refuses it after the upload began.
    const failure = await copier
      .copy({
        sourceBucket: bucket,
        sourceKey: 'src.bin',
        source: { key: 'src.bin', size: 18 * MiB, mtimeMs: 0 },
        targetBucket: bucket,
        targetKey: 'dst.bin',
      })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'TransferError', key: 'src.bin' });
    expect(await incompleteUploads(bucket)).toBe(0);
    expect((await listObjects(bucket)).has('dst.bin')).toBe(false);
  });
});
