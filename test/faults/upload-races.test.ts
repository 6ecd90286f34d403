import { renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createSyncer, jsonFileStore, memoryStore, type StateStore, type SyncOptions } from 's3kit';
// The state records' layout is internal: these tests look inside them on purpose.
import { uploadStateKey, type UploadRecord } from '../../src/transfer/multipart-file-upload.js';
import { s3kit } from '../helpers/cli.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/files.js';
import { createTestBucket, getObjectBytes, testClient } from '../helpers/s3.js';

const MiB = 1024 * 1024;

/** Content that differs in every part, so a misplaced part would show. */
function patterned(size: number, seed: number): Buffer {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) buffer.writeUInt32LE(((i + seed) * 2654435761) >>> 0, i);
  return buffer;
}

/** The incomplete multipart uploads of one key, straight from the server. */
async function uploadsOf(bucket: string, key: string): Promise<string[]> {
  const page = await testClient().send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  return (page.Uploads ?? []).filter((upload) => upload.Key === key).map((upload) => upload.UploadId!);
}

let proxy: FaultProxy;
let endpoint: string;

beforeAll(async () => {
  proxy = new FaultProxy(inject('s3').endpoint, 11);
  endpoint = await proxy.start();
});
afterAll(async () => {
  await proxy.close();
});

function options(source: string, target: string, extra: Partial<SyncOptions> = {}): SyncOptions {
  const s3 = inject('s3');
  return {
    source,
    target,
    endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    multipartThreshold: 5 * MiB,
    partSize: 5 * MiB,
    ...extra,
  } as SyncOptions;
}

describe('a file rewritten during its multipart upload, its mtime put back', () => {
  // Part 3's request reaching the proxy is the window: parts 1–3 were read from the old content,
  // parts 4–8 would be read from the new. The rewrite happens synchronously in the rule's check.
  it.each([
    ['in place', (path: string, content: Buffer) => writeFileSync(path, content)],
    [
      'replaced by a rename',
      (path: string, content: Buffer) => {
        writeFileSync(`${path}.new`, content);
        renameSync(`${path}.new`, path);
      },
    ],
  ])('%s: the object is the new file byte for byte, never a mix', async (_how, rewrite) => {
    const bucket = await createTestBucket('torn');
    const root = await tempDir('torn');
    const path = join(root, 'big.bin');
    await writeFile(path, patterned(40 * MiB, 1));
    // A whole second, as `touch -d` sets it, so that putting it back restores it exactly.
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    await utimes(path, mtime, mtime);
    const fresh = patterned(40 * MiB, 2);
    let rewritten = false;
    proxy.setRules([
      {
        when: (r) => {
          if (!rewritten && r.operation === 'UploadPart' && r.query.get('partNumber') === '3') {
            rewritten = true;
            rewrite(path, fresh);
            utimesSync(path, mtime, mtime);
          }
          return false;
        },
        fault: { kind: 'delay', ms: 0 },
      },
    ]);
    const summary = await createSyncer(options(root, `s3://${bucket}`, { queueSize: 1 })).run();
    proxy.setRules([]);
    expect(rewritten).toBe(true);
    expect(statSync(path).mtimeMs).toBe(mtime.getTime());
    expect(summary.failedCount).toBe(0);
    expect((await getObjectBytes(bucket, 'big.bin')).equals(fresh)).toBe(true);
    expect(await uploadsOf(bucket, 'big.bin')).toEqual([]);
  });

  it('a resumed upload notices the file was rewritten with its mtime put back, and starts afresh', async () => {
    const bucket = await createTestBucket('torn-resume');
    const root = await tempDir('torn-resume');
    const path = join(root, 'big.bin');
    const old = patterned(12 * MiB, 3);
    await writeFile(path, old);
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    await utimes(path, mtime, mtime);
    const state = memoryStore();
    const controller = new AbortController();
    // The first run stops with parts 1 and 2 sent and recorded.
    proxy.setRules([{ when: (r) => r.operation === 'UploadPart' && r.query.get('partNumber') === '3', fault: { kind: 'hang' } }]);
    const first = createSyncer(options(root, `s3://${bucket}`, { state, queueSize: 1 }));
    first.on('progress', ({ loaded }) => loaded >= 10 * MiB && controller.abort(new Error('stop')));
    await expect(first.run({ signal: controller.signal })).rejects.toThrow('stop');
    proxy.setRules([]);
    const recorded = await state.get<UploadRecord>(uploadStateKey(bucket, 'big.bin'));
    expect(Object.keys(recorded?.parts ?? {})).toHaveLength(2);

    // Same size, same first and last 64 KiB (the fingerprint), same mtime: only the middle differs.
    const fresh = Buffer.from(old);
    patterned(2 * MiB, 4).copy(fresh, 6 * MiB);
    await writeFile(path, fresh);
    await utimes(path, mtime, mtime);
    proxy.log.length = 0;
    const summary = await createSyncer(options(root, `s3://${bucket}`, { state })).run();
    expect(summary.failedCount).toBe(0);
    expect(proxy.seen('UploadPart')).toHaveLength(3); // nothing kept
    expect((await getObjectBytes(bucket, 'big.bin')).equals(fresh)).toBe(true);
    expect(await uploadsOf(bucket, 'big.bin')).toEqual([]);
  });
});

