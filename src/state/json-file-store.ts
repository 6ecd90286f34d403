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

/** One queued change: applied to the entries read under the lock, in call order. */
interface QueuedChange {
  /** Changes `entries` in place; returns whether it changed anything and what the caller gets. */
  readonly apply: (entries: Record<string, unknown>) => { readonly changed: boolean; readonly result: unknown };
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** A JSON copy: values go in and out as JSON, and callers never share objects with the store. */
function jsonCopy(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/**
 * A {@link StateStore} in one JSON file. Changes lock the file (a lock directory beside it; a
 * stale lock from a killed process is detected and taken over), re-read it, apply the change and
 * write it atomically (temp file + rename + fsync, never a torn file), so several processes can
 * share one state file without losing each other's updates. Within one store, changes made while
 * a write is under way are queued and written together, in call order, under one lock: each
 * `set`, `delete` and `update` resolves once the write that holds its change is done.
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

  // Every part of a multipart upload records its progress. With one lock and one rewrite of the
  // whole file per change, concurrent changes of one process queued on the lock's retry backoff
  // (about 4 s for 20). They queue here instead: one drain at a time takes the lock, then takes
  // the whole queue, so a burst costs one read and one write.
  let queue: QueuedChange[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        let batch: QueuedChange[] = [];
        let outcomes: ({ readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: unknown })[];
        try {
          outcomes = await locked(async () => {
            // Taken once the lock is held: changes queued while it was awaited join this write.
            batch = queue;
            queue = [];
            const entries = await read();
            let changed = false;
            const applied = batch.map((change) => {
              try {
                const outcome = change.apply(entries);
                changed ||= outcome.changed;
                return { ok: true as const, result: outcome.result };
              } catch (error) {
                return { ok: false as const, error };
              }
            });
            if (changed) await write(entries);
            return applied;
          });
        } catch (error) {
          // The lock, the read or the write failed: no change of the batch is known to be on
          // disk. If the lock was never held, the changes that waited for it fail with it.
          if (batch.length === 0) {
            batch = queue;
            queue = [];
          }
          for (const change of batch) change.reject(error);
          continue;
        }
        outcomes.forEach((outcome, i) => (outcome.ok ? batch[i]!.resolve(outcome.result) : batch[i]!.reject(outcome.error)));
      }
    } finally {
      draining = false;
    }
  }

  function enqueue<R>(apply: QueuedChange['apply']): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      queue.push({ apply, resolve: resolve as (result: unknown) => void, reject });
      if (!draining) void drain();
    });
  }

  return {
    async get<T>(key: string) {
      return (await read())[key] as T | undefined;
    },
    async set(key, value) {
      // Copied now: what is written is the value at the call, whatever the caller does next.
      const copy = value === undefined ? undefined : jsonCopy(value);
      await enqueue<void>((entries) => {
        if (copy === undefined) {
          if (!(key in entries)) return { changed: false, result: undefined };
          delete entries[key];
        } else {
          entries[key] = copy;
        }
        return { changed: true, result: undefined };
      });
    },
    async delete(key) {
      await enqueue<void>((entries) => {
        if (!(key in entries)) return { changed: false, result: undefined };
        delete entries[key];
        return { changed: true, result: undefined };
      });
    },
    async keys(prefix = '') {
      return Object.keys(await read())
        .filter((key) => key.startsWith(prefix))
        .sort();
    },
    async update<T>(key: string, change: (current: T | undefined) => T | undefined) {
      return enqueue<T | undefined>((entries) => {
        // A copy: a change that edits what it is given and then throws leaves the batch intact.
        const current = key in entries ? (jsonCopy(entries[key]) as T) : undefined;
        const next = change(current);
        if (next === undefined) {
          // Not JSON (JSON.stringify(undefined) is undefined): the key stays absent.
          if (!(key in entries)) return { changed: false, result: next };
          delete entries[key];
        } else {
          entries[key] = jsonCopy(next);
        }
        return { changed: true, result: next };
      });
    },
  };
}
