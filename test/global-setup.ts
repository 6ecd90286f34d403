import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
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
    /**
     * A second, separate S3 server with other credentials, for copies between services. With
     * S3KIT_TEST_ENDPOINT it comes from S3KIT_TEST_ENDPOINT_B (+ _ACCESS_KEY_B, _SECRET_KEY_B).
     */
    s3b: TestS3 | undefined;
  }
}

/**
 * Starts radosgw once per test run on free loopback ports (or uses the S3 given by
 * S3KIT_TEST_ENDPOINT, S3KIT_TEST_ACCESS_KEY, S3KIT_TEST_SECRET_KEY, S3KIT_TEST_REGION) and
 * stops it by PID at the end.
 */
const script = join(import.meta.dirname, '..', 'scripts', 's3-server.sh');

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
    const endpointB = process.env.S3KIT_TEST_ENDPOINT_B;
    project.provide(
      's3b',
      endpointB
        ? {
            endpoint: endpointB,
            accessKeyId: requireEnv('S3KIT_TEST_ACCESS_KEY_B'),
            secretAccessKey: requireEnv('S3KIT_TEST_SECRET_KEY_B'),
            region: process.env.S3KIT_TEST_REGION ?? 'us-east-1',
            other: undefined,
          }
        : undefined,
    );
    return async () => {};
  }
  // Two separate clusters, started side by side: the second one, with other credentials, is
  // the "other service" of S3 → S3 streaming copies.
  await run('bash', [script, 'install'], { timeout: 600_000 }); // once, before two starts race for apt
  // A cluster's first start on a busy machine sometimes fails (the mon answering EPERM to the
  // first commands); a second try on fresh ports and directories has always worked.
  // All four ports are taken at once, so the two clusters never get the same one.
  const ports = await freePorts(4);
  const [a, b] = await Promise.all([
    startWithRetry('test', 'testsecret', ports.slice(0, 2)),
    startWithRetry('test-b', 'testsecret-b', ports.slice(2)),
  ]).catch(async (error: unknown) => {
    await stopAll();
    throw error;
  });
  project.provide('s3', { ...a, other: { accessKeyId: 'other', secretAccessKey: 'othersecret' } });
  project.provide('s3b', { ...b, other: undefined });
  return stopAll;
}

const started: NodeJS.ProcessEnv[] = [];

async function startServer(accessKeyId: string, secretAccessKey: string, [monPort, rgwPort]: number[]): Promise<Omit<TestS3, 'other'>> {
  const dir = await mkdtemp(join(tmpdir(), 's3kit-test-ceph-'));
  await rm(dir, { recursive: true }); // the script wants to create it
  const env = {
    ...process.env,
    S3KIT_CEPH_DIR: dir,
    S3KIT_MON_PORT: String(monPort),
    S3KIT_RGW_PORT: String(rgwPort),
    S3KIT_ACCESS_KEY: accessKeyId,
    S3KIT_SECRET_KEY: secretAccessKey,
    S3KIT_OTHER_ACCESS_KEY: `other${accessKeyId === 'test' ? '' : '-b'}`,
    S3KIT_OTHER_SECRET_KEY: `othersecret${accessKeyId === 'test' ? '' : '-b'}`,
  };
  started.push(env);
  try {
    await run('bash', [script, 'start'], { env, timeout: 300_000 });
  } catch (error) {
    throw new Error(`Could not start the radosgw test server: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
  return { endpoint: `http://127.0.0.1:${rgwPort}`, accessKeyId, secretAccessKey, region: 'us-east-1' };
}

async function startWithRetry(accessKeyId: string, secretAccessKey: string, ports: number[]): Promise<Omit<TestS3, 'other'>> {
  try {
    return await startServer(accessKeyId, secretAccessKey, ports);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nTrying once more on other ports.\n`);
    // Ports far from the first ones: the other cluster may be starting on its pair right now.
    const retryPorts = (await freePorts(6)).filter((port) => !ports.includes(port)).slice(0, 2);
    return startServer(accessKeyId, secretAccessKey, retryPorts);
  }
}

async function stopAll(): Promise<void> {
  await Promise.all(started.map((env) => run('bash', [script, 'stop'], { env }).catch(() => {})));
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`S3KIT_TEST_ENDPOINT is set, so ${name} must be set too.`);
  return value;
}

/** `count` distinct free loopback ports: all held open at once, so none is handed out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
