import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { S3kitError } from '../core/errors.js';
import type { StateStore } from './state-store.js';
import { cannotRead } from '../core/cannot-read.js';

/**
 * Options of {@link jsonFileStore}.
 * @public
 */
export interface JsonFileStoreOptions {
  /**
   * Called when the file is not valid JSON state: it has been renamed to `<file>.corrupt-<time>`
   * (kept for inspection) and the store starts empty.
   */
  readonly onCorrupt?: (event: { readonly path: string; readonly movedTo: string; readonly reason: string }) => void;
  /**
   * A lock older than this (ms) without a refresh belongs to a process that died: it is taken
   * over. Live holders refresh it every `staleMs / 2`.
   * @defaultValue `10000`
   */
  readonly staleMs?: number;
}

interface StateFile {
  readonly s3kitState: 1;
  readonly entries: Record<string, unknown>;
}

/**
 * A {@link StateStore} in one JSON file. Every change locks the file (a lock directory beside
 * it; a stale lock from a killed process is detected and taken over), re-reads it, applies the
 * change and writes it atomically (temp file + rename, never a torn file), so several processes
 * can share one state file without losing each other's updates.
 * @public
 */
export function jsonFileStore(path: string, options: JsonFileStoreOptions = {}): StateStore {
  const staleMs = options.staleMs ?? 10_000;

  async function read(): Promise<Record<string, unknown>> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new S3kitError(`${cannotRead(`the state file ${path}`, error)}.`, { cause: error });
    }
    try {
      const parsed = JSON.parse(text) as Partial<StateFile>;
      if (parsed.s3kitState !== 1 || typeof parsed.entries !== 'object' || parsed.entries === null) throw new Error('not an s3kit state file');
      return parsed.entries;
    } catch (error) {
      const movedTo = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(path, movedTo);
      options.onCorrupt?.({ path, movedTo, reason: error instanceof Error ? error.message : String(error) });
      return {};
    }
  }

  async function locked<T>(work: () => Promise<T>): Promise<T> {
    await mkdir(dirname(path), { recursive: true });
    // The lock needs an existing file to lock: create an empty state if there is none.
    await writeFile(path, JSON.stringify({ s3kitState: 1, entries: {} }), { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const release = await lockfile.lock(path, {
      stale: staleMs,
      update: Math.max(1000, staleMs / 2),
      retries: { retries: 200, minTimeout: 25, maxTimeout: 250 },
      realpath: false,
    });
    try {
      return await work();
    } finally {
      await release();
    }
  }

  async function write(entries: Record<string, unknown>): Promise<void> {
    const file: StateFile = { s3kitState: 1, entries };
    await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
  }

  return {
    async get<T>(key: string) {
      return (await read())[key] as T | undefined;
    },
    async set(key, value) {
      await locked(async () => {
        const entries = await read();
        if (value === undefined) {
          if (!(key in entries)) return;
          delete entries[key];
        } else {
          entries[key] = JSON.parse(JSON.stringify(value)) as unknown;
        }
        await write(entries);
      });
    },
    async delete(key) {
      await locked(async () => {
        const entries = await read();
        if (!(key in entries)) return;
        delete entries[key];
        await write(entries);
      });
    },
    async keys(prefix = '') {
      return Object.keys(await read())
        .filter((key) => key.startsWith(prefix))
        .sort();
    },
    async update<T>(key: string, change: (current: T | undefined) => T | undefined) {
      return locked(async () => {
        const entries = await read();
        const next = change(entries[key] as T | undefined);
        if (next === undefined) {
          // Not JSON (JSON.stringify(undefined) is undefined): the key stays absent.
          if (!(key in entries)) return next;
          delete entries[key];
        } else {
          entries[key] = JSON.parse(JSON.stringify(next)) as unknown;
        }
        await write(entries);
        return next;
      });
    },
  };
}
