import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHashPool, type HashPool } from '../../src/transfer/hash-pool.js';
import { tempDir } from '../helpers/files.js';

const content = randomBytes(3 * 1024 * 1024 + 777);
const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex');
let path: string;
let fd: number;
let close: () => Promise<void>;

beforeAll(async () => {
  path = join(await tempDir('hash-pool'), 'data.bin');
  await writeFile(path, content);
  const handle = await open(path, 'r');
  fd = handle.fd;
  close = () => handle.close();
});
afterAll(() => close());

const pools: [string, HashPool][] = [
  ['two worker threads', createHashPool(2)],
  ['inline (one core)', createHashPool(0)],
];

describe.each(pools)('hash pool: %s', (_name, pool) => {
  it('gives the MD5 of any range of the file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(content.length), fc.nat(content.length), async (a, b) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        expect((await pool.md5Range(fd, start, end - start)).toString('hex')).toBe(md5(content.subarray(start, end)));
      }),
      { numRuns: 40 },
    );
  });

  it('hashes many ranges at once, each to its own answer', async () => {
    const part = 256 * 1024;
    const starts = Array.from({ length: Math.ceil(content.length / part) }, (_, i) => i * part);
    const digests = await Promise.all(starts.map((start) => pool.md5Range(fd, start, Math.min(part, content.length - start))));
    expect(digests.map((digest) => digest.toString('hex'))).toEqual(starts.map((start) => md5(content.subarray(start, start + part))));
  });

  it('a running MD5 fed consecutive ranges equals the MD5 of the whole', async () => {
    const sequence = pool.sequentialMd5();
    const cuts = [0, 1, 70_000, 1024 * 1024, 2 * 1024 * 1024 + 5, content.length];
    for (let i = 0; i + 1 < cuts.length; i++) sequence.feed(fd, cuts[i]!, cuts[i + 1]! - cuts[i]!);
    const other = pool.sequentialMd5(); // interleaved with another sequence: each keeps its own state
    other.feed(fd, 0, 10);
    expect((await sequence.digest()).toString('hex')).toBe(md5(content));
    expect((await other.digest()).toString('hex')).toBe(md5(content.subarray(0, 10)));
    // Asked again (a caller waiting for it, then reading it): the same digest, not a new empty one.
    expect((await sequence.digest()).toString('hex')).toBe(md5(content));
  });

  it('refuses a range past the end of the file instead of hashing fewer bytes', async () => {
    await expect(pool.md5Range(fd, content.length - 10, 20)).rejects.toThrow(/the file ended at byte/);
    const sequence = pool.sequentialMd5();
    sequence.feed(fd, 0, content.length + 1);
    await expect(sequence.digest()).rejects.toThrow(/the file ended at byte/);
  });

  it('reports an unreadable descriptor', async () => {
    await expect(pool.md5Range(987_654, 0, 10)).rejects.toThrow(/EBADF/);
  });
});

describe('hash pool threads', () => {
  it('never keep a process alive once their work is done', async () => {
    const dir = await tempDir('hash-pool-exit');
    const bundle = join(dir, 'pool.cjs');
    // The current source, bundled as tsup would: the worker's code must survive bundling too.
    await build({
      stdin: { contents: `export { createHashPool } from './src/transfer/hash-pool.ts';`, resolveDir: new URL('../..', import.meta.url).pathname, loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      logLevel: 'silent',
    });
    const script = `
      const { openSync, closeSync } = require('node:fs');
      const { createHashPool } = require(${JSON.stringify(bundle)});
      const fd = openSync(${JSON.stringify(path)}, 'r');
      createHashPool(2).md5Range(fd, 0, 1000).then((digest) => { closeSync(fd); console.log(digest.toString('hex')); });
    `;
    // execFile's timeout kills a process the pool kept alive, failing the test with its signal.
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 15_000 });
    expect(stdout.trim()).toBe(md5(content.subarray(0, 1000)));
  });
});
