import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../helpers/in-process.js';

describe('s3kit cost estimate', () => {
  it('prints storage, minimum charges and first-sync PUTs (2 TiB, 1e6 objects, STANDARD_IA, 12 months)', async () => {
    const r = await runMain(['cost', 'estimate', '--size', '2TiB', '--objects', '1e6', '--storage-class', 'STANDARD_IA', '--region', 'us-east-1', '--months', '12']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/storage per month\s+\$25\.60/);
    expect(r.stdout).toMatch(/storage, 12 months billed\s+\$307\.20/);
    expect(r.stdout).toMatch(/first sync PUTs\s+\$10\.00/);
    expect(r.stdout).toMatch(/total\s+\$317\.20/);
    expect(r.stdout).toMatch(/prices of 2024-06-01 from https:\/\/aws\.amazon\.com\/s3\/pricing\//);
  });

  it('--json gives the estimate object', async () => {
    const r = await runMain(['cost', 'estimate', '--size', '100GiB', '--objects', '1000', '--storage-class', 'GLACIER', '--json']);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout) as { billedMonths: number; totalCost: number };
    expect(e.billedMonths).toBe(3);
    expect(e.totalCost).toBeCloseTo(1.11, 9);
  });

  it('--prices FILE overrides the table; a bad file exits 2 naming the JSON path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 's3kit-cost-'));
    const good = join(dir, 'good.json');
    await writeFile(good, JSON.stringify({ date: '2025-01-01', source: 'mine', regions: { 'eu-x': { STANDARD: { storagePerGBMonth: 0.1, putPer1000: 1 } } } }));
    const r = await runMain(['cost', 'estimate', '--size', '10GiB', '--objects', '1000', '--storage-class', 'STANDARD', '--region', 'eu-x', '--prices', good]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/total\s+\$2\.00/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ date: '2025-01-01', source: 'mine', regions: { 'eu-x': { STANDARD: { storagePerGBMonth: 'cheap', putPer1000: 1 } } } }));
    const b = await runMain(['cost', 'estimate', '--size', '10GiB', '--objects', '1000', '--storage-class', 'STANDARD', '--prices', bad]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('regions["eu-x"].STANDARD.storagePerGBMonth');
  });
});