describe('two syncs of the same file to the same key with one state file', () => {
  it('both end without a crash, the object is the file, and no upload is left unrecorded', async () => {
    const bucket = await createTestBucket('race');
    const root = await tempDir('race');
    const stateFile = join(await tempDir('race-state'), 'state.json');
    for (let trial = 0; trial < 3; trial++) {
      const content = patterned(62 * MiB, 5 + trial); // 13 parts of 5 MiB, new content each trial
      await writeFile(join(root, 'big.bin'), content);
      const runs = [0, 1].map((i) =>
        createSyncer(options(root, `s3://${bucket}`, { state: jsonFileStore(stateFile) }))
          .run()
          .then(
            (summary) => ({ summary, error: undefined, i }),
            (error: unknown) => ({ summary: undefined, error, i }),
          ),
      );
      const results = await Promise.all(runs);
      for (const result of results) {
        expect(result.error).toBeUndefined();
        expect(result.summary?.failures).toEqual([]);
      }
      expect((await getObjectBytes(bucket, 'big.bin')).equals(content)).toBe(true);
      const recorded = (await jsonFileStore(stateFile).get<UploadRecord>(uploadStateKey(bucket, 'big.bin')))?.uploadId;
      expect((await uploadsOf(bucket, 'big.bin')).filter((uploadId) => uploadId !== recorded)).toEqual([]);
    }
  });
});

describe('two s3kit processes syncing the same file to the same key with one state file', () => {
  it('both exit 0, the object is the file, and no upload is left unrecorded', async () => {
    const bucket = await createTestBucket('race-cli');
    const root = await tempDir('race-cli');
    const stateFile = join(await tempDir('race-cli-state'), 'state.json');
    const flags = ['--endpoint-url', inject('s3').endpoint, '--state-file', stateFile, '--multipart-threshold', '5MB', '--part-size', '5MB'];
    for (let trial = 0; trial < 3; trial++) {
      const content = patterned(62 * MiB, 20 + trial);
      await writeFile(join(root, 'big.bin'), content);
      const results = await Promise.all([0, 1].map(() => s3kit(['sync', root, `s3://${bucket}`, ...flags])));
      expect(results.map((result) => [result.code, result.stderr])).toEqual([
        [0, ''],
        [0, ''],
      ]);
      expect((await getObjectBytes(bucket, 'big.bin')).equals(content)).toBe(true);
      const recorded = (await jsonFileStore(stateFile).get<UploadRecord>(uploadStateKey(bucket, 'big.bin')))?.uploadId;
      expect((await uploadsOf(bucket, 'big.bin')).filter((uploadId) => uploadId !== recorded)).toEqual([]);
    }
  });
});

