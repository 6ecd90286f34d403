import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { jsonFileStore } from '../../src/state/json-file-store.js';
import { memoryStore } from '../../src/state/memory-store.js';
import { updateState, type StateStore } from '../../src/state/state-store.js';
import { tempDir } from '../helpers/files.js';

const run = promisify(execFile);

/** The contract every StateStore driver keeps. */
const drivers: [string, () => Promise<StateStore>][] = [
  ['memoryStore', async () => memoryStore()],
  ['jsonFileStore', async () => jsonFileStore(join(await tempDir('state'), 'nested', 'state.json'))],
];

describe.each(drivers)('StateStore contract: %s', (_name, make) => {
  it('gets what was set, and undefined for what was not', async () => {
    const store = await make();
    expect(await store.get('missing')).toBeUndefined();
    await store.set('a', { n: 1, list: ['x'] });
    expect(await store.get('a')).toEqual({ n: 1, list: ['x'] });
    await store.set('a', 2);
    expect(await store.get('a')).toBe(2);
  });

  it('deletes, quietly when absent', async () => {
    const store = await make();
    await store.set('k', 'v');
    await store.delete('k');
    await store.delete('never-there');
    expect(await store.get('k')).toBeUndefined();
  });

  it('lists keys by prefix, sorted', async () => {
    const store = await make();
    for (const key of ['jobs/b', 'runs/last', 'jobs/a']) await store.set(key, key);
    expect(await store.keys!('jobs/')).toEqual(['jobs/a', 'jobs/b']);
    expect(await store.keys!()).toEqual(['jobs/a', 'jobs/b', 'runs/last']);
  });

  it('copies values in and out: callers never share objects with the store', async () => {
    const store = await make();
    const value = { count: 1 };
    await store.set('v', value);
    value.count = 99;
    const read = await store.get<{ count: number }>('v');
    read!.count = 42;
    expect(await store.get('v')).toEqual({ count: 1 });
  });

  it('updates as read-modify-write: concurrent callers lose no update', async () => {
    const store = await make();
    const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    // Eight callers, each awaiting between its steps and mixing plain reads and writes of other
    // keys with its updates, so that their updates genuinely interleave.
    const caller = async (id: number): Promise<void> => {
      for (let round = 0; round < 5; round++) {
        await pause((id * 3 + round * 5) % 4);
        await updateState<number>(store, 'counter', (n) => (n ?? 0) + 1);
        await store.set(`caller/${id}`, round);
        await updateState<string[]>(store, 'seen', (list) => [...(list ?? []), `${id}.${round}`]);
        expect(await store.get(`caller/${id}`)).toBe(round);
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, id) => caller(id)));
    expect(await store.get('counter')).toBe(40);
    const seen = (await store.get<string[]>('seen'))!;
    expect(seen).toHaveLength(40);
    expect(new Set(seen).size).toBe(40);
    // Each caller's own updates in its own order.
    for (let id = 0; id < 8; id++) expect(seen.filter((entry) => entry.startsWith(`${id}.`))).toEqual([0, 1, 2, 3, 4].map((round) => `${id}.${round}`));
  });

  it('an update that returns undefined leaves the key absent, with or without the driver\'s update', async () => {
    const store = await make();
    const withoutUpdate: StateStore = { get: (k) => store.get(k), set: (k, v) => store.set(k, v), delete: (k) => store.delete(k) };
    for (const target of [store, withoutUpdate]) {
      // A record that vanished under a caller stays gone (this was `"undefined" is not valid JSON`).
      expect(await updateState<{ id: string }>(target, 'gone', (current) => (current === undefined ? undefined : { ...current, id: 'x' }))).toBeUndefined();
      expect(await target.get('gone')).toBeUndefined();
      // A conditional removal: only while the record still holds what the caller expects.
      await target.set('mine', { id: 'a' });
      await updateState<{ id: string }>(target, 'mine', (current) => (current?.id === 'b' ? undefined : current));
      expect(await target.get('mine')).toEqual({ id: 'a' });
      await updateState<{ id: string }>(target, 'mine', (current) => (current?.id === 'a' ? undefined : current));
      expect(await target.get('mine')).toBeUndefined();
      await target.set('mine', undefined);
      expect(await target.get('mine')).toBeUndefined();
    }
    expect(await store.keys!()).toEqual([]);
  });
});

describe('jsonFileStore', () => {
  it('writes a readable JSON document and reads it back in a new store', async () => {
    const path = join(await tempDir('state-file'), 'state.json');
    await jsonFileStore(path).set('jobs/x', { ok: true });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ s3kitState: 1, entries: { 'jobs/x': { ok: true } } });
    expect(await jsonFileStore(path).get('jobs/x')).toEqual({ ok: true });
  });

  it('reports a corrupt file and sets it aside instead of replacing it silently', async () => {
    const dir = await tempDir('state-corrupt');
    const path = join(dir, 'state.json');
    await writeFile(path, '{"s3kitState":1,"entries":{"half');
    const reports: string[] = [];
    const store = jsonFileStore(path, { onCorrupt: ({ movedTo, reason }) => reports.push(`${movedTo}|${reason}`) });
    expect(await store.get('anything')).toBeUndefined();
    expect(reports).toHaveLength(1);
    const aside = (await readdir(dir)).find((name) => name.startsWith('state.json.corrupt-'))!;
    expect(await readFile(join(dir, aside), 'utf8')).toBe('{"s3kitState":1,"entries":{"half');
    await store.set('fresh', 1);
    expect(await store.get('fresh')).toBe(1);
  });

  it('takes over a stale lock left by a killed process', async () => {
    const path = join(await tempDir('state-stale'), 'state.json');
    await writeFile(path, JSON.stringify({ s3kitState: 1, entries: {} }));
    // proper-lockfile's lock is a directory beside the file; an old mtime means nobody refreshes it.
    await mkdir(`${path}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, old, old);
    const store = jsonFileStore(path, { staleMs: 5_000 });
    await store.set('after-crash', true);
    expect(await store.get('after-crash')).toBe(true);
  });

  it('loses no update when several processes write the same file at once', async () => {
    const dir = await tempDir('state-procs');
    const path = join(dir, 'state.json');
    // The child processes run this source (bundled now, as tsup would), never a stale dist/.
    const bundle = join(dir, 'store.cjs');
    await build({
      stdin: {
        contents: `export { jsonFileStore } from './src/state/json-file-store.ts'; export { updateState } from './src/state/state-store.ts';`,
        resolveDir: new URL('../..', import.meta.url).pathname,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      logLevel: 'silent',
    });
    const script = `
      const { jsonFileStore, updateState } = require(${JSON.stringify(bundle)});
      (async () => {
        const store = jsonFileStore(process.argv[1]);
        for (let i = 0; i < 25; i++) await updateState(store, 'counter', (n) => (n ?? 0) + 1);
        await updateState(store, 'writers', (list) => [...(list ?? []), process.pid]);
      })();
    `;
    await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, ['-e', script, path])));
    const store = jsonFileStore(path);
    expect(await store.get('counter')).toBe(100);
    expect(await store.get<number[]>('writers')).toHaveLength(4);
  });
});
