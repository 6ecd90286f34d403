import { createHash, type Hash } from 'node:crypto';
import { readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/*
 * MD5 is most of a verified transfer's CPU (a 1 GiB download spent 1.7 s of its 4.4 s CPU in
 * hash.update on the main thread, issue 13). Hashing byte ranges of the file on worker threads
 * lets the main thread keep the sockets busy meanwhile. Workers read the ranges back from the
 * file (the page cache, just written or about to be sent) by descriptor, which every thread of
 * the process shares, instead of having each network chunk copied to them: one message per
 * part, not one per 64 KiB chunk. With one core there is no worker and the same reads run inline.
 *
 * The worker's source is a string (`eval`), so bundling s3kit (tsup, or a user's bundler) never
 * loses a separate worker file.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { readSync } = require('node:fs');
const buffer = Buffer.allocUnsafe(1 << 20);
const sequences = new Map();
function feed(hash, fd, start, length) {
  for (let position = start, end = start + length; position < end; ) {
    const read = readSync(fd, buffer, 0, Math.min(buffer.length, end - position), position);
    if (read === 0) throw new Error('the file ended at byte ' + position + ', before ' + end);
    hash.update(buffer.subarray(0, read));
    position += read;
  }
}
parentPort.on('message', (message) => {
  try {
    let value;
    if (message.op === 'range') {
      const hash = createHash('md5');
      feed(hash, message.fd, message.start, message.length);
      value = hash.digest();
    } else if (message.op === 'feed') {
      let hash = sequences.get(message.sequence);
      if (hash === undefined) sequences.set(message.sequence, (hash = createHash('md5')));
      feed(hash, message.fd, message.start, message.length);
    } else {
      const hash = sequences.get(message.sequence) ?? createHash('md5');
      sequences.delete(message.sequence);
      value = hash.digest();
    }
    parentPort.postMessage({ id: message.id, value });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: String((error && error.message) || error) });
  }
});
`;

type Request =
  | { readonly op: 'range'; readonly fd: number; readonly start: number; readonly length: number }
  | { readonly op: 'feed'; readonly sequence: number; readonly fd: number; readonly start: number; readonly length: number }
  | { readonly op: 'digest'; readonly sequence: number };

interface Reply {
  readonly id: number;
  readonly value?: Uint8Array;
  readonly error?: string;
}

interface Pending {
  readonly resolve: (value: Buffer | undefined) => void;
  readonly reject: (error: Error) => void;
}

/** One worker thread, referenced only while it has work, so an idle pool never keeps a process alive. */
class HashWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failed: Error | undefined;

  constructor(onExit: () => void) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true });
    this.#worker.unref();
    this.#worker.on('message', (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      if (pending === undefined) return;
      this.#settled(reply.id);
      if (reply.error !== undefined) pending.reject(new Error(`hashing a file range failed: ${reply.error}`));
      else pending.resolve(reply.value === undefined ? undefined : Buffer.from(reply.value.buffer, reply.value.byteOffset, reply.value.byteLength));
    });
    const fail = (error: Error): void => {
      this.#failed = error;
      for (const [id, pending] of this.#pending) {
        this.#settled(id);
        pending.reject(error);
      }
      onExit();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the hashing worker thread exited (code ${code})`)));
  }

  get load(): number {
    return this.#pending.size;
  }

  run(request: Request): Promise<Buffer | undefined> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }

  #settled(id: number): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
  }
}

/**
 * A running MD5 of consecutive ranges of one file: ranges go in order, each read back from the
 * file once (its part is written), and the digest comes after the last. Kept on one worker,
 * which handles its messages in order.
 */
export interface SequentialMd5 {
  /** Adds `length` bytes of `fd` from `start`, which must follow the previous range. */
  feed(fd: number, start: number, length: number): void;
  /** The MD5 of everything fed (the same answer on every call); rejects if a range could not be read. */
  digest(): Promise<Buffer>;
}

/** MD5s of file ranges, on worker threads where the machine has a spare core. */
export interface HashPool {
  /** The MD5 of `length` bytes of the open file `fd` from `start`. */
  md5Range(fd: number, start: number, length: number): Promise<Buffer>;
  /** A running MD5 over consecutive ranges of a file. */
  sequentialMd5(): SequentialMd5;
}

let shared: HashPool | undefined;

/**
 * The process's hash pool: one worker per spare core (at most 4), started on first use; none on
 * a single core, where the reads and hashing run inline on the calling thread.
 */
export function hashPool(): HashPool {
  shared ??= createHashPool(Math.min(4, availableParallelism() - 1));
  return shared;
}

/** A pool of `workers` threads (0: inline). Exported for tests. @internal */
export function createHashPool(workers: number): HashPool {
  if (workers <= 0) return inlinePool();
  const threads: (HashWorker | undefined)[] = Array.from({ length: workers }, () => undefined);
  let nextSequence = 0;
  const worker = (index: number): HashWorker =>
    (threads[index] ??= new HashWorker(() => {
      threads[index] = undefined; // a crashed worker is replaced on next use
    }));
  const leastLoaded = (): HashWorker => {
    let best = 0;
    for (let index = 1; index < threads.length; index++) if ((threads[index]?.load ?? 0) < (threads[best]?.load ?? 0)) best = index;
    return worker(best);
  };
  return {
    md5Range: async (fd, start, length) => (await leastLoaded().run({ op: 'range', fd, start, length })) as Buffer,
    sequentialMd5: () => {
      const sequence = nextSequence++;
      const thread = leastLoaded();
      const fed: Promise<unknown>[] = [];
      let digest: Promise<Buffer> | undefined;
      return {
        feed: (fd, start, length) => {
          const done = thread.run({ op: 'feed', sequence, fd, start, length });
          done.catch(() => {}); // reported by digest()
          fed.push(done);
        },
        // Once: the worker forgets a sequence when it digests it.
        digest: () =>
          (digest ??= Promise.all(fed).then(async () => (await thread.run({ op: 'digest', sequence })) as Buffer)),
      };
    },
  };
}

function inlinePool(): HashPool {
  const buffer = Buffer.allocUnsafe(1 << 20);
  const feed = (hash: Hash, fd: number, start: number, length: number): void => {
    for (let position = start, end = start + length; position < end; ) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, end - position), position);
      if (read === 0) throw new Error(`hashing a file range failed: the file ended at byte ${position}, before ${end}`);
      hash.update(buffer.subarray(0, read));
      position += read;
    }
  };
  return {
    md5Range: async (fd, start, length) => {
      const hash = createHash('md5');
      feed(hash, fd, start, length);
      return hash.digest();
    },
    sequentialMd5: () => {
      const hash = createHash('md5');
      let failure: unknown;
      let digest: Buffer | undefined;
      return {
        feed: (fd, start, length) => {
          if (failure !== undefined) return;
          try {
            feed(hash, fd, start, length);
          } catch (error) {
            failure = error;
          }
        },
        digest: async () => {
          if (failure !== undefined) throw failure;
          digest ??= hash.digest();
          return digest;
        },
      };
    },
  };
}
