import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageAggregator, estimateBucketCost, prefixAtDepth, ageBandOf, reportUsage, usageCsv } from '../../src/admin/index.js';
import { ListingOrderError } from '../../src/core/errors.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 1);

describe('prefixAtDepth', () => {
  it.each([
    ['a/b/c/d.txt', 2, 'a/b/'],
    ['a/x.txt', 2, 'a/'],
    ['x.txt', 2, ''],
    ['a/b/c/d.txt', 1, 'a/'],
    ['a/b/c/d.txt', 0, ''],
  ])('%s at depth %i is %j', (key, depth, expected) => {
    expect(prefixAtDepth(key, depth)).toBe(expected);
  });
});

describe('ageBandOf', () => {
  it.each([
    [0, '<30d'],
    [29.9, '<30d'],
    [30, '30-90d'],
    [100, '90-180d'],
    [200, '180-365d'],
    [400, '>=365d'],
  ])('%i days old is %s', (days, band) => {
    expect(ageBandOf(NOW - days * DAY, NOW)).toBe(band);
  });
});

describe('UsageAggregator', () => {
  it('sums bytes and objects per prefix, class and age band', () => {
    const agg = new UsageAggregator({ depth: 1, now: NOW });
    agg.add({ key: 'logs/a.log', size: 100, mtimeMs: NOW - 1 * DAY, storageClass: 'STANDARD' });
    agg.add({ key: 'logs/b.log', size: 50, mtimeMs: NOW - 40 * DAY, storageClass: 'STANDARD_IA' });
    agg.add({ key: 'img/x/y.png', size: 7, mtimeMs: NOW - 400 * DAY });
    agg.add({ key: 'top.txt', size: 3, mtimeMs: NOW });
    const r = agg.result();
    expect(r.totals).toEqual({ bytes: 160, objects: 4 });
    expect(r.prefixes.map(({ cells: _cells, ...rest }) => rest)).toEqual([
      { prefix: 'logs/', bytes: 150, objects: 2, byClass: { STANDARD: { bytes: 100, objects: 1 }, STANDARD_IA: { bytes: 50, objects: 1 } }, byAge: { '<30d': { bytes: 100, objects: 1 }, '30-90d': { bytes: 50, objects: 1 } } },
      { prefix: 'img/', bytes: 7, objects: 1, byClass: { STANDARD: { bytes: 7, objects: 1 } }, byAge: { '>=365d': { bytes: 7, objects: 1 } } },
      { prefix: '', bytes: 3, objects: 1, byClass: { STANDARD: { bytes: 3, objects: 1 } }, byAge: { '<30d': { bytes: 3, objects: 1 } } },
    ]);
    expect(r.byClass).toEqual({ STANDARD: { bytes: 110, objects: 3 }, STANDARD_IA: { bytes: 50, objects: 1 } });
    expect(r.otherPrefixes).toBe(0);
  });

  it('keeps at most maxPrefixes rows: later new prefixes are folded into one (other) row, so memory stays flat', () => {
    const agg = new UsageAggregator({ depth: 1, now: NOW, maxPrefixes: 2 });
    for (let i = 0; i < 1000; i++) agg.add({ key: `p${i}/f`, size: 1, mtimeMs: NOW });
    const r = agg.result();
    expect(r.prefixes.length).toBe(3);
    expect(r.prefixes.find((p) => p.prefix === '(other)')?.objects).toBe(998);
    expect(r.otherPrefixes).toBe(998);
    expect(r.totals).toEqual({ bytes: 1000, objects: 1000 });
  });

  it('CSV: one row per prefix × class × age band with a header', () => {
    const agg = new UsageAggregator({ depth: 1, now: NOW });
    agg.add({ key: 'a,b/x', size: 5, mtimeMs: NOW, storageClass: 'STANDARD' });
    expect(usageCsv(agg.result())).toBe('prefix,storage_class,age_band,bytes,objects\n"a,b/",STANDARD,<30d,5,1\n');
  });
});

describe('reports over a listing the server repeats', () => {
  // A server that answers a continuation with keys it already gave would count them twice.
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());
  const repeating = (): void => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: 't1', Contents: [{ Key: 'a', Size: 1 }, { Key: 'b', Size: 2 }] })
      .resolvesOnce({ IsTruncated: false, Contents: [{ Key: 'b', Size: 2 }, { Key: 'c', Size: 3 }] });
  };
  const location = { kind: 's3', bucket: 'bkt', prefix: '' } as const;

  it('reportUsage fails instead of counting a key twice', async () => {
    repeating();
    await expect(reportUsage(new S3Client({ region: 'us-east-1' }), location)).rejects.toBeInstanceOf(ListingOrderError);
  });

  it('estimateBucketCost fails instead of counting a key twice', async () => {
    repeating();
    await expect(estimateBucketCost(new S3Client({ region: 'us-east-1' }), location)).rejects.toBeInstanceOf(ListingOrderError);
  });
});
