import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { jsonFileStore } from 's3kit';
import { readJobHistory, type JobState, type RunRecord } from 's3kit/jobs';
import { cliEnv, s3kit } from '../helpers/cli.js';
import { setMtime, tempDir, writeTree } from '../helpers/files.js';
import { createTestBucket, listObjects } from '../helpers/s3.js';

const DATE = '2025-01-15';

describe('s3kit run with a multi-job config', () => {
  let root: string;
  let bucket: string;
  let config: string;

  beforeAll(async () => {
    root = await tempDir('jobs');
    bucket = await createTestBucket('jobs');
    await writeTree(root, {
      'camera/2025-01-14/a.jpg': 'day before',
      'camera/2025-01-15/b.jpg': 'b',
      'camera/2025-01-15/c.jpg': 'c',
      'reports/r1.pdf': 'r1',
      'reports/sub/r2.pdf': 'r2',
      'reports/scratch.tmp': 'excluded by the defaults',
      'recent/old.log': 'old',
      'recent/new.log': 'new',
      'archive/2025/01/x.txt': 'x',
      'archive/2024/12/y.txt': 'y',
      'scans/readme.txt': 'no dated folders here',
    });
    await setMtime(join(root, 'recent/old.log'), new Date('2025-01-01T12:00:00'));
    await setMtime(join(root, 'recent/new.log'), new Date('2025-01-14T12:00:00'));
    config = join(root, 's3kit.yaml');
    await writeFile(
      config,
      `
defaults:
  logDirectory: logs
  stateFile: state/s3kit-state.json
  exclude: ['*.tmp']
  connection:
    endpoint: \${TEST_S3_ENDPOINT}
jobs:
  - name: camera
    description: the day's camera folder
    source: ./camera
    target: s3://${bucket}/camera
    strategy: { type: DateFolder, format: yyyy-MM-dd }
  - name: reports
    source: ./reports
    target: s3://${bucket}/reports
    strategy: { type: FullDirectory }
  - name: recent
    source: ./recent
    target: s3://${bucket}/recent
    strategy: { type: DateRange, daysBack: 7 }
  - name: archive
    source: ./archive
    target: s3://${bucket}
    strategy: { type: CustomPattern, sourcePattern: '{year}/{month}', targetPattern: '{name}/{date:yyyy-MM}' }
  - name: scans
    source: ./scans
    target: s3://${bucket}/scans
    strategy: { type: DateFolder }
  - name: broken
    source: ./reports
    target: s3://s3kit-no-such-bucket-jobs/x
  - name: disabled
    enabled: false
    source: ./reports
    target: s3://${bucket}/disabled
`,
    );
  });

  const env = () => cliEnv({ TEST_S3_ENDPOINT: inject('s3').endpoint });

  it('runs one job per strategy for the date and puts exactly the expected keys where they belong', async () => {
    const result = await s3kit(['run', '--config', config, '--date', DATE], { env: env() });
    expect(result.code).toBe(1); // "broken" failed; the others still ran
    expect(result.stdout).toMatch(/✔ camera: success — 2 copied/);
    expect(result.stdout).toMatch(/– scans: skipped — nothing to sync for 2025-01-15: .*scans\/2025-01-15 does not exist/);
    expect(result.stdout).toMatch(/✘ broken: failure — .*does not exist \(NoSuchBucket\)/);
    expect(result.stdout).toMatch(/Run for 2025-01-15: 4 succeeded, 1 failed, 1 skipped/);
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual([
      'archive/2025-01/x.txt',
      'camera/2025-01-15/b.jpg',
      'camera/2025-01-15/c.jpg',
      'recent/new.log',
      'reports/r1.pdf',
      'reports/sub/r2.pdf',
    ]);
  });

  it('records success, failure and skip in the state file, and counts consecutive failures', async () => {
    const state = jsonFileStore(join(root, 'state/s3kit-state.json'));
    // The run history through its public reader (the state's keys are private to s3kit/jobs).
    const job = async (name: string): Promise<JobState | undefined> => (await readJobHistory(state, [name])).jobs.get(name);
    const camera = (await job('camera'))!;
    expect(camera.lastRun).toMatchObject({ status: 'success', targetDate: DATE, counts: { copied: 2 }, bytes: 2, target: `s3://${bucket}/camera/2025-01-15` });
    expect(camera.lastSuccess?.startedAt).toBe(camera.lastRun.startedAt);
    expect((await job('scans'))!.lastRun.status).toBe('skipped');
    const broken = (await job('broken'))!;
    expect(broken.consecutiveFailures).toBe(1);
    expect(broken.lastSuccess).toBeUndefined();
    expect(broken.lastRun.message).toMatch(/NoSuchBucket/);
    const history = await readJobHistory(state, ['camera', 'disabled']);
    expect([...history.jobs.keys()]).toEqual(['camera', 'disabled']);
    expect(history.jobs.get('disabled')).toBeUndefined();
    expect(history.lastRun).toMatchObject({ targetDate: DATE, success: false });

    const again = await s3kit(['run', 'camera', 'broken', '--config', config, '--date', DATE], { env: env() });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/✔ camera: success — 0 copied, 0 updated, 0 deleted, 2 unchanged/);
    expect((await job('broken'))!.consecutiveFailures).toBe(2);
    expect((await job('camera'))!.totals).toMatchObject({ runs: 2, successes: 2, filesTransferred: 2 });

    const status = await s3kit(['status', '--config', config, '--json'], { env: env() });
    const parsed = JSON.parse(status.stdout) as { lastRun: RunRecord; jobs: Record<string, JobState> };
    expect(parsed.lastRun.jobs.map((j) => j.job)).toEqual(['camera', 'broken']);
    expect(parsed.jobs.camera!.totals.runs).toBe(2);
    const text = await s3kit(['status', '--config', config], { env: env() });
    expect(text.stdout).toMatch(/✔ camera: last success at/);
    expect(text.stdout).toMatch(/disabled: never run \(disabled\)/);
  });

  it('two runs at once on one state file lose nothing', async () => {
    const state = jsonFileStore(join(root, 'state/s3kit-state.json'));
    const runsOfReports = async (): Promise<number | undefined> => (await readJobHistory(state, ['reports'])).jobs.get('reports')?.totals.runs;
    const before = (await runsOfReports())!;
    const [first, second] = await Promise.all([
      s3kit(['run', 'reports', 'recent', '--config', config, '--date', DATE], { env: env() }),
      s3kit(['run', 'reports', 'archive', '--config', config, '--date', DATE], { env: env() }),
    ]);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(JSON.parse(await readFile(join(root, 'state/s3kit-state.json'), 'utf8')).s3kitState).toBe(1);
    expect(await runsOfReports()).toBe(before + 2);
  });

  it('writes monthly logs without secrets, and clear-logs removes them', async () => {
    const logs = await readdir(join(root, 'logs'));
    expect(logs.every((name) => /^s3kit-\d{4}-\d{2}\.log$/.test(name))).toBe(true);
    const text = await readFile(join(root, 'logs', logs[0]!), 'utf8');
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z INFO {2}\[camera\] success: 2 copied/m);
    expect(text).not.toContain(inject('s3').secretAccessKey);
    const cleared = await s3kit(['clear-logs', '--config', config], { env: env() });
    expect(cleared.stdout).toMatch(/Removed 1 log file\(s\)/);
    expect(await readdir(join(root, 'logs'))).toEqual([]);
  });

  it('doctor reports the missing bucket, and a bad key', async () => {
    const good = await s3kit(['doctor', '--config', config], { env: env() });
    expect(good.code).toBe(1);
    expect(good.stdout).toMatch(/✔ credentials for http:\/\/127\.0\.0\.1:\d+: signed in as/);
    expect(good.stdout).toMatch(/✔ clock of this machine against .*: off by -?\d+ s/);
    expect(good.stdout).toMatch(new RegExp(`✔ job "camera": bucket ${bucket} can be written: wrote and removed a probe object`));
    expect(good.stdout).toMatch(/✘ job "broken": bucket s3kit-no-such-bucket-jobs exists: no such bucket — fix: create it, or check its name and region/);
    expect((await listObjects(bucket, 'camera/.s3kit-doctor')).size).toBe(0);

    const badKey = await s3kit(['doctor', '--config', config], { env: { ...env(), AWS_SECRET_ACCESS_KEY: 'not-the-secret' } });
    expect(badKey.code).toBe(1);
    expect(badKey.stdout).toMatch(/✘ credentials for .*SignatureDoesNotMatch.* — fix: check the secret access key/);
    expect(badKey.stdout).not.toContain('not-the-secret');
  });
});

describe('config errors on the command line', () => {
  it('an invalid config runs nothing and names the job, the field and what is allowed', async () => {
    const dir = await tempDir('bad-config');
    const path = join(dir, 'bad.yaml');
    await writeFile(path, 'jobs:\n  - name: nightly\n    source: ./x\n    target: s3://bucket/x\n    compare: quickly\n');
    const result = await s3kit(['run', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/job "nightly" › compare: Invalid option: expected one of "size-mtime"\|"size-only"\|"exact-timestamps"\|"checksum"/);
    const missing = await s3kit(['run', '--config', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the config file .*nope\.yaml \(ENOENT\): create it, or pass --config/);
  });

  it('schema prints the JSON Schema; strategies lists the registry with examples', async () => {
    const schema = JSON.parse((await s3kit(['schema'])).stdout) as { title: string };
    expect(schema.title).toBe('s3kit.yaml');
    const strategies = await s3kit(['strategies', '--examples']);
    expect(strategies.stdout).toMatch(/^DateFolder: /m);
    expect(strategies.stdout).toMatch(/type: CustomPattern\n\s+sourcePattern: "\{year\}\/\{month\}"/);
  });
});
