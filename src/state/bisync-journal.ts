import { open, rm, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { SideState } from '../core/baseline.js';
import { compareKeys } from '../core/key-order.js';
import { BaselineWriter, readBaseline, readBaselineHeader, type BaselineHeader } from './baseline-file.js';

/*
 * The journal of a bisync run: one NDJSON line per applied operation, appended as each
 * succeeds, beside the baseline (`<baseline>.journal`). The baseline itself is rewritten only at
 * the end of a run, by folding the journal into it; a run killed before that leaves the journal,
 * which the next run folds first, so it resumes from what was really done — no resync, and what
 * failed or never ran is simply planned again.
 */

/** What one applied operation left on both sides of a key; `null` on both: the key is gone from both. */
export interface JournalRecord {
  readonly key: string;
  readonly path1: SideState | null;
  readonly path2: SideState | null;
}

/** Appends records to a journal file, one line each, in the order the operations finished. */
export class BisyncJournal {
  readonly #handle: FileHandle;
  #tail: Promise<void> = Promise.resolve();

  private constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  /** Opens (creating) the journal for appending. */
  static async open(path: string): Promise<BisyncJournal> {
    return new BisyncJournal(await open(path, 'a'));
  }

  /** Appends one record; writes are serialized, each a whole line. */
  append(record: JournalRecord): Promise<void> {
    const line = `${JSON.stringify({ key: record.key, path1: record.path1, path2: record.path2 })}\n`;
    this.#tail = this.#tail.then(() => this.#handle.write(line).then(() => undefined));
    return this.#tail;
  }

  /** Waits for the appends, syncs and closes the file. */
  async close(): Promise<void> {
    await this.#tail.catch(() => {});
    await this.#handle.sync().catch(() => {});
    await this.#handle.close();
  }
}

/**
 * Folds `journalPath` into the baseline at `baselinePath` and removes the journal: the new
 * baseline holds the old records, replaced or removed by the journal's (the last record of a key
 * wins). A line cut short by a kill is ignored (its operation is planned again). Without a
 * journal nothing happens; returns whether there was one. `header` is used when there is no
 * baseline yet. The journal's records are held in memory: as many as operations of one run.
 */
export async function foldJournal(baselinePath: string, journalPath: string, header: Omit<BaselineHeader, 'type' | 'version' | 'writtenAt'>): Promise<boolean> {
  const changes = await readJournal(journalPath);
  if (changes === undefined) return false;
  const existing = await readBaselineHeader(baselinePath);
  const writer = await BaselineWriter.create(baselinePath, existing === undefined ? header : { path1: existing.path1, path2: existing.path2, filters: existing.filters });
  try {
    const keys = [...changes.keys()].sort(compareKeys);
    let next = 0;
    const flushBefore = async (key: string | undefined): Promise<void> => {
      while (next < keys.length && (key === undefined || compareKeys(keys[next]!, key) < 0)) {
        const record = changes.get(keys[next]!)!;
        if (record.path1 !== null && record.path2 !== null) await writer.write({ key: record.key, path1: record.path1, path2: record.path2 });
        next++;
      }
    };
    for await (const record of readBaseline(baselinePath)) {
      await flushBefore(record.key);
      if (next < keys.length && keys[next] === record.key) {
        const change = changes.get(record.key)!;
        if (change.path1 !== null && change.path2 !== null) await writer.write({ key: record.key, path1: change.path1, path2: change.path2 });
        next++;
      } else await writer.write(record);
    }
    await flushBefore(undefined);
    await writer.commit();
  } catch (error) {
    await writer.discard();
    throw error;
  }
  await rm(journalPath, { force: true });
  return true;
}

/** The last record per key of a journal, or undefined when there is no journal. */
async function readJournal(path: string): Promise<Map<string, JournalRecord> | undefined> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const opened = await new Promise<boolean>((resolve, reject) => {
    input.once('open', () => resolve(true));
    input.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? resolve(false) : reject(error)));
  });
  if (!opened) return undefined;
  const changes = new Map<string, JournalRecord>();
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    let record: JournalRecord;
    try {
      record = JSON.parse(line) as JournalRecord;
    } catch {
      continue; // the last line of a killed run may be cut short
    }
    if (typeof record?.key !== 'string' || !isState(record.path1) || !isState(record.path2)) continue;
    changes.set(record.key, record);
  }
  return changes;
}

function isState(value: unknown): boolean {
  if (value === null) return true;
  const side = value as { size?: unknown; mtimeMs?: unknown } | undefined;
  return typeof side?.size === 'number' && typeof side.mtimeMs === 'number';
}
