import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { jsonFileStore } from 's3kit';
import { parseConfig, readJobHistory } from 's3kit/jobs';
import { tempDir, writeTree } from '../helpers/files.js';
import { runMain, stubTestCredentials } from '../helpers/in-process.js';
import { createTestBucket, getObjectBytes, listObjects, putObject, testClient } from '../helpers/s3.js';

/*
 * `mode: bisync` jobs: a YAML job that syncs both ways on a schedule, through `s3kit run` in this
 * process (the bisync rules themselves are tested in bisync.test.ts).
 */

beforeAll(() => stubTestCredentials());

describe('a mode: bisync job', () => {
  it('needs --resync once, then propagates both ways, keeps conflicts and records its runs', async () => {
    const root = await tempDir('jobs-bisync');
    const bucket = await createTestBucket('jobs-bisync');
    await writeTree(root, { 'shared/a.txt': 'local a', 'shared/.s3kit-access-check': '' });
    await putObject(bucket, 'shared/b.txt', 'remote b');
    await putObject(bucket, 'shared/.s3kit-access-check', '');
    const config = join(root, 's3kit.yaml');
    await writeFile(
      config,
      `
defaults:
  stateFile: state/s3kit-state.json
  connection:
    endpoint: ${inject('s3').endpoint}
jobs:
  - name: shared
    mode: bisync
    source: ./shared
    target: s3://${bucket}/shared
    filters: { exclude: ['*.tmp'] }
    bisync: { conflict: keep-both, accessCheck: .s3kit-access-check, s3LockLeaseSeconds: 60 }
`,
    );
    const first = await runMain(['run', '--config', config, 'shared']);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/shared: failure — There is no baseline .*\(--resync\)/);

    const resync = await runMain(['run', '--config', config, '--resync', 'shared']);
    expect(resync.stderr).toBe('');
    expect(resync.code).toBe(0);
    expect(resync.stdout).toContain('shared: success — 1 copied to target, 1 to source, 0 deleted, 1 unchanged');
    expect(await readFile(join(root, 'shared/b.txt'), 'utf8')).toBe('remote b');
    expect((await getObjectBytes(bucket, 'shared/a.txt')).toString()).toBe('local a');
    // The baseline lives beside the state file.
    expect((await readdir(join(root, 'state/bisync'))).some((name) => name.endsWith('.baseline'))).toBe(true);

    // Both sides edit a.txt, the remote deletes b.txt, a .tmp file is excluded.
    await writeFile(join(root, 'shared/a.txt'), 'local edit');
    await writeFile(join(root, 'shared/scratch.tmp'), 'never synced');
    await putObject(bucket, 'shared/a.txt', 'remote edit!');
    await testClient().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'shared/b.txt' }));
    const run = await runMain(['run', '--config', config, '--json']);
    expect(run.code).toBe(0);
    const job = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; job?: string; status?: string; message?: string; counts?: Record<string, number> })
      .find((event) => event.event === 'job');
    expect(job).toMatchObject({ job: 'shared', status: 'success', counts: { deleted: 1 } });
    expect(job?.message).toContain('1 conflict(s)');
    const remote = [...(await listObjects(bucket, 'shared/')).keys()].sort();
    expect(remote).toEqual(['shared/.s3kit-access-check', 'shared/a.conflict-path2-' + new Date().toISOString().slice(0, 10) + '.txt', 'shared/a.txt']);
    expect((await getObjectBytes(bucket, 'shared/a.txt')).toString()).toBe('local edit');
    await expect(readFile(join(root, 'shared/b.txt'))).rejects.toThrow(/ENOENT/);

    const history = (await readJobHistory(jsonFileStore(join(root, 'state/s3kit-state.json')), ['shared'])).jobs.get('shared');
    expect(history?.totals.runs).toBe(3);
    expect(history?.lastSuccess?.message).toContain('1 conflict(s)');
  });

  it('a bisync job refuses the one-way settings, and a bisync block without the mode, naming each', () => {
    const yaml = (job: string): string => `jobs:\n  - name: j\n    source: /tmp/x\n    target: s3://bkt/p\n${job}`;
    const problems = (job: string): string => {
      try {
        parseConfig(yaml(job), 's3kit.yaml');
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    const wrong = problems('    mode: bisync\n    delete: true\n    backup: s3://bkt/old/\n    compare: checksum\n    strategy: { type: DateFolder }\n');
    expect(wrong).toContain('job "j" › delete: a bisync job propagates deletes and compares both ways by itself; remove delete.');
    expect(wrong).toContain('job "j" › backup:');
    expect(wrong).toContain('job "j" › compare:');
    expect(wrong).toContain('job "j" › strategy.type: a bisync job syncs whole locations; use FullDirectory');
    expect(problems('    bisync: { conflict: newer }\n')).toContain('job "j" › bisync: a bisync: block needs mode: bisync.');
    expect(problems('    mode: bisync\n    bisync: { conflict: ask }\n')).toMatch(/conflict/);
    expect(problems('    mode: bisync\n    bisync: { conflict: newer, s3Lock: false }\n')).toBe('');
  });
});
