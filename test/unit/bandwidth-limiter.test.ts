import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BandwidthLimiter, throttled } from '../../src/transfer/bandwidth-limiter.js';

const KiB = 1024;

/** Resolves-or-not of a promise after the microtasks queued so far have run. */
async function settled(promise: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> {
  let state: 'resolved' | 'rejected' | 'pending' = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await vi.advanceTimersByTimeAsync(0);
  return state;
}

describe('BandwidthLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('admits a full burst at once, then bytes at the rate', async () => {
    const limiter = new BandwidthLimiter({ bytesPerSecond: 100 * KiB, burstBytes: 10 * KiB });
    expect(await settled(limiter.take(10 * KiB))).toBe('resolved');
    // The bucket is empty: 50 KiB more are due in 500 ms.
    const next = limiter.take(50 * KiB);
    expect(await settled(next)).toBe('pending');
    await vi.advanceTimersByTimeAsync(499);
    expect(await settled(next)).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(next)).toBe('resolved');
  });

  it('holds the long-run rate across many callers: bytes admitted by time t stay within burst + rate × t', async () => {
    const rate = 64 * KiB;
    const burst = 8 * KiB;
    const limiter = new BandwidthLimiter({ bytesPerSecond: rate, burstBytes: burst });
    const admitted: { at: number; bytes: number }[] = [];
    const start = performance.now();
    // Four callers taking chunks of assorted sizes, each one after the other, as streams do.
    const caller = async (chunk: number, count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        await limiter.take(chunk);
        admitted.push({ at: performance.now() - start, bytes: chunk });
      }
    };
    const all = Promise.all([caller(16 * KiB, 20), caller(4 * KiB, 80), caller(1 * KiB, 320), caller(32 * KiB, 10)]);
    await vi.advanceTimersByTimeAsync(30_000);
    await all;
    const total = admitted.reduce((sum, a) => sum + a.bytes, 0);
    expect(total).toBe(4 * 320 * KiB);
    let sum = 0;
    for (const a of admitted.sort((x, y) => x.at - y.at)) {
      sum += a.bytes;
      expect(sum).toBeLessThanOrEqual(burst + (rate * a.at) / 1000 + 1);
    }
    // And no slower than the rate: the last byte came when 1280 KiB at 64 KiB/s were due (20 s).
    const last = admitted[admitted.length - 1]!.at;
    expect(last).toBeLessThanOrEqual(((total - burst) / rate) * 1000 + 50);
    expect(last).toBeGreaterThanOrEqual(((total - burst) / rate) * 1000 - 50);
  });

  it('takes more than the burst in one call: the caller waits until those bytes are due', async () => {
    const limiter = new BandwidthLimiter({ bytesPerSecond: 1000, burstBytes: 100 });
    const big = limiter.take(2100);
    await vi.advanceTimersByTimeAsync(1999);
    expect(await settled(big)).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(big)).toBe('resolved');
  });

  it('does not save up more than the burst while idle', async () => {
    const limiter = new BandwidthLimiter({ bytesPerSecond: 1000, burstBytes: 100 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await settled(limiter.take(100))).toBe('resolved');
    const next = limiter.take(100);
    expect(await settled(next)).toBe('pending');
    await vi.advanceTimersByTimeAsync(100);
    expect(await settled(next)).toBe('resolved');
  });

  it('rejects a waiting take at once when its signal aborts, with the signal reason, and gives its bytes back', async () => {
    const limiter = new BandwidthLimiter({ bytesPerSecond: 1000, burstBytes: 100 });
    await limiter.take(100);
    const controller = new AbortController();
    const waiting = limiter.take(10_000, controller.signal);
    expect(await settled(waiting)).toBe('pending');
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    // The aborted 10,000 bytes were never sent: the next caller waits for its own 100 only.
    const next = limiter.take(100);
    await vi.advanceTimersByTimeAsync(100);
    expect(await settled(next)).toBe('resolved');
  });

  it('rejects at once with an already aborted signal and reserves nothing', async () => {
    const limiter = new BandwidthLimiter({ bytesPerSecond: 1000, burstBytes: 100 });
    const reason = new Error('gone');
    await expect(limiter.take(50, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(await settled(limiter.take(100))).toBe('resolved');
  });

  it('removes its abort listener when a take settles', async () => {
    const limiter = new BandwidthLimiter({ bytesPerSecond: 1000, burstBytes: 1 });
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const waiting = limiter.take(100, controller.signal);
    await vi.advanceTimersByTimeAsync(100);
    await waiting;
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  it('refuses a rate or burst that is not a positive number', () => {
    expect(() => new BandwidthLimiter({ bytesPerSecond: 0 })).toThrow(/bytesPerSecond must be a positive number/);
    expect(() => new BandwidthLimiter({ bytesPerSecond: Number.POSITIVE_INFINITY })).toThrow(/bytesPerSecond/);
    expect(() => new BandwidthLimiter({ bytesPerSecond: 10, burstBytes: -1 })).toThrow(/burstBytes/);
  });

  it('paces a stream through throttled() and stops it on abort without waiting for tokens', async () => {
    const limiter = new BandwidthLimiter({ bytesPerSecond: 10 * KiB, burstBytes: KiB });
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(KiB));
    let received = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        callback();
      },
    });
    const controller = new AbortController();
    const done = pipeline(Readable.from(chunks), throttled(limiter, controller.signal), sink);
    done.catch(() => {});
    await vi.advanceTimersByTimeAsync(450);
    // The first KiB at once, then one every 100 ms.
    expect(received).toBe(5 * KiB);
    controller.abort(new Error('cancelled'));
    await expect(done).rejects.toThrow('cancelled');
    expect(received).toBe(5 * KiB);
  });
});

describe('BandwidthLimiter with waits longer than a timer holds', () => {
  it('keeps a caller waiting past setTimeout\'s 24.8-day limit (Node would fire it after 1 ms), and an abort still ends the wait at once', async () => {
    // 1 byte/s and an 8 MiB part: 97 days. Node clamps a longer delay than 2^31 - 1 ms to 1 ms.
    const limiter = new BandwidthLimiter({ bytesPerSecond: 1, burstBytes: 1 });
    const controller = new AbortController();
    let state = 'pending';
    const waiting = limiter.take(8 * 1024 * KiB, controller.signal).then(
      () => (state = 'resolved'),
      () => (state = 'rejected'),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(state).toBe('pending');
    const started = performance.now();
    controller.abort(new Error('stop'));
    await waiting;
    expect(state).toBe('rejected');
    expect(performance.now() - started).toBeLessThan(50);
  });
});
