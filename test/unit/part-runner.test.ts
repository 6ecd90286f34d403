import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runParts } from '../../src/transfer/part-runner.js';

function* numbers(count: number, taken: number[]): Generator<number> {
  for (let i = 1; i <= count; i++) {
    taken.push(i);
    yield i;
  }
}

describe('runParts', () => {
  it('runs every part, never more than `concurrency` at once', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runParts(
      numbers(20, []),
      async (n) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(2);
        running--;
        done.push(n);
      },
      { concurrency: 3 },
    );
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(peak).toBe(3);
  });

  it('takes parts lazily: a large object never has all its parts queued', async () => {
    const taken: number[] = [];
    let maxAhead = 0;
    let finished = 0;
    await runParts(
      numbers(50, taken),
      async () => {
        maxAhead = Math.max(maxAhead, taken.length - finished);
        await sleep(1);
        finished++;
      },
      { concurrency: 2 },
    );
    expect(maxAhead).toBeLessThanOrEqual(2 * 2 + 1);
  });

  it('stops at the first failure, waits for the parts in flight, and rejects with that failure', async () => {
    const taken: number[] = [];
    const started: number[] = [];
    const settled: number[] = [];
    const failure = new Error('part 3 failed');
    const run = runParts(
      numbers(100, taken),
      async (n) => {
        started.push(n);
        if (n === 3) throw failure;
        if (n === 4) throw new Error('a later failure');
        await sleep(20);
        settled.push(n);
      },
      { concurrency: 2 },
    );
    await expect(run).rejects.toBe(failure);
    expect(taken.length).toBeLessThan(10);
    // Every part that started had settled before the call rejected.
    expect(settled.sort((a, b) => a - b)).toEqual(started.filter((n) => n !== 3 && n !== 4));
  });

  it('starts no queued part once a part has failed', async () => {
    // Parts wait in the queue behind those in flight; once part 1 has failed, none of them may
    // start (for an upload, each would send a part to an upload about to be aborted).
    const started: number[] = [];
    const failure = new Error('part 1 failed');
    await expect(
      runParts(
        numbers(20, []),
        async (n) => {
          started.push(n);
          if (n === 1) {
            await sleep(5);
            throw failure;
          }
          await sleep(50);
        },
        { concurrency: 2 },
      ),
    ).rejects.toBe(failure);
    // Parts 1 and 2 were in flight when part 1 failed; 3 and 4 were only queued.
    expect(started).toEqual([1, 2]);
  });

  it('stops on abort and rejects with the reason after the parts in flight settled', async () => {
    const controller = new AbortController();
    const taken: number[] = [];
    let inFlight = 0;
    const run = runParts(
      numbers(100, taken),
      async (n) => {
        inFlight++;
        if (n === 2) controller.abort(new Error('stop'));
        await sleep(10);
        inFlight--;
      },
      { concurrency: 2, signal: controller.signal },
    );
    await expect(run).rejects.toThrow('stop');
    expect(inFlight).toBe(0);
    expect(taken.length).toBeLessThan(10);
  });

  it('leaves no unhandled rejection when several parts fail', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(
        runParts(numbers(10, []), async () => Promise.reject(new Error('every part fails')), { concurrency: 4 }),
      ).rejects.toThrow('every part fails');
      await sleep(20);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