describe('an interrupted or failed upload leaves no upload behind unless it is recorded', () => {
  const delays = [5, 10, 15, 20, 30, 45, 60, 80, 110, 150];

  async function interrupted(bucket: string, root: string, delay: number, state: StateStore | undefined): Promise<void> {
    const run = createSyncer(options(root, `s3://${bucket}`, { state })).run({ signal: AbortSignal.timeout(delay) });
    await run.then(
      () => undefined,
      () => undefined,
    );
    // A request the SDK gave up on may still reach the server: give it the time to.
    await sleep(300);
  }

  it('aborted at 5..150 ms without a state store: no incomplete upload under the key', async () => {
    const bucket = await createTestBucket('abort-run');
    const root = await tempDir('abort-run');
    await writeFile(join(root, 'big.bin'), patterned(20 * MiB, 6));
    const left: Record<number, number> = {};
    for (const delay of delays) {
      await interrupted(bucket, root, delay, undefined);
      const uploads = await uploadsOf(bucket, 'big.bin');
      if (uploads.length > 0) left[delay] = uploads.length;
    }
    expect(left).toEqual({});
  });

  it('aborted at 5..150 ms with a state store: every incomplete upload is recorded', async () => {
    const bucket = await createTestBucket('abort-run-state');
    const root = await tempDir('abort-run-state');
    await writeFile(join(root, 'big.bin'), patterned(20 * MiB, 7));
    const state = memoryStore();
    const unrecorded: Record<number, string[]> = {};
    for (const delay of delays) {
      await interrupted(bucket, root, delay, state);
      const record = await state.get<UploadRecord>(uploadStateKey(bucket, 'big.bin'));
      const stray = (await uploadsOf(bucket, 'big.bin')).filter((uploadId) => uploadId !== record?.uploadId);
      if (stray.length > 0) unrecorded[delay] = stray;
    }
    expect(unrecorded).toEqual({});
  });

  it.each([
    ['a 403 on a part', { kind: 'status', status: 403, code: 'AccessDenied' } as const],
    ['a connection reset in a part', { kind: 'cut-request-body', afterBytes: MiB } as const],
  ])('%s: no incomplete upload is left', async (_what, fault) => {
    const bucket = await createTestBucket('part-fails');
    const root = await tempDir('part-fails');
    // Two big files side by side: one fails, the other is in flight when the run stops.
    await writeFile(join(root, 'a.bin'), patterned(20 * MiB, 8));
    await writeFile(join(root, 'b.bin'), patterned(20 * MiB, 9));
    proxy.setRules([{ when: (r) => r.operation === 'UploadPart' && r.key.endsWith('a.bin'), fault }]);
    const summary = await createSyncer(options(root, `s3://${bucket}`, { retries: 0 }))
      .run()
      .catch(() => undefined);
    proxy.setRules([]);
    await sleep(300);
    expect(summary === undefined || summary.failedCount > 0).toBe(true);
    expect(await uploadsOf(bucket, 'a.bin')).toEqual([]);
    expect(await uploadsOf(bucket, 'b.bin')).toEqual([]);
  });

  it('a CreateMultipartUpload whose answer is lost after the server applied it leaves no upload behind', async () => {
    const bucket = await createTestBucket('lost-create');
    const root = await tempDir('lost-create');
    const content = patterned(12 * MiB, 10);
    await writeFile(join(root, 'big.bin'), content);
    proxy.setRules([{ when: (r) => r.operation === 'CreateMultipartUpload', fault: { kind: 'drop-response' }, times: 1 }]);
    proxy.log.length = 0;
    const summary = await createSyncer(options(root, `s3://${bucket}`)).run();
    proxy.setRules([]);
    expect(proxy.seen('CreateMultipartUpload').length).toBeGreaterThanOrEqual(2);
    expect(summary.failedCount).toBe(0);
    expect((await getObjectBytes(bucket, 'big.bin')).equals(content)).toBe(true);
    expect(await uploadsOf(bucket, 'big.bin')).toEqual([]);
  });
});
