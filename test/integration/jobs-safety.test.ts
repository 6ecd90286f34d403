import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { memoryStore } from 's3kit';
import { JobLog, parseConfig, readJobHistory, runJobs } from 's3kit/jobs';
import { cliEnv, s3kit } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { createTestBucket } from '../helpers/s3.js';

const DATE = new Date(2025, 0, 15, 12);

describe('jobs whose source is missing', () => {
  it('a FullDirectory or DateRange job whose source directory does not exist fails, naming the path; a DateFolder day not yet created is skipped', async () => {
    const root = await tempDir('jobs-missing');
    await writeTree(root, { 'camera/2025-01-14/a.jpg': 'a', 'notadir': 'a file' });
    const config = parseConfig(
      `
jobs:
  - name: unmounted
    source: ./mnt/photos
    target: ./out/photos
    delete: true
  - name: recent
    source: ./mnt/recent
    target: ./out/recent
    strategy: { type: DateRange, daysBack: 2 }
  - name: file
    source: ./notadir
    target: ./out/file
  - name: camera
    source: ./camera
    target: ./out/camera
    strategy: { type: DateFolder }
  - name: camera-unmounted
    source: ./mnt/camera
    target: ./out/camera2
    strategy: { type: DateFolder }
`,
      join(root, 's3kit.yaml'),
    );
    const state = memoryStore();
    const log = new JobLog(join(root, 'logs'));
    const run = await runJobs({ config, date: DATE, state, log });
    const status = Object.fromEntries(run.jobs.map((job) => [job.job, job.status]));
    expect(status).toEqual({ unmounted: 'failure', recent: 'failure', file: 'failure', camera: 'skipped', 'camera-unmounted': 'failure' });
    expect(run.success).toBe(false);
    const message = (name: string) => run.jobs.find((job) => job.job === name)!.message;
    expect(message('unmounted')).toMatch(new RegExp(`the source directory ${join(root, 'mnt/photos')} does not exist`));
    expect(message('unmounted')).toMatch(/mount/);
    expect(message('file')).toMatch(/is not a directory/);
    expect(message('camera')).toMatch(/nothing to sync for 2025-01-15: .*camera\/2025-01-15 does not exist yet/);
    expect(message('camera-unmounted')).toMatch(new RegExp(`the source directory ${join(root, 'mnt/camera')} does not exist`));
    expect((await readJobHistory(state, ['unmounted'])).jobs.get('unmounted')?.consecutiveFailures).toBe(1);
    const logText = await readFile(join(root, 'logs', (await readdir(join(root, 'logs')))[0]!), 'utf8');
    expect(logText).toMatch(/ERROR \[unmounted\] failure: the source directory .*mnt\/photos does not exist/);
    await expect(readdir(join(root, 'out'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('s3kit run exits 1 when a source directory is missing', async () => {
    const root = await tempDir('jobs-missing-cli');
    await writeFile(join(root, 's3kit.yaml'), 'jobs:\n  - name: unmounted\n    source: ./mnt/photos\n    target: ./out\n');
    const result = await s3kit(['run', '--config', join(root, 's3kit.yaml'), '--date', '2025-01-15'], { env: cliEnv() });
    expect(result.stdout).toMatch(/✘ unmounted: failure — the source directory .*mnt\/photos does not exist/);
    expect(result.code).toBe(1);
  });
});

describe('clear-logs --remove-dir', () => {
  it('with logDirectory: . keeps the config, the state, the data and any other file', async () => {
    const root = await tempDir('clear-logs-dot');
    await writeTree(root, {
      's3kit.yaml': 'defaults:\n  logDirectory: .\njobs:\n  - name: a\n    source: ./data\n    target: ./out\n',
      'data/photo.jpg': 'the only copy',
      'notes.txt': 'mine',
      's3kit-2025-01.log': 'a log',
    });
    await mkdir(join(root, 'empty-dir'));
    const result = await s3kit(['clear-logs', '--remove-dir', '--config', join(root, 's3kit.yaml')], { env: cliEnv() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Removed 1 log file\(s\) from .*; kept the directory: it holds 4 other entries/);
    expect((await readdir(root)).sort()).toEqual(['data', 'empty-dir', 'notes.txt', 's3kit.yaml']);
    expect(await readFile(join(root, 'data/photo.jpg'), 'utf8')).toBe('the only copy');
  });
});

describe('secrets from the environment never reach logs, state or the console', () => {
  it('run, status and doctor redact secret variables, credential fields and endpoint userinfo', async () => {
    const s3 = inject('s3');
    const root = await tempDir('jobs-secrets');
    const bucket = await createTestBucket('jobs-secrets');
    await writeTree(root, { 'site/index.html': 'hello' });
    const secrets = {
      ENDPOINT_PASSWORD: 'endpoint-pw-5e3c1d',
      DEAD_ENDPOINT_PASSWORD: 'dead-endpoint-pw-9a8b7c',
      API_TOKEN: 'api-token-0f1e2d3c',
    };
    const config = join(root, 's3kit.yaml');
    await writeFile(
      config,
      `
defaults:
  connection:
    endpoint: ${s3.endpoint.replace('://', '://s3kit:${ENDPOINT_PASSWORD}@')}
jobs:
  - name: site
    source: ./site
    target: s3://${bucket}/site
    upload:
      metadata: { sessionToken: literal-session-token-77, note: 'key \${AWS_SECRET_ACCESS_KEY}' }
  - name: unreachable
    source: ./site
    target: s3://${bucket}/unreachable
    connection: { endpoint: 'http://reader:\${DEAD_ENDPOINT_PASSWORD}@127.0.0.1:9' }
  - name: tokenpath
    source: ./exports-\${API_TOKEN}
    target: s3://${bucket}/exports
`,
    );
    const env = cliEnv(secrets);
    const outputs = [
      await s3kit(['run', '--config', config, '--date', '2025-01-15'], { env }),
      await s3kit(['run', '--config', config, '--date', '2025-01-15', '--json'], { env }),
      await s3kit(['status', '--config', config], { env }),
      await s3kit(['status', '--config', config, '--json'], { env }),
      await s3kit(['doctor', '--config', config], { env }),
    ];
    expect(outputs[0]!.stdout).toMatch(/✔ site: success — 1 copied/);
    expect(outputs[0]!.stdout).toMatch(/✘ tokenpath: failure — the source directory .*exports-\*\*\* does not exist/);
    expect(outputs[4]!.stdout).toMatch(/✔ credentials for http:\/\/s3kit:\*\*\*@127\.0\.0\.1:\d+: signed in as/);
    expect(outputs[4]!.stdout).toMatch(/✘ credentials for http:\/\/reader:\*\*\*@127\.0\.0\.1:9: /);
    const files = [join(root, 's3kit-state.json'), ...(await readdir(join(root, 'logs'))).map((name) => join(root, 'logs', name))];
    const written = await Promise.all(files.map((file) => readFile(file, 'utf8')));
    expect(written.join('\n')).toMatch(/exports-\*\*\*/);
    const everything = [...outputs.flatMap((output) => [output.stdout, output.stderr]), ...written].join('\n');
    for (const secret of [...Object.values(secrets), 'literal-session-token-77', s3.secretAccessKey]) {
      expect(everything).not.toContain(secret);
    }
  });
});
