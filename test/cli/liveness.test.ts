import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncer, ListingError } from 's3kit';
import { BIN, cliEnv } from '../helpers/cli.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { silentEndpoint, stallingEndpoint, type HostileEndpoint } from '../helpers/hostile-endpoints.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { connection, createTestBucket, incompleteUploads, listObjects } from '../helpers/s3.js';
import { inject } from 'vitest';

interface Timed {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From the start (or from the signal, when one was sent) to the exit. */
  readonly ms: number;
}

/** Runs the built bin; optionally sends `signal` after `signalAfterMs`; kills it after `killAfterMs` whatever happens. */
function runTimed(args: readonly string[], env: Record<string, string>, options: { signal?: NodeJS.Signals; signalAfterMs?: number; killAfterMs: number }): Promise<Timed> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    let from = performance.now();
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const signalTimer =
      options.signal === undefined
        ? undefined
        : setTimeout(() => {
            from = performance.now();
            child.kill(options.signal);
          }, options.signalAfterMs ?? 0);
    const killTimer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    child.on('close', (code) => {
      clearTimeout(signalTimer);
      clearTimeout(killTimer);
      resolve({ code, stdout, stderr, ms: performance.now() - from });
    });
  });
}

let silent: HostileEndpoint;
let stalling: HostileEndpoint;
beforeAll(async () => {
  silent = await silentEndpoint();
  stalling = await stallingEndpoint();
});
afterAll(async () => {
  await silent.close();
  await stalling.close();
});

