import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);

/** The S3 server every integration test talks to. */
export interface TestS3 {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /**
   * A second user of the same server who owns nothing, for access-denied cases. Always there
   * with the local radosgw; with S3KIT_TEST_ENDPOINT, from S3KIT_TEST_OTHER_ACCESS_KEY and
   * S3KIT_TEST_OTHER_SECRET_KEY when set.
   */
  readonly other: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3: TestS3;
  }
}

/**
 * Starts radosgw once per test run on free loopback ports (or uses the S3 given by
 * S3KIT_TEST_ENDPOINT, S3KIT_TEST_ACCESS_KEY, S3KIT_TEST_SECRET_KEY, S3KIT_TEST_REGION) and
 * stops it by PID at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.S3KIT_TEST_ENDPOINT;
  if (given !== undefined && given !== '') {
    project.provide('s3', {
      endpoint: given,
      accessKeyId: requireEnv('S3KIT_TEST_ACCESS_KEY'),
      secretAccessKey: requireEnv('S3KIT_TEST_SECRET_KEY'),
      region: process.env.S3KIT_TEST_REGION ?? 'us-east-1',
      other:
        process.env.S3KIT_TEST_OTHER_ACCESS_KEY && process.env.S3KIT_TEST_OTHER_SECRET_KEY
          ? { accessKeyId: process.env.S3KIT_TEST_OTHER_ACCESS_KEY, secretAccessKey: process.env.S3KIT_TEST_OTHER_SECRET_KEY }
          : undefined,
    });
    return async () => {};
  }
  const dir = await mkdtemp(join(tmpdir(), 's3kit-test-ceph-'));
  await rm(dir, { recursive: true }); // the script wants to create it
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    S3KIT_CEPH_DIR: dir,
    S3KIT_MON_PORT: String(monPort),
    S3KIT_RGW_PORT: String(rgwPort),
    S3KIT_ACCESS_KEY: 'test',
    S3KIT_SECRET_KEY: 'testsecret',
    S3KIT_OTHER_ACCESS_KEY: 'other',
    S3KIT_OTHER_SECRET_KEY: 'othersecret',
  };
  const script = join(import.meta.dirname, '..', 'scripts', 's3-server.sh');
  const stop = async (): Promise<void> => {
    await run('bash', [script, 'stop'], { env });
  };
  try {
    await run('bash', [script, 'start'], { env, timeout: 300_000 });
  } catch (error) {
    await stop().catch(() => {});
    throw new Error(`Could not start the radosgw test server: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
  project.provide('s3', {
    endpoint: `http://127.0.0.1:${rgwPort}`,
    accessKeyId: 'test',
    secretAccessKey: 'testsecret',
    region: 'us-east-1',
    other: { accessKeyId: 'other', secretAccessKey: 'othersecret' },
  });
  return stop;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`S3KIT_TEST_ENDPOINT is set, so ${name} must be set too.`);
  return value;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
