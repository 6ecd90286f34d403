import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, lstat, readdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { BIN, cliEnv, s3kit, s3kitInterrupted } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { createTestBucket, getObjectBytes, incompleteUploads, listObjects, putObject, testClient } from '../helpers/s3.js';

/** Clear messages and exit codes that say what actually happened. */

const NO_STACK = /\n\s+at /;

describe('uploads list / abort: the same messages and exit codes as sync', () => {
  it.each([['list'], ['abort']])('uploads %s on a missing bucket exits 2 naming it', async (verb) => {
    const result = await s3kit(['uploads', verb, 's3://s3kit-missing-bucket-uploads', ...(verb === 'abort' ? ['--yes'] : [])]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the bucket "s3kit-missing-bucket-uploads" does not exist \(NoSuchBucket\)/);
    expect(result.stderr).not.toContain('UnknownError');
  });

  it.skipIf(inject('s3').other === undefined)('uploads list with access denied exits 2', async () => {
    const bucket = await createTestBucket('msg-up-denied');
    const other = inject('s3').other!;
    const env = cliEnv({ AWS_ACCESS_KEY_ID: other.accessKeyId, AWS_SECRET_ACCESS_KEY: other.secretAccessKey });
    const result = await s3kit(['uploads', 'list', `s3://${bucket}`], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/access denied \(AccessDenied\)/);
  });

  it('uploads list on a refused port exits 2 with the endpoint message', async () => {
    const result = await s3kit(['uploads', 'list', 's3://any-bucket', '--endpoint-url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot reach the S3 endpoint \(ECONNREFUSED\)/);
  });
});

describe('values refused at parse time, naming the flag and the limit', () => {
  it.each([
    [['presign', 's3://bucket-x/k', '--expires', ''], /"" is not a duration/],
    [['sync', '.', 's3://bucket-x', '--part-size', '6GB'], /--part-size.*at most 5 GiB/],
    [['sync', '.', 's3://bucket-x', '--part-size', '1MB'], /--part-size.*at least 5 MiB/],
    [['sync', '.', 's3://bucket-x', '--multipart-threshold', '6GiB'], /--multipart-threshold.*at most 5 GiB/],
    [['sync', '.', 's3://bucket-x', '--endpoint-url', '127.0.0.1:7480'], /did you mean http:\/\/127\.0\.0\.1:7480/],
    [['uploads', 'list', 's3://bucket-x', '--endpoint-url', 'localhost:7480'], /did you mean http:\/\/localhost:7480/],
    [['sync', '.', 's3://bucket-x', '--storage-class', 'FOO'], /--storage-class.*FOO.*STANDARD_IA/],
    [['sync', '.', 's3://bucket-x', '--max-delete', '150%'], /a percentage must be between 0% and 100%/],
    [['sync', '.', 's3://bucket-x', '--sse-kms-key-id', 'k'], /--sse-kms-key-id needs --sse aws:kms/],
    // CLI messages name flags, not the library's option names.
    [['sync', '.', 's3://bucket-x', '--delete-excluded'], /^s3kit: --delete-excluded only has an effect with --delete/],
    [['sync', 's3://bucket-x', '.', '--ignore-file-name', '.gitignore'], /^s3kit: --ignore-file-name reads ignore files from a local source/],
    [['sync', '.', 's3://bucket-x', '--part-size', '32MB', '--multipart-threshold', '16MB'], /--multipart-threshold must be at least --part-size/],
    [['presign', 's3://bucket-x/k', '--expires', '8d'], /--expires must be at most 7 days/],
  ])('%j exits 2 with one clear line', async (args, message) => {
    const root = await tempDir('msg-parse');
    const result = await s3kit(args, { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(NO_STACK);
  });

  it('--storage-class FOO uploads nothing and fails once, not per file', async () => {
    const bucket = await createTestBucket('msg-sc');
    const root = await tempDir('msg-sc');
    await writeTree(root, { 'a.txt': 'a', 'b.txt': 'b' });
    const result = await s3kit(['sync', root, `s3://${bucket}`, '--storage-class', 'FOO']);
    expect(result.code).toBe(2);
    expect(result.stderr.match(/FOO/g)).toHaveLength(1);
    expect((await listObjects(bucket)).size).toBe(0);
  });
});

describe('config errors', () => {
  it('lists a strategy type typo together with the other errors, each line on its own', async () => {
    const root = await tempDir('msg-cfg');
    const config = join(root, 's3kit.yaml');
    await writeFile(
      config,
      'jobs:\n  - name: one\n    source: ./src\n    target: s3://bucket-one/x\n    strategy: { type: DateFoldr }\n' +
        '  - name: two\n    source: ./src\n    target: s3://bucket-two/x\n    concurrency: 0\n',
    );
    const result = await s3kit(['run', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/job "two" › concurrency/);
    expect(result.stderr).toMatch(/job "one" › strategy\.type: unknown strategy "DateFoldr"/);
    expect(result.stderr).toContain('\n  - '); // a real list, not "\n" printed literally
  });

  it('names the path of a bad placeholder once', async () => {
    const root = await tempDir('msg-cfg');
    const config = join(root, 's3kit.yaml');
    await writeFile(
      config,
      'jobs:\n  - name: one\n    source: ./src\n    target: s3://bucket-one/x\n    strategy: { type: CustomPattern, sourcePattern: "{year}/{bogus}" }\n',
    );
    const result = await s3kit(['run', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/job "one" › strategy\.sourcePattern: unknown placeholder \{bogus\}/);
    expect(result.stderr.match(/sourcePattern/g)).toHaveLength(1);
  });
});

describe('downloads: what collided, and keys shaped like s3kit temp files', () => {
  it('says a directory or a symbolic link is in the way, not "case or Unicode normalisation"', async () => {
    const bucket = await createTestBucket('msg-collide');
    await putObject(bucket, 'a', 'file a');
    await putObject(bucket, 'a/b', 'file a/b');
    await putObject(bucket, 'link', 'file link');
    const target = await tempDir('msg-collide');
    await symlink('/nonexistent-s3kit-target', join(target, 'link'));
    const result = await s3kit(['sync', `s3://${bucket}`, target, '--no-follow-symlinks']);
    expect(result.code).toBe(1);
    const failures = result.stdout + result.stderr;
    expect(failures).toMatch(/a directory is at .*\/a where the file for "a" would go/);
    expect(failures).toMatch(/\/link is a symbolic link, and s3kit never writes, renames or deletes through a link/);
    expect(failures).not.toMatch(/case or Unicode normalisation/);
    expect((await lstat(join(target, 'link'))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(target, 'a', 'b'), 'utf8')).toBe('file a/b');
  });

  it('says a file is in the way of a directory the bucket needs', async () => {
    const bucket = await createTestBucket('msg-collide2');
    await putObject(bucket, 'x/y', 'file x/y');
    const target = await tempDir('msg-collide2');
    await writeFile(join(target, 'x'), 'a local file');
    const result = await s3kit(['sync', `s3://${bucket}`, target]);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/cannot use .*\/x as a directory for "x\/y": it is a file/);
    expect(await readFile(join(target, 'x'), 'utf8')).toBe('a local file');
  });

  it('skips a source key shaped like an s3kit temp file with a warning, every run, and --delete still runs', async () => {
    const bucket = await createTestBucket('msg-tempkey');
    await putObject(bucket, '.s3kit-0123456789ab.part', 'looks like a temp file');
    await putObject(bucket, 'sub/.s3kit-aaaaaaaaaaaa.part', 'also');
    await putObject(bucket, 'real.txt', 'real');
    const target = await tempDir('msg-tempkey');
    await writeFile(join(target, 'stale.txt'), 'delete me');
    for (let run = 0; run < 2; run++) {
      const result = await s3kit(['sync', `s3://${bucket}`, target, '--delete']);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/\.s3kit-0123456789ab\.part.*s3kit's own temporary files; skipped/);
      expect(result.stdout).toMatch(/0 failed/);
    }
    await expect(stat(join(target, '.s3kit-0123456789ab.part'))).rejects.toThrow();
    await expect(stat(join(target, 'stale.txt'))).rejects.toThrow();
    expect(await readFile(join(target, 'real.txt'), 'utf8')).toBe('real');
  });
});

describe('--exact-timestamps has aws-cli’s meaning: downloads only', () => {
  it('upload: a same-size older local file does not overwrite an object put by another tool', async () => {
    const bucket = await createTestBucket('msg-exact-up');
    const root = await tempDir('msg-exact-up');
    await writeTree(root, { 'k.txt': 'local' });
    await utimes(join(root, 'k.txt'), new Date('2020-01-01'), new Date('2020-01-01'));
    await putObject(bucket, 'k.txt', 'other'); // same size, newer, no stored mtime
    const result = await s3kit(['sync', root, `s3://${bucket}`, '--exact-timestamps']);
    expect(result.code).toBe(0);
    expect((await getObjectBytes(bucket, 'k.txt')).toString()).toBe('other');
  });

  it('download: a same-size object whose time differs is downloaded', async () => {
    const bucket = await createTestBucket('msg-exact-down');
    await putObject(bucket, 'k.txt', 'other');
    const target = await tempDir('msg-exact-down');
    await writeFile(join(target, 'k.txt'), 'local');
    // Newer than the object: the default rule keeps it, --exact-timestamps does not.
    await utimes(join(target, 'k.txt'), new Date(Date.now() + 3_600_000), new Date(Date.now() + 3_600_000));
    const result = await s3kit(['sync', `s3://${bucket}`, target, '--exact-timestamps']);
    expect(result.code).toBe(0);
    expect(await readFile(join(target, 'k.txt'), 'utf8')).toBe('other');
  });
});

describe('uploads list and abort: readable ages, a confirmation, --dryrun and --json', () => {
  async function startUpload(bucket: string, key: string): Promise<void> {
    const client = testClient();
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: Buffer.alloc(5 * 1024 * 1024, 1) }));
  }

  it('shows ages readably; refuses to abort everything off a terminal without --yes; --dryrun and --json abort nothing', async () => {
    const bucket = await createTestBucket('msg-uploads');
    await startUpload(bucket, 'big.bin');
    const listed = await s3kit(['uploads', 'list', `s3://${bucket}`]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^big\.bin {2}1 part\(s\), 5(\.0)? MiB, started \d+ s ago, not resumable/m);

    const refused = await s3kit(['uploads', 'abort', `s3://${bucket}`]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/would abort all 1 upload\(s\) .* pass --yes/);
    expect(await incompleteUploads(bucket)).toBe(1);

    const dry = await s3kit(['uploads', 'abort', `s3://${bucket}`, '--dryrun']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/\(dryrun\) aborted: big\.bin/);
    const dryJson = await s3kit(['uploads', 'abort', `s3://${bucket}`, '--dry-run', '--json']);
    expect(dryJson.code).toBe(0);
    expect(JSON.parse(dryJson.stdout.trim())).toMatchObject({ key: 'big.bin', parts: 1, aborted: false });
    expect(await incompleteUploads(bucket)).toBe(1);

    const recent = await s3kit(['uploads', 'abort', `s3://${bucket}`, '--older-than', '1h']);
    expect(recent.code).toBe(0);
    expect(recent.stdout).toMatch(/Aborted 0 upload\(s\)/);
    expect(await incompleteUploads(bucket)).toBe(1);

    const done = await s3kit(['uploads', 'abort', `s3://${bucket}`, '--yes', '--json']);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout.trim())).toMatchObject({ key: 'big.bin', aborted: true });
    expect(await incompleteUploads(bucket)).toBe(0);
  });
});

