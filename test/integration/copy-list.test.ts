import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ConfigError, createSyncer, type SyncOptions } from 's3kit';
import { describe, expect, inject, it } from 'vitest';
import { tempDir } from '../helpers/files.js';
import { runMain, stubTestCredentials } from '../helpers/in-process.js';
import { connection, createTestBucket, getObjectBytes, listObjects, putObject, testClient } from '../helpers/s3.js';

/*
 * Copy lists: a manifest of `s3://bucket/key<TAB>target/key` lines or S3 Batch Operations CSV
 * lines (`bucket,key[,versionId]`, URL-encoded keys) copied into a target prefix — server-side
 * within one service, streamed between services — with a result per item and the efficiency
 * figures in the summary.
 */

async function manifestFile(lines: readonly string[]): Promise<string> {
  const path = join(await tempDir('copy-list'), 'list.txt');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

function options(source: string, target: string, extra: Partial<SyncOptions> = {}): SyncOptions {
  return { source, target, ...connection(), ...extra };
}

describe('copy lists within one service', () => {
  it('copies s3:// lines and Batch Operations CSV lines server-side, to the keys they name, and skips them the next time', async () => {
    const source = await createTestBucket('copy-list-src');
    await putObject(source, 'archive/2024/a.txt', 'A');
    await putObject(source, 'archive/b c+d.txt', 'B with space and plus');
    await putObject(source, 'archive/é.txt', 'E');
    const target = await createTestBucket('copy-list-dst');
    const list = await manifestFile([
      '# archive batch 1',
      `s3://${source}/archive/2024/a.txt\tcollection/a.txt`,
      `s3://${source}/archive/é.txt`,
      `${source},${encodeURIComponent('archive/b c+d.txt').replace(/%2F/g, '/').replace(/%20/g, '+')}`,
    ]);
    const syncer = createSyncer(options(`manifest:${list}`, `s3://${target}/in`));
    const results: string[] = [];
    syncer.on('transferEnd', ({ action, method }) => results.push(`${action.key} ${method}`));
    const summary = await syncer.run();
    expect(summary.failedCount).toBe(0);
    expect(results.sort()).toEqual(['archive/b c+d.txt server-copy', 'archive/é.txt server-copy', 'collection/a.txt server-copy']);
    expect((await getObjectBytes(target, 'in/collection/a.txt')).toString()).toBe('A');
    expect((await getObjectBytes(target, 'in/archive/b c+d.txt')).toString()).toBe('B with space and plus');
    expect((await getObjectBytes(target, 'in/archive/é.txt')).toString()).toBe('E');
    expect(summary.copyStats).toMatchObject({ serverSideBytes: 1 + 21 + 1, streamedBytes: 0 });

    const again = await createSyncer(options(`manifest:${list}`, `s3://${target}/in`, { compare: 'checksum' })).run();
    expect(again.copied.count + again.updated.count).toBe(0);
    expect(again.skipped.count).toBe(3);
  });

  it('copies the version a Batch Operations line names', async () => {
    const source = await createTestBucket('copy-list-versions');
    await testClient().send(new PutBucketVersioningCommand({ Bucket: source, VersioningConfiguration: { Status: 'Enabled' } }));
    const first = await testClient().send(new PutObjectCommand({ Bucket: source, Key: 'doc.txt', Body: 'first version' }));
    await putObject(source, 'doc.txt', 'second, current version');
    const target = await createTestBucket('copy-list-versions-dst');
    const list = await manifestFile([`${source},doc.txt,${first.VersionId}`]);
    const summary = await createSyncer(options(`manifest:${list}`, `s3://${target}`)).run();
    expect(summary.failedCount).toBe(0);
    expect((await getObjectBytes(target, 'doc.txt')).toString()).toBe('first version');
  });

  it('prints one result per item and the efficiency line (CLI)', async () => {
    stubTestCredentials();
    const source = await createTestBucket('copy-list-cli');
    await putObject(source, 'x.bin', Buffer.alloc(3000, 1));
    const target = await createTestBucket('copy-list-cli-dst');
    const list = await manifestFile([`s3://${source}/x.bin\ty.bin`]);
    const json = await runMain(['sync', `manifest:${list}`, `s3://${target}`, '--json']);
    expect(json.code).toBe(0);
    const events = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.find((event) => event.event === 'transferEnd')).toMatchObject({ key: 'y.bin', method: 'server-copy', size: 3000, why: expect.stringContaining('same service') });
    expect(events.at(-1)).toMatchObject({ event: 'summary' });
    expect(JSON.stringify(events.at(-1))).toContain('"serverSideBytes":3000');
    const text = await runMain(['sync', `manifest:${list}`, `s3://${target}/text`]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Copied server-side: 2.9 KiB (never through s3kit); streamed: 0 B');
    expect([...(await listObjects(target)).keys()].sort()).toEqual(['text/y.bin', 'y.bin']);
  });

  it.each([
    [`s3://a-bucket/x.txt\t../escape.txt`, /line 1: the target key "\.\.\/escape\.txt" has a "\.\." segment; give a relative key after a tab/],
    [`s3://a-bucket/x.txt\t/etc/passwd`, /line 1: the target key "\/etc\/passwd" is absolute/],
    [`s3://a-bucket/dir/`, /line 1: "s3:\/\/a-bucket\/dir\/" must be s3:\/\/bucket\/key, naming one object/],
    [`s3://Bad_Bucket/x`, /must be s3:\/\/bucket\/key/],
    [`a-bucket,%E0%A4%A`, /line 1: the key "%E0%A4%A" is not URL-encoded as a Batch Operations manifest needs/],
    [`just some words`, /line 1: "just some words" is neither a URL \(https:\/\/…, or s3:\/\/bucket\/key for a copy\) nor a Batch Operations CSV line/],
    [`a-bucket,..%2Fup.txt`, /the target key "\.\.\/up\.txt" has a "\.\." segment/],
  ])('refuses the line %j, naming the line and the fix', async (line, message) => {
    const list = await manifestFile([line]);
    const run = createSyncer(options(`manifest:${list}`, 's3://any-bucket')).run();
    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toThrow(message);
  });
});

describe('copy lists between services', () => {
  const other = inject('s3b');

  it.skipIf(other === undefined)('streams objects the target service cannot read, and counts them as streamed', async () => {
    const b = other!;
    const clientB = new S3Client({ endpoint: b.endpoint, region: b.region, forcePathStyle: true, credentials: { accessKeyId: b.accessKeyId, secretAccessKey: b.secretAccessKey } });
    const remote = `s3kit-list-${Date.now().toString(36)}`;
    await clientB.send(new CreateBucketCommand({ Bucket: remote }));
    await clientB.send(new PutObjectCommand({ Bucket: remote, Key: 'r.txt', Body: 'remote' }));
    const target = await createTestBucket('copy-list-remote-dst');
    const list = await manifestFile([`s3://${remote}/r.txt\tfrom-b/r.txt`]);
    const syncer = createSyncer({
      ...options(`manifest:${list}`, `s3://${target}`),
      sourceConnection: { endpoint: b.endpoint, credentials: { accessKeyId: b.accessKeyId, secretAccessKey: b.secretAccessKey } },
    });
    const methods: string[] = [];
    syncer.on('transferEnd', ({ method }) => methods.push(method));
    const summary = await syncer.run();
    expect(summary.failedCount).toBe(0);
    expect(methods).toEqual(['stream-copy']);
    expect(summary.copyStats).toMatchObject({ serverSideBytes: 0, streamedBytes: 6 });
    expect((await getObjectBytes(target, 'from-b/r.txt')).toString()).toBe('remote');
  });
});
