import { spawn } from 'node:child_process';
import { readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv, s3kit } from '../helpers/cli.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { connection, createTestBucket, getObjectBytes, listObjects, putObject, testClient } from '../helpers/s3.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function localContents(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (!entry.name.startsWith('.s3kit-')) out[relative(root, path)] = await readFile(path, 'utf8');
    }
  };
  await walk(root);
  return out;
}

async function remoteContents(bucket: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of (await listObjects(bucket, 'data/')).keys()) out[key.slice('data/'.length)] = (await getObjectBytes(bucket, key)).toString('utf8');
  return out;
}

const sorted = (record: Record<string, string>): [string, string][] => Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1));

describe('kill -9 during a bisync', () => {
  // Where the run is held when it is killed: an upload (copies half done) or the delete phase.
  it.each([
    ['during the copies', 'PutObject', 'data/up-5.txt'],
    ['during the deletes', 'DeleteObjects', undefined],
  ])('%s: a plain re-run (no --resync) converges, with each conflict copy made once', async (_when, operation, key) => {
    const bucket = await createTestBucket('bisync-kill');
    const local = await tempDir('bisync-kill');
    const state = await tempDir('bisync-kill-state');
    const remote = `s3://${bucket}/data`;
    const base: Record<string, string> = {};
    for (let i = 0; i < 8; i++) {
      base[`up-${i}.txt`] = `up ${i}`;
      base[`down-${i}.txt`] = `down ${i}`;
      base[`gone-${i}.txt`] = `gone ${i}`;
    }
    base['both.txt'] = 'both';
    await writeTree(local, base);
    // Every run goes through the proxy: a pair's baseline is keyed by the endpoint too.
    const proxy = new FaultProxy(connection().endpoint);
    const endpoint = await proxy.start();
    const env = cliEnv({ AWS_ENDPOINT_URL: endpoint });
    const first = await s3kit(['bisync', local, remote, '--resync', '--state-dir', state], { env });
    expect(first.code, first.stderr).toBe(0);

    const want: Record<string, string> = { 'both.txt': 'both from path1', 'both.conflict-path2-DAY.txt': 'both from path2!' };
    for (let i = 0; i < 8; i++) {
      await writeFile(join(local, `up-${i}.txt`), `up ${i} edited locally`);
      want[`up-${i}.txt`] = `up ${i} edited locally`;
      await putObject(bucket, `data/down-${i}.txt`, `down ${i} edited remotely`);
      want[`down-${i}.txt`] = `down ${i} edited remotely`;
      await unlink(join(local, `gone-${i}.txt`));
    }
    await writeFile(join(local, 'both.txt'), 'both from path1');
    await putObject(bucket, 'data/both.txt', 'both from path2!');

    try {
      proxy.setRules([{ when: (request) => request.operation === operation && (key === undefined || request.key === key), fault: { kind: 'hang' } }]);
      const child = spawn(process.execPath, [BIN, 'bisync', local, remote, '--state-dir', state, '--max-delete', '100%', '--concurrency', '2'], {
        env,
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
      for (let i = 0; i < 1500 && proxy.seen(operation).filter((seen) => key === undefined || seen.key === key).length === 0; i++) await sleep(10);
      expect(proxy.seen(operation).length, output).toBeGreaterThan(0);
      await sleep(300);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      proxy.setRules([]);
    }

    const again = await s3kit(['bisync', local, remote, '--state-dir', state, '--max-delete', '100%'], { env });
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    const day = new Date().toISOString().slice(0, 10);
    const expected = Object.fromEntries(Object.entries(want).map(([k, v]) => [k.replace('DAY', day), v]));
    expect(sorted(await localContents(local))).toEqual(sorted(expected));
    expect(sorted(await remoteContents(bucket))).toEqual(sorted(expected));
    // And a run after that has nothing to do.
    const quiet = await s3kit(['bisync', local, remote, '--state-dir', state, '--json'], { env });
    await proxy.close();
    expect(quiet.code, quiet.stderr).toBe(0);
    const summary = JSON.parse(quiet.stdout.trim().split('\n').at(-1)!) as { copiedToPath1: { count: number }; copiedToPath2: { count: number }; conflictCount: number };
    expect([summary.copiedToPath1.count, summary.copiedToPath2.count, summary.conflictCount]).toEqual([0, 0, 0]);
  });
});
