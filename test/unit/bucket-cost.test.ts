import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketCostAggregator, renderTemplate, type LifecycleConfigurationDocument } from 's3kit/admin';

/*
 * The arithmetic of `s3kit cost s3://bucket`, with figures worked by hand from the shipped
 * us-east-1 prices (STANDARD $0.023, STANDARD_IA $0.0125, GLACIER_IR $0.004, GLACIER $0.0036 per
 * GB-month; PUTs per 1,000: $0.005, $0.01, $0.02, $0.03), and properties over random listings.
 */

const GIB = 2 ** 30;
const KIB = 1024;
const NOW = Date.UTC(2026, 10, 22);
const daysAgo = (days: number): number => NOW - days * 86_400_000;

describe('BucketCostAggregator', () => {
  it('prices each class with the 128 KiB minimum, a sync of everything, and a lifecycle template', () => {
    const lifecycle = renderTemplate('transition-to-glacier-ir', { days: 90, prefix: 'logs/' }).document as LifecycleConfigurationDocument;
    const costs = new BucketCostAggregator({ now: NOW, lifecycle });
    costs.add({ key: 'logs/big.log', size: GIB, mtimeMs: daysAgo(100), storageClass: 'STANDARD' });
    costs.add({ key: 'logs/small.log', size: 64 * KIB, mtimeMs: daysAgo(100), storageClass: 'STANDARD' });
    costs.add({ key: 'logs/new.log', size: GIB, mtimeMs: daysAgo(10), storageClass: 'STANDARD' });
    costs.add({ key: 'other/x.bin', size: 64 * KIB, mtimeMs: daysAgo(10), storageClass: 'STANDARD_IA' });
    costs.add({ key: 'archive/y.bin', size: GIB, mtimeMs: daysAgo(400), storageClass: 'GLACIER' });
    const result = costs.result();

    expect(result.totals).toEqual({ objects: 5, bytes: 3 * GIB + 128 * KIB });
    const byClass = Object.fromEntries(result.classes.map((c) => [c.storageClass, c]));
    expect(byClass.STANDARD?.monthlyCost).toBeCloseTo((2 * GIB + 64 * KIB) / GIB * 0.023, 12);
    // 64 KiB in STANDARD_IA is billed as 128 KiB.
    expect(byClass.STANDARD_IA?.billedBytes).toBe(128 * KIB);
    expect(byClass.STANDARD_IA?.monthlyCost).toBeCloseTo((128 * KIB / GIB) * 0.0125, 15);
    expect(byClass.GLACIER?.monthlyCost).toBeCloseTo(0.0036, 12);
    expect(result.monthlyStorageCost).toBeCloseTo(0.046 + (64 * KIB / GIB) * 0.023 + (128 * KIB / GIB) * 0.0125 + 0.0036, 12);
    // A sync of everything: 5 PUTs at each class's price, and 2 LIST pages at the STANDARD price.
    expect(result.syncRequestCost).toMatchObject({ puts: 5, lists: 2 });
    expect(result.syncRequestCost.cost).toBeCloseTo((3 * 0.005 + 0.01 + 0.03 + 2 * 0.005) / 1000, 12);

    // Only logs/big.log moves: logs/new.log is too young, logs/small.log too small (S3 leaves
    // objects under 128 KiB), the others are outside the prefix.
    expect(result.lifecycle?.savings).toEqual([
      expect.objectContaining({ fromClass: 'STANDARD', toClass: 'GLACIER_IR', objects: 1, bytes: GIB, minimumDays: 90 }),
    ]);
    const saving = result.lifecycle!.savings[0]!;
    expect(saving.monthlyCostBefore).toBeCloseTo(0.023, 12);
    expect(saving.monthlyCostAfter).toBeCloseTo(0.004, 12);
    expect(result.lifecycle?.monthlySaving).toBeCloseTo(0.019, 12);
    expect(result.lifecycle?.transitionCost).toBeCloseTo(0.02 / 1000, 12);
    // In steady state logs/new.log moves too (small.log still stays): two GiB save 0.019 each.
    expect(result.lifecycle?.eventualMonthlySaving).toBeCloseTo(2 * 0.019, 12);
    expect(result.notes.join('\n')).toMatch(/1 object\(s\) under 128 KiB that a rule matches are not transitioned/);
    expect(result.notes.join('\n')).toMatch(/billed for at least 90 days there/);
  });

  it('expirations save what the objects cost; tag rules and disabled rules are named, not judged', () => {
    const lifecycle: LifecycleConfigurationDocument = {
      Rules: [
        { ID: 'by-tag', Status: 'Enabled', Filter: { Tag: { Key: 'tier', Value: 'cold' } }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }] },
        { ID: 'off', Status: 'Disabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } },
        { ID: 'expire-tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 7 } },
      ],
    };
    const costs = new BucketCostAggregator({ now: NOW, lifecycle });
    costs.add({ key: 'tmp/a', size: GIB, mtimeMs: daysAgo(8), storageClass: 'STANDARD' });
    costs.add({ key: 'tmp/b', size: GIB, mtimeMs: daysAgo(6), storageClass: 'STANDARD' });
    const result = costs.result();
    expect(result.lifecycle?.savings).toEqual([
      { rule: 'expire-tmp', fromClass: 'STANDARD', toClass: 'expired', objects: 1, bytes: GIB, monthlyCostBefore: 0.023, monthlyCostAfter: 0, monthlySaving: 0.023, transitionCost: 0, minimumDays: 0 },
    ]);
    // Eventually tmp/b expires as well.
    expect(result.lifecycle?.eventualMonthlySaving).toBeCloseTo(2 * 0.023, 12);
    expect(result.lifecycle?.notEvaluated).toEqual(['by-tag: filters on tags, which a listing does not show', 'off: disabled']);
  });

  it('names a region the price table lacks; prices a class it lacks as not priced', () => {
    expect(() => new BucketCostAggregator({ region: 'mars-1' })).toThrow(/No prices for region mars-1; .* Give --prices FILE/);
    const costs = new BucketCostAggregator();
    costs.add({ key: 'a', size: 10, mtimeMs: NOW, storageClass: 'REDUCED_REDUNDANCY' });
    const result = costs.result();
    expect(result.classes[0]).toMatchObject({ storageClass: 'REDUCED_REDUNDANCY', monthlyCost: undefined });
    expect(result.notes[0]).toContain('REDUCED_REDUNDANCY is not in the price table');
  });

  it('property: classes add up to the totals; a move to a cheaper class of objects of 128 KiB or more never costs more per month', () => {
    const classes = ['STANDARD', 'STANDARD_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'] as const;
    const object = fc.record({
      key: fc.constantFrom('logs/', 'data/', '').chain((prefix) => fc.string({ minLength: 1, maxLength: 8 }).map((name) => prefix + name)),
      size: fc.integer({ min: 0, max: 4 * GIB }),
      age: fc.integer({ min: 0, max: 800 }),
      storageClass: fc.constantFrom(...classes),
    });
    fc.assert(
      fc.property(fc.array(object, { maxLength: 60 }), fc.constantFrom('transition-to-standard-ia', 'transition-to-glacier-ir', 'transition-to-glacier', 'transition-to-deep-archive'), (objects, template) => {
        const lifecycle = renderTemplate(template, { days: template === 'transition-to-standard-ia' ? 30 : 90 }).document as LifecycleConfigurationDocument;
        const costs = new BucketCostAggregator({ now: NOW, lifecycle });
        for (const o of objects) costs.add({ key: o.key, size: o.size, mtimeMs: daysAgo(o.age), storageClass: o.storageClass });
        const result = costs.result();
        expect(result.classes.reduce((sum, c) => sum + c.bytes, 0)).toBe(result.totals.bytes);
        expect(result.classes.reduce((sum, c) => sum + c.objects, 0)).toBe(objects.length);
        for (const s of result.lifecycle!.savings) expect(s.monthlySaving).toBeGreaterThanOrEqual(-1e-12);
        // Time only moves more objects down: the steady state saves at least what today does.
        expect(result.lifecycle!.eventualMonthlySaving).toBeGreaterThanOrEqual(result.lifecycle!.monthlySaving - 1e-9);
        const moved = result.lifecycle!.savings.reduce((sum, s) => sum + s.objects, 0);
        expect(moved).toBeLessThanOrEqual(objects.filter((o) => o.size >= 128 * KIB).length);
      }),
      { seed: 20261122, numRuns: 200 },
    );
  });
});
