import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv, s3kit } from '../helpers/cli.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/files.js';
import { connection, createTestBucket, putObject, testClient } from '../helpers/s3.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

describe('kill -9 during a restore', () => {
  it('leaves no partial file at a destination path, and a plain re-run restores byte for byte', async () => {
    const bucket = await createTestBucket('restore-kill');
    await testClient().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const old = randomBytes(4 * 1024 * 1024);
    await putObject(bucket, 'p/large.bin', old);
    await putObject(bucket, 'p/small.txt', 'small, then');
    await sleep(60);
    const at = new Date().toISOString();
    await sleep(60);
    await putObject(bucket, 'p/large.bin', 'replaced later');
    const target = await tempDir('restore-kill');

    // The proxy sends the first MiB of the old version, then holds the rest: the kill lands mid-file.
    const proxy = new FaultProxy(connection().endpoint);
    const endpoint = await proxy.start();
    try {
      proxy.setRules([{ when: (request) => request.operation === 'GetObject' && request.key === 'p/large.bin', fault: { kind: 'stall-response-body', afterBytes: 1024 * 1024 } }]);
      const child = spawn(process.execPath, [BIN, 'restore', `s3://${bucket}/p`, target, '--at', at], { env: cliEnv({ AWS_ENDPOINT_URL: endpoint }) });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
      let partial: string | undefined;
      for (let i = 0; i < 1000 && partial === undefined; i++) {
        await sleep(10);
        for (const name of await readdir(target).catch(() => [] as string[])) {
          // A temp file renamed into place between the listing and lstat is not the one held.
          const size = await lstat(join(target, name)).then((stats) => stats.size, () => 0);
          if (size >= 1024 * 1024) partial = name;
        }
      }
      expect(partial).toMatch(/^\.s3kit-[0-9a-f]{12}\.part$/);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      await proxy.close();
    }
    // Whatever the kill left is hidden temp files: no destination path holds part of a version.
    for (const name of await readdir(target)) {
      if (name.startsWith('.s3kit-')) continue;
      expect(name).toBe('small.txt');
      expect(await readFile(join(target, name), 'utf8')).toBe('small, then');
    }
    const again = await s3kit(['restore', `s3://${bucket}/p`, target, '--at', at]);
    expect(again.code, again.stderr).toBe(0);
    expect(md5(await readFile(join(target, 'large.bin')))).toBe(md5(old));
    expect(await readFile(join(target, 'small.txt'), 'utf8')).toBe('small, then');
  });
});
