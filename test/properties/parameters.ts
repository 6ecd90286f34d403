import type fc from 'fast-check';

/**
 * Seed, run count and time box of the property suite, from the environment:
 * - `S3KIT_PROPERTY_SEED`: the seed (default: random, printed so a failure can be replayed; fixed
 *   when `CI` is set, so CI tests the same cases every run);
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

/** The seed of CI runs (see propertyBudget). */
const CI_SEED = 20_261_122;

function integer(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}.`);
  return value;
}

export function propertyBudget(): PropertyBudget {
  // In CI the default seed is fixed, so a run tests the same cases every time and a failure is a
  // change in s3kit, not a draw; elsewhere (and in test:properties:long) it is random to explore.
  const seed =
    integer('S3KIT_PROPERTY_SEED') ?? (process.env.CI !== undefined && process.env.CI !== '' ? CI_SEED : (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0);
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
