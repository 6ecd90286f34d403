/**
 * Runs tasks with at most `size` at once; `add` waits for a free slot, so a producer feeding it
 * from a listing never runs ahead of the work (backpressure, flat memory). Tasks must not
 * reject: each handles its own failure.
 */
export class TaskPool {
  readonly #running = new Set<Promise<void>>();

  constructor(readonly size: number) {}

  async add(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.size) await Promise.race(this.#running);
    const running: Promise<void> = task().finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  /** Waits for every task started. */
  async drain(): Promise<void> {
    await Promise.all(this.#running);
  }
}

/** The `concurrency` option, checked. */
export function concurrencyOf(value: number | undefined, fallback: number): number {
  const size = value ?? fallback;
  if (!Number.isInteger(size) || size < 1) throw new TypeError(`concurrency must be a positive whole number, got ${JSON.stringify(value)}.`);
  return size;
}
