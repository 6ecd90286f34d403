import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMain, stubTestCredentials } from '../helpers/in-process.js';
import { createTestBucket, putObject } from '../helpers/s3.js';

beforeAll(() => stubTestCredentials());

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

describe('s3kit cost s3://bucket', () => {
  it('lists and prices each class, a sync of everything and a lifecycle template; --json; bad input exits 2', async () => {
    const bucket = await createTestBucket('cost-bucket');
    await putObject(bucket, 'logs/a.log', Buffer.alloc(300 * 1024));
    await putObject(bucket, 'logs/b.log', Buffer.alloc(100 * 1024));
    await putObject(bucket, 'cold/c.bin', Buffer.alloc(64 * 1024), { StorageClass: 'STANDARD_IA' });
    const text = await runMain(['cost', `s3://${bucket}`]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`s3://${bucket}: 464 KiB in 3 objects, us-east-1`);
    expect(text.stdout).toMatch(/STANDARD\s+400 KiB\s+2 objects\s+<\$0\.01\/month/);
    expect(text.stdout).toMatch(/STANDARD_IA\s+64 KiB\s+1 object\s/);
    expect(text.stdout).toContain('syncing it all once: <$0.01 (3 PUTs, 2 LISTs)');
    expect(text.stdout).toContain('note: STANDARD_IA bills objects under 128 KiB as 128 KiB');

    const json = JSON.parse((await runMain(['cost', `s3://${bucket}/logs/`, '--template', 'transition-to-standard-ia', '--set', 'days=30', '--json'])).stdout) as {
      totals: { objects: number };
      lifecycle: { savings: unknown[]; monthlySaving: number };
    };
    expect(json.totals.objects).toBe(2);
    // Objects written seconds ago are not 30 days old: nothing moves yet.
    expect(json.lifecycle).toMatchObject({ savings: [], monthlySaving: 0 });

    const dir = await mkdtemp(join(tmpdir(), 's3kit-cost-'));
    const bad = join(dir, 'rules.json');
    await writeFile(bad, JSON.stringify({ Rules: [{ ID: 'x', Status: 'Enabled', Filter: { Prefix: '' }, Transitions: [{ Days: 10, StorageClass: 'STANDARD_IA' }] }] }));
    const invalid = await runMain(['cost', `s3://${bucket}`, '--lifecycle', bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('Rules[0].Transitions[0].Days');
    const both = await runMain(['cost', `s3://${bucket}`, '--lifecycle', bad, '--template', 'transition-to-standard-ia']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--template and --lifecycle cannot be used together');
    const policy = await runMain(['cost', `s3://${bucket}`, '--template', 'tls-only']);
    expect(policy.code).toBe(2);
    expect(policy.stderr).toContain('--template tls-only is a bucket policy template');
    const local = await runMain(['cost', '/tmp']);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('use s3kit cost estimate');
  });
});