describe('usage hints name commands that exist', () => {
  it.each([
    [['uploads', 'abort', 's3://bucket-x', '--frob'], 's3kit uploads abort --help'],
    [['sync', '.', 's3://bucket-x', '--frob'], 's3kit sync --help'],
  ])('%j', async (args, hint) => {
    const result = await s3kit(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`(run "${hint}" for usage)`);
  });
});

describe('the summary counts keys only in the target apart from unchanged ones', () => {
  it('"unchanged" counts equal keys; target-only keys kept are named separately (text and JSON)', async () => {
    const bucket = await createTestBucket('msg-kept');
    const root = await tempDir('msg-kept');
    await writeTree(root, { 'a.txt': 'a' });
    expect((await s3kit(['sync', root, `s3://${bucket}`])).code).toBe(0);
    await putObject(bucket, 'only-1.txt', '1');
    await putObject(bucket, 'only-2.txt', '2');
    const text = await s3kit(['sync', root, `s3://${bucket}`]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/0 deleted, 1 unchanged, 2 kept in target \(not in the source\), 0 failed/);
    const json = await s3kit(['sync', root, `s3://${bucket}`, '--json']);
    const summary = JSON.parse(json.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(summary).toMatchObject({ skipped: { count: 3 }, keptInTarget: { count: 2, bytes: 2 } });
  });
});

describe('Ctrl-C: the message says what was kept, for the direction at hand', () => {
  const MiB = 1024 * 1024;
  const flags = ['--multipart-threshold', '5MB', '--part-size', '5MB', '--concurrency', '1', '--json'];

  it.each([
    [[] as string[], /interrupted; partly downloaded large objects are kept .* the next run resumes them/, true],
    [['--no-resume'], /interrupted; partial downloads were removed/, false],
  ])('a download interrupted with %j does not talk about uploads', async (extra, message, keepsTemp) => {
    const bucket = await createTestBucket('msg-sigint-down');
    await putObject(bucket, 'big.bin', Buffer.alloc(48 * MiB, 7));
    const target = await tempDir('msg-sigint-down');
    const result = await s3kitInterrupted(['sync', `s3://${bucket}`, target, ...flags, ...extra], (stdout) => stdout.includes('"event":"progress"'));
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/upload/);
    const left = await readdir(target);
    expect(left).not.toContain('big.bin');
    expect(left.some((name) => /^\.s3kit-[0-9a-f]{12}\.part$/.test(name))).toBe(keepsTemp);
  });
});

