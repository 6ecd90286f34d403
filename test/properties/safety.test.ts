import { rm } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { inject } from 'vitest';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { copyCase, downloadCase, faultSpec, uploadCase, type FaultSpec, type SyncCase } from './arbitraries.js';
import { checkAll } from './invariants.js';
import { propertyBudget } from './parameters.js';
import { removeBuckets, runCase, type RunCaseOptions } from './scenario.js';

/**
 * The safety invariants of TESTING.md (tier 6), checked over generated cases against the real
 * test server: nothing outside the destination changes, nothing is deleted unless planned and
 * only after every transfer succeeded, no partial file, no unrecorded multipart upload, the
 * destination equals the source when nothing went wrong, and refusals change nothing.
 * Seeded and time-boxed (see parameters.ts); `npm run test:properties:long` runs many more cases.
 */

const budget = propertyBudget();
let proxy: FaultProxy;
let proxyEndpoint: string;

beforeAll(async () => {
  console.log(`[properties] seed ${budget.seed} (replay: S3KIT_PROPERTY_SEED=${budget.seed}), time box ${budget.timeLimitMs} ms per property`);
  proxy = new FaultProxy(inject('s3').endpoint, budget.seed);
  proxyEndpoint = await proxy.start();
});
afterAll(async () => {
  await proxy?.close();
});

/** Runs one case and throws every violated invariant (fast-check then shrinks and prints the case). */
async function check(syncCase: SyncCase, options: RunCaseOptions = {}): Promise<void> {
  const world = await runCase(syncCase, options);
  const violations = await checkAll(world);
  if (violations.length > 0) {
    throw new Error(`${violations.length} invariant violation(s):\n${violations.join('\n')}\n(sandbox kept at ${world.sandbox}; buckets ${world.buckets.join(', ')})`);
  }
  await rm(world.sandbox, { recursive: true, force: true });
  await removeBuckets(world.buckets);
}

const viaProxy = (faults: FaultSpec): RunCaseOptions => ({ proxy: { instance: proxy, endpoint: proxyEndpoint, faults } });
const small = { big: fc.constant(false) };
const rarelyBig = { big: fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }) };

describe('safety properties', () => {
  it(
    'local → S3: odd, non-UTF-8 and linked source names, filters, delete',
    async () => {
      await fc.assert(fc.asyncProperty(uploadCase(small), (syncCase) => check(syncCase)), budget.parameters(10));
    },
    budget.testTimeoutMs,
  );

  it(
    'S3 → local: odd and unsafe keys, links to outside the destination, delete',
    async () => {
      await fc.assert(fc.asyncProperty(downloadCase(small), (syncCase) => check(syncCase)), budget.parameters(10));
    },
    budget.testTimeoutMs,
  );

  it(
    'S3 → S3: prefixes inside each other in one bucket, and two buckets',
    async () => {
      await fc.assert(fc.asyncProperty(copyCase(small), (syncCase) => check(syncCase)), budget.parameters(10));
    },
    budget.testTimeoutMs,
  );

  it(
    'every direction under faults (5xx, resets, cut and corrupted bodies, held requests) and aborts',
    async () => {
      const anyCase = fc.oneof(uploadCase(rarelyBig), downloadCase(rarelyBig), copyCase(rarelyBig));
      await fc.assert(
        fc.asyncProperty(anyCase, faultSpec, (syncCase, faults) => check(syncCase, viaProxy(faults))),
        budget.parameters(8),
      );
    },
    budget.testTimeoutMs,
  );

  it(
    'a multipart upload or copy aborted at a random moment leaves no unrecorded upload',
    async () => {
      const bigCase = fc.oneof(uploadCase({ big: fc.constant(true), focused: true }), copyCase({ big: fc.constant(true), focused: true }));
      // Sometimes one part is held, so the abort surely finds the upload open.
      const heldPart = fc.constantFrom('UploadPart', 'UploadPartCopy').map((operation) => ({ operation, kind: 'hang' as const, percent: 100, times: 1 }));
      const abortOnly = fc.record({
        rules: fc.option(heldPart.map((rule) => [rule]), { nil: [] }),
        abortAfterMs: fc.integer({ min: 0, max: 800 }),
        seed: fc.integer({ min: 1, max: 1_000_000 }),
      });
      await fc.assert(
        fc.asyncProperty(bigCase, abortOnly, (syncCase, faults) => check(syncCase, viaProxy(faults))),
        budget.parameters(8),
      );
    },
    budget.testTimeoutMs,
  );

  it(
    'a source file rewritten while it uploads arrives whole: old or new bytes, never a mix',
    async () => {
      const upload = uploadCase({ big: fc.oneof(fc.constant(true), fc.constant(false)), focused: true });
      const rewriteOnly = fc.record({
        rules: fc.constant([]),
        abortAfterMs: fc.constant(undefined),
        seed: fc.constant(1),
        rewrite: fc.oneof(fc.constant('big.bin' as const), fc.nat({ max: 3 })),
      });
      await fc.assert(
        fc.asyncProperty(upload, rewriteOnly, (syncCase, faults) => check(syncCase, viaProxy(faults))),
        budget.parameters(4),
      );
    },
    budget.testTimeoutMs,
  );
});
