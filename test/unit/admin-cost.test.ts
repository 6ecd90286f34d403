import { describe, expect, it } from 'vitest';
import { estimateStorageCost, validatePriceTable, DEFAULT_PRICE_TABLE } from '../../src/admin/index.js';

const GiB = 2 ** 30;
const TiB = 2 ** 40;

// Expected values computed by hand from the shipped us-east-1 table:
// STANDARD 0.023 $/GB-month, PUT 0.005/1000; STANDARD_IA 0.0125, PUT 0.01/1000, 128 KiB, 30 days;
// GLACIER 0.0036, PUT 0.03/1000, 90 days.
const cases = [
  {
    name: '2 TiB, 1e6 objects, STANDARD_IA, 12 months (objects above 128 KiB; no minimum charges)',
    input: { sizeBytes: 2 * TiB, objects: 1e6, storageClass: 'STANDARD_IA', region: 'us-east-1', months: 12 },
    billedGiB: 2048, monthly: 25.6, storage: 307.2, put: 10, total: 317.2,
  },
  {
    name: '10 GiB in 1e6 objects, STANDARD_IA: each object billed as 128 KiB',
    input: { sizeBytes: 10 * GiB, objects: 1e6, storageClass: 'STANDARD_IA', region: 'us-east-1', months: 1 },
    billedGiB: 122.0703125, monthly: 1.52587890625, storage: 1.52587890625, put: 10, total: 11.52587890625,
  },
  {
    name: '100 GiB GLACIER kept 1 month: billed the 90-day minimum (3 months)',
    input: { sizeBytes: 100 * GiB, objects: 1000, storageClass: 'GLACIER', region: 'us-east-1', months: 1 },
    billedGiB: 100, monthly: 0.36, storage: 1.08, put: 0.03, total: 1.11,
  },
  {
    name: '1 TiB STANDARD, 1000 objects, default 1 month',
    input: { sizeBytes: TiB, objects: 1000, storageClass: 'STANDARD', region: 'us-east-1' },
    billedGiB: 1024, monthly: 23.552, storage: 23.552, put: 0.005, total: 23.557,
  },
] as const;

describe('estimateStorageCost', () => {
  for (const c of cases) {
    it(c.name, () => {
      const e = estimateStorageCost(c.input);
      expect(e.billedGiB).toBeCloseTo(c.billedGiB, 9);
      expect(e.monthlyStorageCost).toBeCloseTo(c.monthly, 9);
      expect(e.storageCost).toBeCloseTo(c.storage, 9);
      expect(e.firstSyncPutCost).toBeCloseTo(c.put, 9);
      expect(e.totalCost).toBeCloseTo(c.total, 9);
    });
  }

  it('names the minimum-duration charge and the retrieval note', () => {
    const e = estimateStorageCost({ sizeBytes: 100 * GiB, objects: 1000, storageClass: 'GLACIER', region: 'us-east-1', months: 1 });
    expect(e.billedMonths).toBe(3);
    expect(e.notes.join('\n')).toMatch(/90 days/);
    expect(e.notes.join('\n')).toMatch(/restore/);
  });

  it('refuses an unknown region with the known ones listed', () => {
    expect(() => estimateStorageCost({ sizeBytes: 1, objects: 1, storageClass: 'STANDARD', region: 'mars-1' })).toThrow(/mars-1.*us-east-1/s);
  });
});

describe('validatePriceTable', () => {
  it('accepts the shipped table, which has a date and a source', () => {
    expect(validatePriceTable(DEFAULT_PRICE_TABLE)).toEqual([]);
    expect(DEFAULT_PRICE_TABLE.source).toMatch(/^https:\/\/aws\.amazon\.com\/s3\/pricing/);
    expect(DEFAULT_PRICE_TABLE.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each([
    [{}, 'date'],
    [{ date: '2024-01-01', source: 'x', regions: { 'us-east-1': { STANDARD: { storagePerGBMonth: -1, putPer1000: 0.005 } } } }, 'regions["us-east-1"].STANDARD.storagePerGBMonth'],
    [{ date: '2024-01-01', source: 'x', regions: { 'us-east-1': { STANDARD: { storagePerGBMonth: 0.02 } } } }, 'regions["us-east-1"].STANDARD.putPer1000'],
    [{ date: '2024-01-01', source: 'x', regions: { 'us-east-1': { FOO: { storagePerGBMonth: 0.02, putPer1000: 0.005 } } } }, 'regions["us-east-1"].FOO'],
  ])('names the JSON path of a bad user table (%#)', (table, path) => {
    const problems = validatePriceTable(table);
    expect(problems.map((p) => p.path)).toContain(path);
  });
});