describe('dry runs: both spellings everywhere, and run --dry-run records nothing', () => {
  it.each([['--dry-run'], ['--dryrun']])('run %s says "dry run", transfers nothing and writes no log or state', async (flag) => {
    const bucket = await createTestBucket('msg-run-dry');
    const root = await tempDir('msg-run-dry');
    await writeTree(root, { 'src/a.txt': 'a' });
    const config = join(root, 's3kit.yaml');
    await writeFile(config, `jobs:\n  - name: one\n    source: ./src\n    target: s3://${bucket}/x\n`);
    const result = await s3kit(['run', '--config', config, flag]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/dry run/i);
    expect((await listObjects(bucket)).size).toBe(0);
    expect((await readdir(root)).sort()).toEqual(['s3kit.yaml', 'src']); // no logs/, no state file
  });

  it('sync --help shows --dryrun and --dry-run; plan and apply take both', async () => {
    const help = await s3kit(['sync', '--help']);
    expect(help.stdout).toMatch(/--dryrun\b/);
    expect(help.stdout).toMatch(/--dry-run\b/);
    const bucket = await createTestBucket('msg-apply-dry');
    const root = await tempDir('msg-apply-dry');
    await writeTree(root, { 'a.txt': 'a' });
    const plan = await s3kit(['plan', root, `s3://${bucket}`, '--json', '--dry-run']);
    expect(plan.code).toBe(0);
    const planFile = join(root, '..', `${bucket}.ndjson`);
    await writeFile(planFile, plan.stdout);
    for (const flag of ['--dryrun', '--dry-run']) {
      const applied = await s3kit(['apply', planFile, flag]);
      expect(applied.code).toBe(0);
      expect(applied.stdout).toContain('dry run: nothing was changed');
    }
    expect((await listObjects(bucket)).size).toBe(0);
  });
});