describe('timeouts', () => {
  it('a silent endpoint fails the sync with a message naming the timeout and the endpoint (exit 4)', async () => {
    const root = await tempDir('silent');
    await writeTree(root, { 'a.txt': 'a' });
    const result = await runTimed(['sync', root, 's3://bucket-x/p', '--endpoint-url', silent.url, '--timeout', '1s', '--connect-timeout', '1s'], cliEnv(), {
      killAfterMs: 40_000,
    });
    expect(result.code).toBe(4);
    expect(result.ms).toBeLessThan(30_000);
    expect(result.stderr).toMatch(/no answer/i);
    expect(result.stderr).toContain(silent.url);
    expect(result.stderr).toMatch(/--timeout/);
  });

  it('the library fails a listing against a silent endpoint with a ListingError after timeoutMs (retried)', async () => {
    const root = await tempDir('silent-lib');
    await writeTree(root, { 'a.txt': 'a' });
    const started = performance.now();
    const error = await createSyncer({ ...connection(), endpoint: silent.url, source: root, target: 's3://bucket-x/p', timeoutMs: 500, connectTimeoutMs: 500 })
      .run()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ListingError);
    expect((error as ListingError).message).toMatch(/timeoutMs/);
    expect((error as ListingError).message).not.toMatch(/--timeout/); // the library names options, not flags
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(silent.connections()).toBeGreaterThan(1); // retried
  });

  it('a source on another service gets the same timeouts as the target', async () => {
    const dest = await tempDir('silent-source');
    const started = performance.now();
    const error = await createSyncer({ ...connection(), source: 's3://bucket-x/p', target: dest, sourceConnection: { endpoint: silent.url }, timeoutMs: 500, connectTimeoutMs: 500 })
      .run()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ListingError);
    expect((error as ListingError).side).toBe('source');
    expect((error as ListingError).message).toMatch(/within 0\.5 s/);
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('a server that stops reading the body mid-upload fails that file after the idle timeout, and leaves no upload behind', async () => {
    const s3 = inject('s3');
    const proxy = new FaultProxy(s3.endpoint);
    const endpoint = await proxy.start();
    try {
      proxy.setRules([{ when: (request) => request.operation === 'UploadPart' || request.operation === 'PutObject', fault: { kind: 'stall-request-body' } }]);
      const bucket = await createTestBucket('stall');
      const root = await tempDir('stall');
      await writeFile(join(root, 'big.bin'), Buffer.alloc(12 * 1024 * 1024, 7));
      const result = await runTimed(
        ['sync', root, `s3://${bucket}`, '--endpoint-url', endpoint, '--timeout', '1s', '--part-size', '5MB', '--multipart-threshold', '5MB', '--no-resume'],
        cliEnv(),
        { killAfterMs: 90_000 },
      );
      expect(result.code).toBe(1);
      expect(result.ms).toBeLessThan(80_000);
      expect(result.stderr).toMatch(/big\.bin/);
      expect(result.stderr).toMatch(/no answer|idle/i);
      expect(await listObjects(bucket)).toEqual(new Map());
      expect(await incompleteUploads(bucket)).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});

describe('signals', () => {
  const commands: [string, (root: string, config: string) => string[]][] = [
    ['sync', (root) => ['sync', root, 's3://bucket-x/p']],
    ['plan', (root) => ['plan', root, 's3://bucket-x/p']],
    ['doctor', (_root, config) => ['doctor', '--config', config]],
    ['run', (_root, config) => ['run', '--config', config, '--date', '2025-01-15']],
    ['uploads list', () => ['uploads', 'list', 's3://bucket-x/p']],
    ['uploads abort', () => ['uploads', 'abort', 's3://bucket-x/p', '--older-than', '1d']],
  ];
  let root: string;
  let config: string;
  beforeAll(async () => {
    root = await tempDir('signals');
    await writeTree(root, { 'a.txt': 'a' });
    config = join(root, 's3kit.yaml');
    await writeFile(
      config,
      `jobs:\n  - name: nightly\n    source: ${root}\n    target: s3://bucket-x/nightly\n    strategy:\n      type: FullDirectory\n`,
    );
  });

  for (const [name, args] of commands) {
    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const) {
      it(`${name} ends within seconds of the first ${signal} while an endpoint is silent (exit ${code})`, async () => {
        // Default timeouts: only the signal can end the command this quickly.
        const env = cliEnv({ AWS_ENDPOINT_URL: silent.url });
        const result = await runTimed(args(root, config), env, { signal, signalAfterMs: 1500, killAfterMs: 30_000 });
        expect(result.code).toBe(code);
        expect(result.ms).toBeLessThan(8_000);
      });
    }
  }
});

describe('Ctrl-C while CreateMultipartUpload is slow to answer', () => {
  it('exits 130 within the grace and leaves no upload that is not recorded', async () => {
    const s3 = inject('s3');
    const proxy = new FaultProxy(s3.endpoint);
    const endpoint = await proxy.start();
    try {
      proxy.setRules([{ when: (request) => request.operation === 'CreateMultipartUpload', fault: { kind: 'delay-response', ms: 8_000 } }]);
      const bucket = await createTestBucket('slow-cmu');
      const root = await tempDir('slow-cmu');
      await writeFile(join(root, 'big.bin'), Buffer.alloc(20 * 1024 * 1024, 3));
      const stateFile = join(await tempDir('slow-cmu-state'), 'state.json');
      const result = await runTimed(['sync', root, `s3://${bucket}`, '--endpoint-url', endpoint, '--state-file', stateFile], cliEnv(), {
        signal: 'SIGINT',
        signalAfterMs: 1_500,
        killAfterMs: 30_000,
      });
      expect(result.code).toBe(130);
      expect(result.ms).toBeLessThan(8_000);
      const { readFile } = await import('node:fs/promises');
      const recorded = await readFile(stateFile, 'utf8').catch(() => '');
      const { ListMultipartUploadsCommand } = await import('@aws-sdk/client-s3');
      const { testClient } = await import('../helpers/s3.js');
      const open = (await testClient().send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];
      for (const upload of open) expect(recorded).toContain(upload.UploadId!);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

describe('exit codes', () => {
  it('a listing that keeps failing with 5xx exits 4 (the service failed), not 2 (usage)', async () => {
    const s3 = inject('s3');
    const proxy = new FaultProxy(s3.endpoint);
    const endpoint = await proxy.start();
    try {
      proxy.setRules([{ when: (request) => request.operation === 'ListObjectsV2', fault: { kind: 'status', status: 500, code: 'InternalError' } }]);
      const bucket = await createTestBucket('list500');
      const root = await tempDir('list500');
      await writeTree(root, { 'a.txt': 'a' });
      const result = await runTimed(['sync', root, `s3://${bucket}`, '--endpoint-url', endpoint], cliEnv(), { killAfterMs: 30_000 });
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(/InternalError|500/);
    } finally {
      await proxy.close();
    }
  });
});
