import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createSyncer } from 's3kit';
import { cliEnv, s3kitInterrupted } from '../helpers/cli.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { setMtime, tempDir, writeTree } from '../helpers/files.js';
import { ODD_FILES } from '../helpers/corpus.js';
import { createTestBucket, putObject, syncOptions } from '../helpers/s3.js';

const MiB = 1024 * 1024;

const options = syncOptions;

/** Every file under `root` (relative paths), temp files included, sorted. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort();
}

const FILES = ODD_FILES;

describe('S3 → local against radosgw', () => {
  let bucket: string;
  let uploadedFrom: string;
  const big = Buffer.alloc(13 * MiB);

  beforeAll(async () => {
    bucket = await createTestBucket('download');
    uploadedFrom = await tempDir('dl-origin');
    await writeTree(uploadedFrom, FILES);
    for (let i = 0; i < big.length; i += 512) big.writeUInt32LE((i * 2246822519) >>> 0, i);
    await writeFile(join(uploadedFrom, 'big.bin'), big);
    await setMtime(join(uploadedFrom, 'plain.txt'), new Date('2020-05-01T10:00:00.123Z'));
    // Uploaded by s3kit: the objects carry x-amz-meta-mtime; big.bin goes up in 5 MiB parts.
    await createSyncer(options(uploadedFrom, `s3://${bucket}/data`, { multipartThreshold: 5 * MiB, partSize: 5 * MiB })).run();
  });

  it('downloads every key byte for byte with the source mtime; a large object in ranged parts', async () => {
    const target = join(await tempDir('dl'), 'not-yet-created');
    const syncer = createSyncer(options(`s3://${bucket}/data`, target, { multipartThreshold: 5 * MiB, partSize: 5 * MiB }));
    const methods = new Map<string, string>();
    syncer.on('transferEnd', ({ action, method }) => methods.set(action.key, method));
    const summary = await syncer.run();
    expect(summary.failedCount).toBe(0);
    expect(summary.copied.count).toBe(Object.keys(FILES).length + 1);
    expect(await filesUnder(target)).toEqual([...Object.keys(FILES), 'big.bin'].sort());
    for (const [key, content] of Object.entries(FILES)) expect(await readFile(join(target, key), 'utf8')).toBe(content);
    expect((await readFile(join(target, 'big.bin'))).equals(big)).toBe(true);
    expect(methods.get('big.bin')).toBe('ranged-get');
    expect(methods.get('plain.txt')).toBe('get');
    expect((await stat(join(target, 'plain.txt'))).mtime.toISOString()).toBe('2020-05-01T10:00:00.123Z');
    // x-amz-meta-mtime keeps milliseconds
    expect(Math.abs((await stat(join(target, 'big.bin'))).mtimeMs - (await stat(join(uploadedFrom, 'big.bin'))).mtimeMs)).toBeLessThanOrEqual(1);
  });

  it('round-trips mtimes: a second download and an upload back are both no-ops', async () => {
    const target = await tempDir('dl-roundtrip');
    await createSyncer(options(`s3://${bucket}/data`, target)).run();
    const again = await createSyncer(options(`s3://${bucket}/data`, target)).run();
    expect(again.copied.count + again.updated.count).toBe(0);
    expect(again.skippedByReason['mtime-equal']).toBe(Object.keys(FILES).length + 1);
    const back = await createSyncer(options(target, `s3://${bucket}/data`)).run();
    expect(back.copied.count + back.updated.count).toBe(0);
    expect(back.requests).toBe(1); // one ListObjectsV2 page, no HEAD
  });

  it('downloads a same-size object that changed in S3 even when the local file looks newer', async () => {
    const target = await tempDir('dl-trap');
    await createSyncer(options(`s3://${bucket}/data`, target)).run();
    await setMtime(join(target, 'plain.txt'), new Date(Date.now() + 3_600_000)); // local looks newer
    await putObject(bucket, 'data/plain.txt', 'PLAIN', { Metadata: { mtime: '1700000000.000' } }); // same size, new content
    const summary = await createSyncer(options(`s3://${bucket}/data`, target)).run();
    expect(summary.updated.count).toBe(1);
    expect(await readFile(join(target, 'plain.txt'), 'utf8')).toBe('PLAIN');
    expect((await stat(join(target, 'plain.txt'))).mtimeMs).toBe(1_700_000_000_000);
  });

  it('deletes local files missing in S3 after the transfers, within maxDelete', async () => {
    const target = await tempDir('dl-delete');
    await writeTree(target, { 'local-only.txt': 'x', 'sub/also-local.txt': 'y' });
    const refused = await createSyncer(options(`s3://${bucket}/data`, target, { delete: true, maxDelete: 1 })).run();
    expect(refused.deletesSkipped?.reason).toBe('max-delete');
    expect(await filesUnder(target)).toContain('local-only.txt');
    const summary = await createSyncer(options(`s3://${bucket}/data`, target, { delete: true })).run();
    expect(summary.deleted.count).toBe(2);
    expect(await filesUnder(target)).not.toContain('local-only.txt');
    expect(await filesUnder(target)).not.toContain('sub/also-local.txt');
  });
});

describe('unsafe keys, markers and collisions', () => {
  it('refuses keys that are not safe local paths and writes nothing outside the destination', async () => {
    const bucket = await createTestBucket('dl-unsafe');
    for (const key of ['t/../evil.txt', 't/a//b.txt', 't/./x.txt', 't/ok.txt', 't/dir/', 't/..']) await putObject(bucket, key, key.endsWith('/') ? '' : 'x');
    const parent = await tempDir('dl-unsafe');
    const target = join(parent, 'dest');
    await writeTree(target, { 'stale.txt': 'a delete the failures must cancel' });
    const failures: string[] = [];
    const syncer = createSyncer(options(`s3://${bucket}/t`, target, { delete: true }));
    syncer.on('failed', ({ key, error }) => failures.push(`${key} ${(error as { code?: string }).code}`));
    const summary = await syncer.run();
    expect(failures.sort()).toEqual(['..  UnsafeKey'.replace('  ', ' '), '../evil.txt UnsafeKey', './x.txt UnsafeKey', 'a//b.txt UnsafeKey'].sort());
    expect(await filesUnder(parent)).toEqual(['dest/ok.txt', 'dest/stale.txt']);
    expect((await stat(join(target, 'dir'))).isDirectory()).toBe(true); // the directory marker
    expect(summary.deletesSkipped?.reason).toBe('failures');
  });

  it('makes directory markers into directories, and does not count them again', async () => {
    const bucket = await createTestBucket('dl-markers');
    await putObject(bucket, 'empty-dir/', '');
    await putObject(bucket, 'file.txt', 'f');
    const target = await tempDir('dl-markers');
    const first = await createSyncer(options(`s3://${bucket}`, target)).run();
    expect(first.byMethod).toEqual({ mkdir: 1, get: 1 });
    expect((await stat(join(target, 'empty-dir'))).isDirectory()).toBe(true);
    const second = await createSyncer(options(`s3://${bucket}`, target)).run();
    expect(second.copied.count + second.updated.count).toBe(0);
  });

  it('never replaces a file that appeared under a new key (case or normalisation aliasing)', async () => {
    const bucket = await createTestBucket('dl-collide');
    await putObject(bucket, 'Report.txt', 'from S3');
    const target = await tempDir('dl-collide');
    const syncer = createSyncer(options(`s3://${bucket}`, target, { retries: 0 }));
    // On a case-insensitive file system "report.txt" would already be there under another
    // name; here it appears after planning, which takes the same path through the code.
    syncer.on('planned', () => execFileSync('sh', ['-c', `echo mine > '${join(target, 'Report.txt')}'`]));
    const failures: string[] = [];
    syncer.on('failed', ({ error }) => failures.push((error as { code?: string }).code ?? ''));
    await syncer.run();
    expect(failures).toEqual(['KeyCollision']);
    expect(await readFile(join(target, 'Report.txt'), 'utf8')).toBe('mine\n');
    expect(await filesUnder(target)).toEqual(['Report.txt']); // no temp file left
  });

  it('a download killed with SIGKILL leaves no partial file at the destination; the next run completes', async () => {
    const bucket = await createTestBucket('dl-kill');
    const origin = await tempDir('dl-kill-origin');
    const content = Buffer.alloc(48 * MiB, 9);
    await writeFile(join(origin, 'large.bin'), content);
    await createSyncer(options(origin, `s3://${bucket}`)).run();
    const target = await tempDir('dl-kill');
    // The proxy holds every ranged GET from 10 MiB on, so the download cannot finish first: the
    // kill lands with parts 1 and 2 written to the temp file and part 3 in flight.
    const proxy = new FaultProxy(inject('s3').endpoint);
    const env = cliEnv({ AWS_ENDPOINT_URL: await proxy.start() });
    const rangeStart = (range: string | undefined): number => Number(/^bytes=(\d+)-/.exec(range ?? '')?.[1] ?? -1);
    proxy.setRules([{ when: (r) => r.operation === 'GetObject' && rangeStart(r.range) >= 10 * MiB, fault: { kind: 'hang' } }]);
    let result;
    try {
      result = await s3kitInterrupted(
        ['sync', `s3://${bucket}`, target, '--json', '--multipart-threshold', '5MB', '--part-size', '5MB', '--concurrency', '1'],
        (stdout) => stdout.includes('"event":"progress"') && proxy.log.some((r) => r.fault === 'hang'),
        env,
        'SIGKILL',
        50,
      );
    } finally {
      await proxy.close();
    }
    expect(result.code).toBe(null); // killed
    const left = await filesUnder(target);
    expect(left).toEqual([expect.stringMatching(/^\.s3kit-[0-9a-f]{12}\.part$/)]); // the temp file, never large.bin

    const resumed = await createSyncer(options(`s3://${bucket}`, target)).run();
    expect(resumed.copied.count).toBe(1);
    expect((await readFile(join(target, 'large.bin'))).equals(content)).toBe(true);
    for (const name of left) await rm(join(target, name));
  });
});