describe('credentials: each problem its own message', () => {
  let home: string;
  beforeAll(async () => {
    home = await tempDir('msg-home');
    await writeTree(home, {
      'failing.sh': '#!/bin/sh\necho "sso session expired, run login" >&2\nexit 3\n',
      'expired.sh': '#!/bin/sh\necho \'{"Version":1,"AccessKeyId":"a","SecretAccessKey":"b","SessionToken":"c","Expiration":"2020-01-01T00:00:00Z"}\'\n',
      '.aws/config': `[profile failing]\ncredential_process = ${home}/failing.sh\n[profile expired]\ncredential_process = ${home}/expired.sh\n`,
    });
    await chmod(join(home, 'failing.sh'), 0o755);
    await chmod(join(home, 'expired.sh'), 0o755);
  });

  it.each([
    ['nosuch', /the profile "nosuch" is not in ~\/\.aws\/config or ~\/\.aws\/credentials/],
    ['failing', /credential_process failed and said: sso session expired, run login/],
    ['expired', /credential_process of profile "expired" returned expired credentials/],
  ])('--profile %s', async (profile, message) => {
    const env = cliEnv({ HOME: home, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    const root = await tempDir('msg-cred');
    for (const args of [['sync', root, 's3://any-bucket', '--profile', profile], ['uploads', 'list', 's3://any-bucket', '--profile', profile]]) {
      const result = await s3kit(args, { env });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/no AWS credentials found/);
    }
  });

  it('doctor with a wrong secret says what the 403s mean', async () => {
    const bucket = await createTestBucket('msg-doctor');
    const root = await tempDir('msg-doctor');
    await writeTree(root, { 'src/a.txt': 'a' });
    const config = join(root, 's3kit.yaml');
    await writeFile(config, `jobs:\n  - name: one\n    source: ./src\n    target: s3://${bucket}/x\n`);
    const result = await s3kit(['doctor', '--config', config], { env: cliEnv({ AWS_SECRET_ACCESS_KEY: 'wrong-secret' }) });
    expect(result.code).toBe(1);
    const out = result.stdout + result.stderr;
    expect(out).toMatch(/SignatureDoesNotMatch.*fix: check the secret access key/);
    expect(out).not.toMatch(/see the message/);
    expect(out).not.toContain('wrong-secret');
  });
});

describe('S3 → S3 summaries', () => {
  it('a no-op and a dry run do not report "Copied server-side: 0 B"', async () => {
    const from = await createTestBucket('msg-s3s3-from');
    const to = await createTestBucket('msg-s3s3-to');
    await putObject(from, 'a.txt', 'a');
    const first = await s3kit(['sync', `s3://${from}`, `s3://${to}`]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Copied server-side: 1 B/);
    await putObject(from, 'b.txt', 'b');
    const dry = await s3kit(['sync', `s3://${from}`, `s3://${to}`, '--dryrun']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).not.toMatch(/Copied server-side/);
    await s3kit(['sync', `s3://${from}`, `s3://${to}`]);
    const noop = await s3kit(['sync', `s3://${from}`, `s3://${to}`]);
    expect(noop.code).toBe(0);
    expect(noop.stdout).toMatch(/2 unchanged/);
    expect(noop.stdout).not.toMatch(/Copied server-side/);
  });
});

describe('commands that never connect do not need connection variables', () => {
  it('status and clear-logs work with ${AWS_REGION} unset in a connection block; run still names it', async () => {
    const root = await tempDir('msg-status');
    await writeTree(root, { 'src/a.txt': 'a' });
    const config = join(root, 's3kit.yaml');
    await writeFile(
      config,
      'defaults:\n  connection: { region: "${S3KIT_TEST_UNSET_REGION}" }\njobs:\n  - name: one\n    source: ./src\n    target: s3://bucket-one/x\n' +
        '    connection: { endpoint: "${S3KIT_TEST_UNSET_ENDPOINT}" }\n',
    );
    const status = await s3kit(['status', '--config', config]);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/No run recorded yet/);
    const clear = await s3kit(['clear-logs', '--config', config]);
    expect(clear.code).toBe(0);
    const run = await s3kit(['run', '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/S3KIT_TEST_UNSET_REGION is not set/);
  });
});

describe('a resumed upload says so and counts only the bytes it sent', () => {
  it('prints what was kept and what was sent, and a Resumed line in the summary', async () => {
    const MiB = 1024 * 1024;
    const bucket = await createTestBucket('msg-resume');
    const root = await tempDir('msg-resume');
    const content = Buffer.alloc(64 * MiB);
    for (let i = 0; i < content.length; i += 4096) content[i] = (i >> 12) % 256;
    await writeFile(join(root, 'big.bin'), content);
    const flags = ['--multipart-threshold', '5MB', '--part-size', '5MB'];
    const first = await s3kitInterrupted(['sync', root, `s3://${bucket}`, '--json', ...flags], (stdout) => stdout.includes('"event":"progress"'));
    expect(first.code).toBe(130);
    const resumed = await s3kit(['sync', root, `s3://${bucket}`, ...flags]);
    expect(resumed.code).toBe(0);
    const line = /upload: .*big\.bin to s3:\/\/\S+\/big\.bin \(resumed: ([\d.]+) MiB kept from an earlier run, ([\d.]+) MiB sent\)/.exec(resumed.stdout);
    expect(line).not.toBeNull();
    expect(Number(line![1]) + Number(line![2])).toBeCloseTo(64, 0);
    expect(resumed.stdout).toMatch(/Resumed: 1 upload\(s\), [\d.]+ MiB kept from earlier runs \(not sent again\)/);
    expect((await getObjectBytes(bucket, 'big.bin')).equals(content)).toBe(true);
  });
});

describe('the library example', () => {
  it('runs as written with only AWS_ENDPOINT_URL and keys set', async () => {
    const bucket = await createTestBucket('msg-example');
    const project = join(import.meta.dirname, '..', '..');
    const s3 = inject('s3');
    const env = {
      PATH: process.env.PATH!,
      HOME: '/nonexistent-s3kit-home',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AWS_ENDPOINT_URL: s3.endpoint,
    };
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(process.execPath, ['examples/sync-a-site.mjs', './examples/site', `s3://${bucket}/www`], { cwd: project, env }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, out: stdout + stderr }),
      );
    });
    expect(result.out).not.toMatch(/^failed |Error/m);
    expect(result.code).toBe(0);
    expect([...(await listObjects(bucket, 'www/')).keys()]).toContain('www/index.html');
  });
});

