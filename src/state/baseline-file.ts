import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BaselineRecord } from '../core/baseline.js';
import { S3kitError } from '../core/errors.js';
import { compareKeys } from '../core/key-order.js';

/*
 * A bisync baseline on disk: one NDJSON line per key in S3 key order, after a header that names
 * the pair it belongs to. It is read as a stream (the planner merges it with both listings; no
 * map of millions of keys in memory) and written as one: records go to a temporary file beside
 * it in key order, and `commit()` makes it the baseline in one rename, keeping the one before as
 * `<file>.prev`. A run killed before the commit leaves the previous baseline in place.
 */

/** The first line of a baseline file. */
export interface BaselineHeader {
  readonly type: 's3kit-bisync-baseline';
  readonly version: 1;
  /** The two locations, as given: a baseline is valid only for its own pair. */
  readonly path1: string;
  readonly path2: string;
  /** A digest of the filters the baseline was made with: changed filters need a resync. */
  readonly filters: string;
  readonly writtenAt: string;
}

const VERSION = 1;

/** Reads the header of a baseline file; undefined when there is none (first run). */
export async function readBaselineHeader(path: string): Promise<BaselineHeader | undefined> {
  for await (const line of lines(path)) return parseHeader(line, path);
  return undefined;
}

/** The records of a baseline file in key order (none when the file does not exist). */
export async function* readBaseline(path: string): AsyncGenerator<BaselineRecord> {
  let number = 0;
  for await (const line of lines(path)) {
    number++;
    if (number === 1) {
      parseHeader(line, path);
      continue;
    }
    if (line === '') continue;
    let record: BaselineRecord;
    try {
      record = JSON.parse(line) as BaselineRecord;
    } catch {
      throw damaged(path, `line ${number} is not JSON`);
    }
    if (typeof record?.key !== 'string' || !isSide(record.path1) || !isSide(record.path2)) throw damaged(path, `line ${number} is not a baseline record`);
    yield record;
  }
}

/**
 * Writes a new baseline beside `path`: `write()` takes records in strictly increasing key order,
 * `commit()` puts the file in place (the old one kept as `<path>.prev`), `discard()` drops it.
 */
export class BaselineWriter {
  readonly #path: string;
  readonly #temporary: string;
  #handle: FileHandle | undefined;
  #buffer: string[] = [];
  #last: string | undefined;

  private constructor(path: string, temporary: string, handle: FileHandle) {
    this.#path = path;
    this.#temporary = temporary;
    this.#handle = handle;
  }

  /** Starts a baseline for the pair; the header is written first. */
  static async create(path: string, header: Omit<BaselineHeader, 'type' | 'version' | 'writtenAt'>): Promise<BaselineWriter> {
    const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(temporary, 'wx');
    const writer = new BaselineWriter(path, temporary, handle);
    const full: BaselineHeader = { type: 's3kit-bisync-baseline', version: VERSION, ...header, writtenAt: new Date().toISOString() };
    writer.#buffer.push(JSON.stringify(full));
    return writer;
  }

  /** Adds a record; keys must come in strictly increasing S3 key order. */
  async write(record: BaselineRecord): Promise<void> {
    if (this.#last !== undefined && compareKeys(this.#last, record.key) >= 0) {
      throw new S3kitError(`internal error: baseline records out of key order (${JSON.stringify(this.#last)} then ${JSON.stringify(record.key)}).`);
    }
    this.#last = record.key;
    this.#buffer.push(JSON.stringify({ key: record.key, path1: record.path1, path2: record.path2 }));
    if (this.#buffer.length >= 1000) await this.#flush();
  }

  /** Makes the written baseline the current one, atomically; the previous becomes `<path>.prev`. */
  async commit(): Promise<void> {
    const handle = this.#open();
    await this.#flush();
    await handle.sync();
    await handle.close();
    this.#handle = undefined;
    await rename(this.#path, `${this.#path}.prev`).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(this.#temporary, this.#path);
  }

  /** Drops what was written; the current baseline stays. */
  async discard(): Promise<void> {
    await this.#handle?.close().catch(() => {});
    this.#handle = undefined;
    await rm(this.#temporary, { force: true });
  }

  async #flush(): Promise<void> {
    if (this.#buffer.length === 0) return;
    const text = `${this.#buffer.join('\n')}\n`;
    this.#buffer = [];
    await this.#open().write(text);
  }

  #open(): FileHandle {
    if (this.#handle === undefined) throw new S3kitError('internal error: the baseline was already committed or discarded.');
    return this.#handle;
  }
}

async function* lines(path: string): AsyncGenerator<string> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const opened = await new Promise<boolean>((resolve, reject) => {
    input.once('open', () => resolve(true));
    input.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? resolve(false) : reject(error)));
  });
  if (!opened) return;
  yield* createInterface({ input, crlfDelay: Infinity });
}

function parseHeader(line: string, path: string): BaselineHeader {
  let header: BaselineHeader;
  try {
    header = JSON.parse(line) as BaselineHeader;
  } catch {
    throw damaged(path, 'the first line is not JSON');
  }
  if (header?.type !== 's3kit-bisync-baseline') throw damaged(path, 'it is not an s3kit bisync baseline');
  if (header.version !== VERSION) throw damaged(path, `version ${String(header.version)} is not supported (this s3kit reads version ${VERSION})`);
  return header;
}

function isSide(value: unknown): boolean {
  const side = value as { size?: unknown; mtimeMs?: unknown } | undefined;
  return typeof side?.size === 'number' && typeof side.mtimeMs === 'number';
}

function damaged(path: string, why: string): S3kitError {
  return new S3kitError(`The bisync baseline ${path} cannot be used: ${why}. Run with resync to rebuild it (the previous one is kept as ${path}.prev).`);
}
