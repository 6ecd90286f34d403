import type fc from 'fast-check';

/**
 * Seed, run count and time box of the property suite, from the environment:
 * - `S3KIT_PROPERTY_SEED`: the seed (default: random, printed so a failure can be replayed);
 * - `S3KIT_PROPERTY_RUNS`: cases per property (default: each property's small CI count);
 * - `S3KIT_PROPERTY_TIME_LIMIT_MS`: time box per property, shrinking included (default 25 s,
 *   so the suite stays within about 3 minutes on 2 cores; runs left when it expires are skipped);
 * - `S3KIT_PROPERTY_PATH`: replay one counterexample (the `path` fast-check printed), with the seed
 *   and `-t` naming the property;
 * - `S3KIT_PROPERTY_DEBUG`: print each case and how long its set-up, run and snapshots took.
 */
export interface PropertyBudget {
  readonly seed: number;
  readonly timeLimitMs: number;
  /** fast-check parameters for a property whose CI run count is `defaultRuns`. */
  parameters(defaultRuns: number): fc.Parameters<unknown>;
  /** The vitest timeout for one property: its time box plus a case in flight and the report. */
  readonly testTimeoutMs: number;
}

function integer(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}.`);
  return value;
}

export function propertyBudget(): PropertyBudget {
  const seed = integer('S3KIT_PROPERTY_SEED') ?? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
  const runs = integer('S3KIT_PROPERTY_RUNS');
  const timeLimitMs = integer('S3KIT_PROPERTY_TIME_LIMIT_MS') ?? 25_000;
  const path = process.env.S3KIT_PROPERTY_PATH;
  return {
    seed,
    timeLimitMs,
    testTimeoutMs: timeLimitMs + 90_000,
    parameters: (defaultRuns) => ({
      seed,
      numRuns: runs ?? defaultRuns,
      ...(path === undefined || path === '' ? {} : { path }),
      // Stop starting cases (or shrinking) past the time box, without failing for it.
      interruptAfterTimeLimit: timeLimitMs,
      markInterruptAsFailure: false,
    }),
  };
}