describe('uploads abort asks on a terminal', () => {
  /** Runs s3kit on a pseudo-terminal (util-linux `script`), answering the prompt once it shows. */
  function onTerminal(args: string[], answer: string): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const command = [process.execPath, BIN, ...args].map((word) => `'${word}'`).join(' ');
      const child = spawn('script', ['-qfec', command, '/dev/null'], { env: cliEnv() });
      let output = '';
      let answered = false;
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (!answered && output.includes('[y/N]')) {
          answered = true;
          child.stdin.write(`${answer}\r`);
        }
      });
      const timer = setTimeout(() => child.kill(), 30_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
  }

  it.skipIf(!existsSync('/usr/bin/script'))('aborts only after "y"', async () => {
    const bucket = await createTestBucket('msg-confirm');
    const client = testClient();
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'k.bin' }));
    await client.send(new UploadPartCommand({ Bucket: bucket, Key: 'k.bin', UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 1) }));
    const no = await onTerminal(['uploads', 'abort', `s3://${bucket}`], 'n');
    expect(no.output).toMatch(/Abort all 1 incomplete upload\(s\)/);
    expect(no.output).toMatch(/nothing aborted/);
    expect(await incompleteUploads(bucket)).toBe(1);
    const yes = await onTerminal(['uploads', 'abort', `s3://${bucket}`], 'y');
    expect(yes.code).toBe(0);
    expect(yes.output).toMatch(/Aborted 1 upload\(s\)/);
    expect(await incompleteUploads(bucket)).toBe(0);
  });
});
