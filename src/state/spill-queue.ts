import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
/** Items held in memory before the rest spill to a temporary file. */
const IN_MEMORY_LIMIT = 10_000;

/**
 * A first-in first-out queue of JSON-serialisable items that is written once and read once:
 * the deletes held back until every transfer has finished, or the transfers of a plan computed
 * in full before any starts. Past {@link IN_MEMORY_LIMIT} items the rest are appended to a
 * temporary NDJSON file, so a mirror that deletes millions of keys keeps memory flat.
 *
 * In state/, where files of s3kit's own are kept: two rooms hold work back with it (a sync, and a
 * restore applying a saved plan); it writes nothing but its own file under the system's temp directory.
 */
export class SpillQueue<T> {
  #memory: T[] = [];
  #spillDir: string | undefined;
  #spillBuffer: string[] = [];
  #count = 0;
  readonly #limit: number;

  constructor(limit = IN_MEMORY_LIMIT) {
    this.#limit = limit;
  }

  get count(): number {
    return this.#count;
  }

  async add(item: T): Promise<void> {
    this.#count++;
    if (this.#memory.length < this.#limit) {
      this.#memory.push(item);
      return;
    }
    this.#spillBuffer.push(JSON.stringify(item));
    if (this.#spillBuffer.length >= 1000) await this.#flush();
  }

  /** Yields every item in the order added. */
  async *items(): AsyncGenerator<T> {
    yield* this.#memory;
    if (this.#spillDir === undefined && this.#spillBuffer.length === 0) return;
    const file = await this.#flush();
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of lines) if (line !== '') yield JSON.parse(line) as T;
  }

  /** Removes the spill file, if any. */
  async dispose(): Promise<void> {
    this.#memory = [];
    this.#spillBuffer = [];
    if (this.#spillDir !== undefined) await rm(this.#spillDir, { recursive: true, force: true });
    this.#spillDir = undefined;
  }

  /** Appends the buffered items to the spill file (created on first use); returns its path. */
  async #flush(): Promise<string> {
    this.#spillDir ??= await mkdtemp(join(tmpdir(), 's3kit-spill-'));
    const file = join(this.#spillDir, 'items.ndjson');
    if (this.#spillBuffer.length === 0) return file;
    const text = `${this.#spillBuffer.join('\n')}\n`;
    this.#spillBuffer = [];
    await appendFile(file, text);
    return file;
  }
}
