import { execFile } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { tempDir, writeTree } from '../helpers/files.js';
import { runMain, stubTestCredentials } from '../helpers/in-process.js';
import { createTestBucket, putObject } from '../helpers/s3.js';

/*
 * `s3kit report history` and the `--html` pages of both reports. Each page is opened in headless
 * Chromium (Debian's `chromium`, installed by .ci/run): the rendered DOM is asserted and a
 * screenshot is kept under test-results/ for people to look at.
 */

beforeAll(() => stubTestCredentials());

const run = promisify(execFile);
const SCREENSHOTS = resolve('test-results');

/** The DOM Chromium builds from a page, after rendering. */
async function renderedDom(file: string): Promise<string> {
  const { stdout } = await run('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', `file://${file}`], { timeout: 60_000, maxBuffer: 32 << 20 });
  return stdout;
}

/** A PNG of the page, under test-results/; its size. */
async function screenshot(file: string, name: string): Promise<number> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const png = join(SCREENSHOTS, name);
  await run('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=1100,1400', `--screenshot=${png}`, `file://${file}`], { timeout: 60_000 });
  const bytes = await readFile(png);
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  return (await stat(png)).size;
}

describe('s3kit report history', () => {
  let config: string;
  let root: string;

  beforeAll(async () => {
    root = await tempDir('report-history');
    const bucket = await createTestBucket('report-history');
    await writeTree(root, { 'photos/a.jpg': 'a', 'photos/b.jpg': 'bb', 'docs/<r&d>.txt': 'x' });
    config = join(root, 's3kit.yaml');
    await writeFile(
      config,
      `
defaults:
  stateFile: state/s3kit-state.json
  connection:
    endpoint: ${inject('s3').endpoint}
jobs:
  - name: photos
    source: ./photos
    target: s3://${bucket}/photos
  - name: docs
    source: ./docs
    target: s3://${bucket}/docs
  - name: missing
    source: ./not-mounted
    target: s3://${bucket}/missing
`,
    );
    // Two runs: photos and docs succeed twice, missing fails twice.
    expect((await runMain(['run', '--config', config])).code).toBe(1);
    await writeTree(root, { 'photos/c.jpg': 'ccc' });
    expect((await runMain(['run', '--config', config])).code).toBe(1);
  });

  it('prints runs, outcomes, success rate, durations and bytes per job; --job and --since select', async () => {
    const text = await runMain(['report', 'history', '--config', config]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/photos: 2 run\(s\), 2 ok, 0 failed, 0 skipped \(100\.0 % succeeded\), mean .*; 3 file\(s\), 6 B/);
    expect(text.stdout).toMatch(/missing: 2 run\(s\), 0 ok, 2 failed, 0 skipped \(0\.0 % succeeded\)/);
    expect(text.stdout).toContain('last: failure at');

    const json = JSON.parse((await runMain(['report', 'history', '--config', config, '--json', '--job', 'docs'])).stdout) as { jobs: { job: string; runs: number; successRate: number }[]; runs: unknown[] };
    expect(json.jobs).toEqual([expect.objectContaining({ job: 'docs', runs: 2, successRate: 1 })]);
    expect(json.runs).toHaveLength(2);

    const csv = (await runMain(['report', 'history', '--config', config, '--csv'])).stdout.trim().split('\n');
    expect(csv[0]).toBe('job,started_at,ended_at,status,duration_ms,copied,updated,deleted,skipped,failed,bytes,message');
    expect(csv).toHaveLength(7);
    expect(csv.filter((line) => line.startsWith('missing,') && line.includes(',failure,'))).toHaveLength(2);

    const future = await runMain(['report', 'history', '--config', config, '--since', '2999-01-01', '--json']);
    expect((JSON.parse(future.stdout) as { runs: unknown[] }).runs).toEqual([]);
  });

  it('names a --job that is not in the config, and refuses two outputs at once', async () => {
    const unknown = await runMain(['report', 'history', '--config', config, '--job', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--job nope: no such job');
    expect(unknown.stderr).toContain('the jobs are: photos, docs, missing');
    const both = await runMain(['report', 'history', '--config', config, '--json', '--csv']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--json and --csv cannot be used together');
    const since = await runMain(['report', 'history', '--config', config, '--since', 'yesterday']);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('"yesterday" is not a period start');
  });

  it('--html writes one page that Chromium renders: charts per job and per run, the tables, no script', async () => {
    const page = join(root, 'history.html');
    const outcome = await runMain(['report', 'history', '--config', config, '--html', page]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain(`Wrote ${page}: 6 run(s) of 3 job(s)`);
    const html = await readFile(page, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const dom = await renderedDom(page);
    expect(dom).toContain('<h1>s3kit run history</h1>');
    expect(dom).toContain('Success rate per job');
    // One bar per job, and one per run.
    expect(dom.match(/<g class="bar">/g)).toHaveLength(3 + 6);
    expect(dom).toContain('100.0 % of 2');
    expect(dom).toMatch(/<td>missing<\/td><td[^>]*>[^<]*<\/td><td[^>]*>failure<\/td>/);
    expect(await screenshot(page, 'report-history.png')).toBeGreaterThan(10_000);
  });
});

describe('s3kit report usage --html', () => {
  it('renders prefixes, classes and age bands; names with markup are text, not markup', async () => {
    const bucket = await createTestBucket('report-usage-html');
    await putObject(bucket, 'logs/2026/a.log', Buffer.alloc(3000));
    await putObject(bucket, 'logs/2026/b.log', Buffer.alloc(1000));
    await putObject(bucket, '<img src=x onerror=alert(1)>/&evil.txt', 'x');
    await putObject(bucket, 'top.txt', 'top');
    const dir = await tempDir('report-usage-html');
    const page = join(dir, 'usage.html');
    const outcome = await runMain(['report', 'usage', `s3://${bucket}`, '--html', page]);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain(`Wrote ${page}: 3.9 KiB in 4 objects`);
    const dom = await renderedDom(page);
    expect(dom).toContain(`<h1>Usage of s3://${bucket}</h1>`);
    expect(dom).toContain('&lt;img src=x onerror=alert(1)&gt;/');
    expect(dom).not.toContain('<img');
    expect(dom).toContain('logs/');
    expect(dom).toContain('STANDARD');
    expect(dom).toContain('&lt;30d');
    expect(dom.match(/<g class="bar">/g)?.length).toBe(3 + 1 + 5);
    expect(await screenshot(page, 'report-usage.png')).toBeGreaterThan(10_000);
    const both = await runMain(['report', 'usage', `s3://${bucket}`, '--html', page, '--csv']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--csv and --html cannot be used together');
  });
});
