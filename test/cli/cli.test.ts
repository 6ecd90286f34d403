import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { allOutput, cliEnv, s3kit, s3kitInterrupted } from '../helpers/cli.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { createTestBucket, getObjectBytes, headObject, incompleteUploads, listObjects } from '../helpers/s3.js';

const MiB = 1024 * 1024;
const ESC = '\u001b';

async function putObjectRaw(bucket: string, key: string, body: string): Promise<void> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const { testClient } = await import('../helpers/s3.js');
  await testClient().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('s3kit sync', () => {
  let bucket: string;
  let root: string;

  beforeAll(async () => {
    bucket = await createTestBucket('cli-sync');
    root = await tempDir('cli');
    await writeTree(root, { 'index.html': '<p>hi</p>', 'css/site.css': 'body{}', 'notes.tmp': 'scratch' });
  });

  it('uploads with aws-cli style lines and a summary, then finds nothing to do', async () => {
    const first = await s3kit(['sync', root, `s3://${bucket}/www`, '--exclude', '*.tmp']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`upload: ${join(root, 'index.html')} to s3://${bucket}/www/index.html`);
    expect(first.stdout).toContain(`upload: ${join(root, 'css/site.css')} to s3://${bucket}/www/css/site.css`);
    expect(first.stdout).toMatch(/Done: 2 uploaded \(15 B\), 0 updated \(0 B\), 0 deleted, 0 unchanged, 0 failed/);
    expect(first.stdout + first.stderr).not.toContain(ESC); // not a terminal: no control codes
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(['www/css/site.css', 'www/index.html']);
    expect((await headObject(bucket, 'www/index.html')).ContentType).toBe('text/html');

    const second = await s3kit(['sync', root, `s3://${bucket}/www`, '--exclude', '*.tmp']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Done: 0 uploaded .* 2 unchanged, 0 failed/);
    expect(second.stdout).not.toContain('upload:');
  });

  it('--json prints only JSON: one object per event and a final summary', async () => {
    await writeFile(join(root, 'new.txt'), 'new');
    const result = await s3kit(['sync', root, `s3://${bucket}/www`, '--exclude', '*.tmp', '--json']);
    expect(result.code).toBe(0);
    const records = jsonLines(result.stdout);
    const events = records.map((r) => r.event);
    expect(events).toContain('planned');
    expect(events).toContain('transferStart');
    expect(events).toContain('transferEnd');
    expect(events).toContain('skipped');
    expect(events.at(-1)).toBe('summary');
    expect(records.find((r) => r.event === 'transferEnd')).toMatchObject({ key: 'new.txt', type: 'copy', method: 'put', size: 3 });
    expect(records.at(-1)).toMatchObject({ copied: { count: 1, bytes: 3 }, failedCount: 0 });
  });

  it('--dryrun shows what would happen and changes nothing', async () => {
    await writeFile(join(root, 'dry.txt'), 'dry');
    const result = await s3kit(['sync', root, `s3://${bucket}/www`, '--dryrun', '--delete']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`(dryrun) upload: ${join(root, 'dry.txt')} to s3://${bucket}/www/dry.txt`);
    expect(result.stdout).toContain('dry run: nothing was changed');
    expect((await listObjects(bucket, 'www/')).has('www/dry.txt')).toBe(false);
  });

  it('maps upload options to the stored object', async () => {
    const result = await s3kit([
      'sync', root, `s3://${bucket}/opts`, '--exclude', '*', '--include', 'index.html',
      '--storage-class', 'STANDARD_IA', '--cache-control', 'max-age=9', '--content-type', 'text/plain',
      '--metadata', 'team=web,env=test', '--sse', 'aws:kms', '--sse-kms-key-id', 'testkey-1',
    ]);
    expect(result.code).toBe(0);
    expect([...(await listObjects(bucket, 'opts/')).keys()]).toEqual(['opts/index.html']);
    const head = await headObject(bucket, 'opts/index.html');
    expect(head).toMatchObject({ StorageClass: 'STANDARD_IA', CacheControl: 'max-age=9', ContentType: 'text/plain', ServerSideEncryption: 'aws:kms' });
    expect(head.Metadata).toMatchObject({ team: 'web', env: 'test' });
  });
});

describe('other directions', () => {
  it('downloads with aws-cli style lines', async () => {
    const bucket = await createTestBucket('cli-down');
    const root = await tempDir('cli-down-src');
    await writeTree(root, { 'a.txt': 'a', 'dir/b.txt': 'b' });
    await s3kit(['sync', root, `s3://${bucket}/p`]);
    const target = join(await tempDir('cli-down'), 'out');
    const result = await s3kit(['sync', `s3://${bucket}/p`, target]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`download: s3://${bucket}/p/dir/b.txt to ${join(target, 'dir/b.txt')}`);
    expect(result.stdout).toMatch(/Done: 2 downloaded/);
    expect(await readFile(join(target, 'dir/b.txt'), 'utf8')).toBe('b');
  });

  it('copies between buckets server-side and reports what that saved', async () => {
    const from = await createTestBucket('cli-copy-a');
    const to = await createTestBucket('cli-copy-b');
    const root = await tempDir('cli-copy');
    await writeTree(root, { 'x.txt': 'xx', 'y.txt': 'yyy' });
    await s3kit(['sync', root, `s3://${from}`]);
    const result = await s3kit(['sync', `s3://${from}`, `s3://${to}/mirror`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`copy: s3://${from}/x.txt to s3://${to}/mirror/x.txt`);
    expect(result.stdout).toMatch(/Done: 2 copied \(5 B\)/);
    expect(result.stdout).toMatch(/Methods: 2 server-copy; \d+ requests\./);
    expect(result.stdout).toMatch(/Copied server-side: 5 B \(never through s3kit\); streamed: 0 B; 2 requests avoided versus download \+ upload\./);
    expect([...(await listObjects(to)).keys()].sort()).toEqual(['mirror/x.txt', 'mirror/y.txt']);
  });

  it.skipIf(inject('s3b') === undefined)('streams from another service named by --source-endpoint-url and --source-profile', async () => {
    const b = inject('s3b')!;
    const home = await tempDir('cli-home');
    await writeTree(home, {
      '.aws/credentials': `[other-service]\naws_access_key_id = ${b.accessKeyId}\naws_secret_access_key = ${b.secretAccessKey}\n`,
    });
    const env = cliEnv({ HOME: home });
    const remote = `s3kit-cli-remote-${Date.now().toString(36)}`;
    const envB = cliEnv({ HOME: home, AWS_ENDPOINT_URL: b.endpoint, AWS_ACCESS_KEY_ID: b.accessKeyId, AWS_SECRET_ACCESS_KEY: b.secretAccessKey });
    const root = await tempDir('cli-remote');
    await writeTree(root, { 'r.txt': 'remote bytes' });
    const { CreateBucketCommand, S3Client } = await import('@aws-sdk/client-s3');
    await new S3Client({ endpoint: b.endpoint, region: b.region, forcePathStyle: true, credentials: { accessKeyId: b.accessKeyId, secretAccessKey: b.secretAccessKey } }).send(
      new CreateBucketCommand({ Bucket: remote }),
    );
    expect((await s3kit(['sync', root, `s3://${remote}`], { env: envB })).code).toBe(0);

    const to = await createTestBucket('cli-streamed');
    const result = await s3kit(['sync', `s3://${remote}`, `s3://${to}`, '--source-endpoint-url', b.endpoint, '--source-profile', 'other-service'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Methods: 1 stream-copy/);
    expect(result.stdout).toMatch(/streamed: 12 B/);
    expect((await getObjectBytes(to, 'r.txt')).toString()).toBe('remote bytes');
    expect(result.stdout + result.stderr).not.toContain(b.secretAccessKey);
  });
});

describe('output levels', () => {
  it('--only-show-errors prints warnings but no transfer lines; --quiet prints nothing', async () => {
    const bucket = await createTestBucket('cli-quiet');
    const root = await tempDir('cli-quiet');
    await writeTree(root, { 'a.txt': 'a' });
    await symlink(join(root, 'nowhere'), join(root, 'broken-link'));
    const errorsOnly = await s3kit(['sync', root, `s3://${bucket}`, '--only-show-errors']);
    expect(errorsOnly.code).toBe(0);
    expect(errorsOnly.stdout).toBe('');
    expect(errorsOnly.stderr).toMatch(/warning: .*broken-link: symbolic link to nothing \(an unmounted drive\?\); skipped, and deletes are cancelled/);
    await writeTree(root, { 'b.txt': 'b' });
    const quiet = await s3kit(['sync', root, `s3://${bucket}`, '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout + quiet.stderr).toBe('');
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(['a.txt', 'b.txt']);
  });
});

describe('deletes and exit codes', () => {
  it('exits 3 when --max-delete refuses the delete phase, and deletes within the limit', async () => {
    const bucket = await createTestBucket('cli-maxdel');
    const root = await tempDir('cli-maxdel');
    await writeTree(root, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}.txt`, `${i}`])));
    expect((await s3kit(['sync', root, `s3://${bucket}`])).code).toBe(0);
    for (let i = 0; i < 4; i++) await rm(join(root, `f${i}.txt`));

    const refused = await s3kit(['sync', root, `s3://${bucket}`, '--delete', '--max-delete', '2']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/4 delete\(s\) refused: more than maxDelete 2/);
    expect((await listObjects(bucket)).size).toBe(10);

    const allowed = await s3kit(['sync', root, `s3://${bucket}`, '--delete', '--max-delete', '40%']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain(`delete: s3://${bucket}/f0.txt`);
    expect((await listObjects(bucket)).size).toBe(6);
  });

  it('exits 1 when an upload fails, and 3 when that also cancels deletes', async () => {
    const bucket = await createTestBucket('cli-fail');
    const root = await tempDir('cli-fail');
    await writeTree(root, { 'stale.txt': 'old' });
    await s3kit(['sync', root, `s3://${bucket}`]);
    await rm(join(root, 'stale.txt'));
    // radosgw refuses keys longer than 1024 bytes: a real per-object failure.
    const longKey = `${Array.from({ length: 6 }, (_, i) => String(i).repeat(200)).join('/')}/file.txt`;
    await writeTree(root, { [longKey]: 'deep', 'ok.txt': 'ok' });

    const failed = await s3kit(['sync', root, `s3://${bucket}`]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/upload failed: .*file\.txt to s3:\/\/.*: the server refuses this key \(InvalidObjectName\)/);
    expect(failed.stdout).toMatch(/1 failed/);

    const withDelete = await s3kit(['sync', root, `s3://${bucket}`, '--delete']);
    expect(withDelete.code).toBe(3);
    expect(withDelete.stderr).toMatch(/1 delete\(s\) skipped because 1 transfer\(s\) failed/);
    expect((await listObjects(bucket)).has('stale.txt')).toBe(true);
  });
});

describe('errors a user will hit', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir('cli-errors');
    await writeTree(root, { 'a.txt': 'a' });
  });

  it.each([
    [['sync', '.', 's3://bucket-x', '--frobnicate'], /unknown option '--frobnicate'/],
    [['sync', '.'], /missing required argument 'target'/],
    [['sync', '.', 's3://bucket-x', '--part-size', '5XB'], /"5XB" is not a size/],
    [['sync', '.', 's3://bucket-x', '--max-delete', 'lots'], /neither a count/],
    [['sync', '.', 's3://bucket-x', '--size-only', '--checksum'], /cannot be used with/],
    [['sync', '.', 's3://Bad_Bucket'], /invalid bucket name/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j exits 2 with one clear line', async (args, message) => {
    const result = await s3kit(args as string[], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a bucket that does not exist', async () => {
    const result = await s3kit(['sync', root, 's3://s3kit-missing-bucket-cli']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the bucket "s3kit-missing-bucket-cli" does not exist \(NoSuchBucket\)/);
  });

  it('a wrong secret key', async () => {
    const bucket = await createTestBucket('cli-denied');
    const result = await s3kit(['sync', root, `s3://${bucket}`], { env: cliEnv({ AWS_SECRET_ACCESS_KEY: 'wrong-secret' }) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/SignatureDoesNotMatch.*check the secret access key/);
    expect(result.stderr).not.toContain('wrong-secret');
  });

  it.skipIf(inject('s3').other === undefined)('access denied: valid credentials without permission on the bucket', async () => {
    const bucket = await createTestBucket('cli-forbidden');
    const other = inject('s3').other!;
    const env = cliEnv({ AWS_ACCESS_KEY_ID: other.accessKeyId, AWS_SECRET_ACCESS_KEY: other.secretAccessKey });
    const result = await s3kit(['sync', root, `s3://${bucket}`], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/access denied \(AccessDenied\): the credentials in use lack permission for the bucket/);
    expect(result.stderr).not.toContain(other.secretAccessKey);
  });

  it('an unknown access key', async () => {
    const result = await s3kit(['sync', root, 's3://any-bucket'], { env: cliEnv({ AWS_ACCESS_KEY_ID: 'NOSUCHKEY' }) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/InvalidAccessKeyId/);
  });

  it('a wrong endpoint', async () => {
    const result = await s3kit(['sync', root, 's3://any-bucket', '--endpoint-url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot reach the S3 endpoint \(ECONNREFUSED\)/);
  });

  it('no credentials at all', async () => {
    const env = cliEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    const result = await s3kit(['sync', root, 's3://any-bucket'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no AWS credentials found/);
  });

  it('a missing source directory', async () => {
    const result = await s3kit(['sync', join(root, 'nope'), 's3://any-bucket']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/source directory .*nope does not exist/);
  });
});

describe('plan and apply', () => {
  it('prints a table, saves an NDJSON plan, applies it, and refuses it once the source changed', async () => {
    const bucket = await createTestBucket('cli-plan');
    const root = await tempDir('cli-plan');
    await writeTree(root, { 'a.txt': 'a', 'b.txt': 'bb' });
    await s3kit(['sync', root, `s3://${bucket}`]);
    await writeTree(root, { 'b.txt': 'changed', 'c.txt': 'new' });
    await rm(join(root, 'a.txt'));

    const table = await s3kit(['plan', root, `s3://${bucket}`, '--delete']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^update +7 B {2}b\.txt {2}\(size-differs\)$/m);
    expect(table.stdout).toMatch(/^copy +3 B {2}c\.txt {2}\(missing-in-target\)$/m);
    expect(table.stdout).toMatch(/^delete +1 B {2}a\.txt {2}\(missing-in-source\)$/m);
    expect(table.stdout).toMatch(/Plan: 1 to copy \(3 B\), 1 to update \(7 B\), 1 to delete, 0 unchanged or kept\./);
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(['a.txt', 'b.txt']); // nothing executed

    const saved = await s3kit(['plan', root, `s3://${bucket}`, '--delete', '--json']);
    const records = jsonLines(saved.stdout);
    expect(records[0]).toMatchObject({ type: 'plan', version: 1, source: root, target: `s3://${bucket}/` });
    expect(JSON.stringify(records[0])).not.toContain(inject('s3').secretAccessKey);
    expect(records.filter((r) => r.type === 'action')).toHaveLength(3);
    const planFile = join(await tempDir('plans'), 'plan.ndjson');
    await writeFile(planFile, saved.stdout);

    const applied = await s3kit(['apply', planFile]);
    expect(applied.code).toBe(0);
    expect([...(await listObjects(bucket)).keys()].sort()).toEqual(['b.txt', 'c.txt']);
    expect((await getObjectBytes(bucket, 'b.txt')).toString()).toBe('changed');

    // The same plan again: the target has changed since, so apply refuses and touches nothing.
    await writeTree(root, { 'd.txt': 'another' });
    const stale = await s3kit(['apply', planFile]);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/The plan is out of date at "a\.txt": the plan has delete "a\.txt", which is no longer there\. Make a new plan\./);
    expect((await listObjects(bucket)).has('d.txt')).toBe(false);
  });

  it('keeps a relative --backup-dir where the plan was made, whatever directory apply runs in', async () => {
    const bucket = await createTestBucket('cli-plan-backup');
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const { testClient } = await import('../helpers/s3.js');
    await testClient().send(new PutObjectCommand({ Bucket: bucket, Key: 'a.txt', Body: 'a' }));
    const root = await tempDir('cli-plan-backup');
    await writeTree(root, { 'here/target/a.txt': 'a', 'here/target/extra.txt': 'only here', 'elsewhere/.keep': '' });
    const saved = await s3kit(['plan', `s3://${bucket}`, 'target', '--delete', '--max-delete', '100%', '--backup-dir', 'bk', '--json'], { cwd: join(root, 'here') });
    expect(saved.code).toBe(0);
    const planFile = join(root, 'plan.ndjson');
    await writeFile(planFile, saved.stdout);

    const applied = await s3kit(['apply', planFile], { cwd: join(root, 'elsewhere') });
    expect(applied.code).toBe(0);
    expect(await readFile(join(root, 'here', 'bk', 'extra.txt'), 'utf8')).toBe('only here');
    await expect(readFile(join(root, 'elsewhere', 'bk', 'extra.txt'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('executes nothing of an out-of-date plan, even when the difference comes late and stdout is not a terminal', async () => {
    const bucket = await createTestBucket('cli-stale');
    const root = await tempDir('cli-stale');
    await writeTree(root, { 'a.txt': 'first', 'm.txt': 'middle', 'z.txt': 'last' });
    const saved = await s3kit(['plan', root, `s3://${bucket}`, '--json']);
    expect(saved.code).toBe(0);
    const planFile = join(await tempDir('stale-plans'), 'plan.ndjson');
    await writeFile(planFile, saved.stdout);
    await writeTree(root, { 'z.txt': 'last, but longer now' }); // the last key differs

    const stale = await s3kit(['apply', planFile]);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/out of date at "z\.txt"/);
    expect(await listObjects(bucket)).toEqual(new Map()); // not a.txt, not m.txt: nothing at all
  });

  it.each([
    ['a header without settings', (header: Record<string, unknown>) => ({ ...header, settings: undefined }), /plan file line 1: "settings" must be an object/],
    ['settings that are not an object', (header: Record<string, unknown>) => ({ ...header, settings: 'x' }), /plan file line 1: "settings" must be an object/],
    ['an unknown setting', (header: Record<string, unknown>) => ({ ...header, settings: { ...(header.settings as object), frobnicate: 1 } }), /plan file line 1: unknown setting "frobnicate"/],
    ['a setting with a bad value', (header: Record<string, unknown>) => ({ ...header, settings: { ...(header.settings as object), compare: 'bogus' } }), /compare/],
    ['a source that is not a string', (header: Record<string, unknown>) => ({ ...header, source: 5 }), /not an s3kit plan file/],
  ])('refuses a plan with %s: exit 2, no stack trace', async (_what, edit, message) => {
    const bucket = await createTestBucket('cli-badplan');
    const root = await tempDir('cli-badplan');
    await writeTree(root, { 'a.txt': 'a' });
    const saved = await s3kit(['plan', root, `s3://${bucket}`, '--json']);
    const [header, ...rest] = saved.stdout.trim().split('\n');
    const planFile = join(await tempDir('bad-plans'), 'plan.ndjson');
    await writeFile(planFile, [JSON.stringify(edit(JSON.parse(header!) as Record<string, unknown>)), ...rest].join('\n') + '\n');
    const result = await s3kit(['apply', planFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await listObjects(bucket)).toEqual(new Map());
  });

  it.each([
    ['an action without a key', { type: 'copy', reason: 'missing-in-target', source: { key: 'a.txt', size: 1, mtimeMs: 0 } }, /plan file line 2: the action has no "key"/],
    ['an unknown action type', { type: 'explode', key: 'a.txt', reason: 'x' }, /plan file line 2: unknown action type "explode"/],
    ['a copy without its source entry', { type: 'copy', key: 'a.txt', reason: 'missing-in-target' }, /plan file line 2: a copy action needs a "source" entry/],
    ['an entry with a negative size', { type: 'copy', key: 'a.txt', reason: 'missing-in-target', source: { key: 'a.txt', size: -1, mtimeMs: 0 } }, /plan file line 2: "source\.size" is invalid/],
  ])('refuses a plan with %s: exit 2 and the line number', async (_what, action, message) => {
    const bucket = await createTestBucket('cli-badaction');
    const root = await tempDir('cli-badaction');
    await writeTree(root, { 'a.txt': 'a' });
    const saved = await s3kit(['plan', root, `s3://${bucket}`, '--json']);
    const [header] = saved.stdout.trim().split('\n');
    const planFile = join(await tempDir('bad-actions'), 'plan.ndjson');
    await writeFile(planFile, `${header!}\n${JSON.stringify({ type: 'action', action })}\n`);
    const result = await s3kit(['apply', planFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await listObjects(bucket)).toEqual(new Map());
  });

  it('escapes control characters in keys, so a key cannot fake an output line or move the cursor', async () => {
    const bucket = await createTestBucket('cli-escape');
    const root = await tempDir('cli-escape');
    await writeTree(root, { 'evil\nDone: 0 uploaded (0 B)\u001b[2J.txt': 'x', 'ok.txt': 'y' });
    for (const args of [['sync', root, `s3://${bucket}`, '--dryrun'], ['plan', root, `s3://${bucket}`], ['sync', root, `s3://${bucket}`]]) {
      const result = await s3kit(args);
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(/^Done: 0 uploaded \(0 B\)/m);
      expect(result.stdout + result.stderr).not.toContain(ESC);
      expect(result.stdout).toContain('evil\\nDone: 0 uploaded (0 B)\\x1b[2J.txt');
    }
    const download = await s3kit(['sync', `s3://${bucket}`, await tempDir('cli-escape-down')]);
    expect(download.code).toBe(0);
    expect(download.stdout).not.toMatch(/^Done: 0 uploaded/m);
    expect(download.stdout).toContain('evil\\nDone');
  });

  it('escapes control characters in the failures block too, and keeps URL passwords out of plan files', async () => {
    const bucket = await createTestBucket('cli-escape2');
    await putObjectRaw(bucket, '../\r\u001b[2KDone: 1 downloaded (2 B), 0 failed.', 'x');
    const result = await s3kit(['sync', `s3://${bucket}`, await tempDir('cli-escape2')]);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toMatch(/[\r\u001b]/);
    expect(result.stdout).toContain('../\\r\\x1b[2KDone');

    const root = await tempDir('cli-planpw');
    await writeTree(root, { 'a.txt': 'a' });
    const url = new URL(inject('s3').endpoint);
    const planned = await s3kit(['plan', root, `s3://${bucket}/p`, '--json', '--endpoint-url', `http://someone:PASSWORDXYZ@${url.host}`]);
    expect(planned.code).toBe(0);
    expect(planned.stdout).not.toContain('PASSWORDXYZ');
    expect(planned.stdout).toContain(`http://someone@${url.host}`);
  });

  it('refuses timeouts that Node timers cannot hold', async () => {
    const result = await s3kit(['sync', '.', 's3://bucket-x', '--connect-timeout', '25d']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--connect-timeout.*at most 24 days/);
  });

  it('--ignore-case makes ignore-file patterns match regardless of case; without it they follow git', async () => {
    const root = await tempDir('cli-ignorecase');
    await writeTree(root, { '.gitignore': '*.TXT\n', 'a.txt': 'a', 'B.TXT': 'b' });
    const plain = await s3kit(['plan', root, `s3://${await createTestBucket('cli-ic')}`, '--ignore-file-name', '.gitignore']);
    expect(plain.stdout).toMatch(/ a\.txt /);
    expect(plain.stdout).not.toMatch(/B\.TXT/);
    const folded = await s3kit(['plan', root, `s3://${await createTestBucket('cli-ic2')}`, '--ignore-file-name', '.gitignore', '--ignore-case']);
    expect(folded.code).toBe(0);
    expect(folded.stdout).not.toMatch(/a\.txt|B\.TXT/);
  });

  it('refuses to apply a plan against another endpoint than it was made against', async () => {
    const bucket = await createTestBucket('cli-apply-endpoint');
    const root = await tempDir('cli-apply-endpoint');
    await writeTree(root, { 'a.txt': 'a' });
    const saved = await s3kit(['plan', root, `s3://${bucket}`, '--json']);
    const planFile = join(await tempDir('endpoint-plans'), 'plan.ndjson');
    await writeFile(planFile, saved.stdout);
    const elsewhere = await s3kit(['apply', planFile], { env: cliEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }) });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/the plan was made against http:\/\/127\.0\.0\.1:\d+, but this apply would run against http:\/\/127\.0\.0\.1:9/);
    expect(await listObjects(bucket)).toEqual(new Map());
    const same = await s3kit(['apply', planFile]);
    expect(same.code).toBe(0);
    expect([...(await listObjects(bucket)).keys()]).toEqual(['a.txt']);
  });

  it('refuses a plan file that does not exist', async () => {
    const result = await s3kit(['apply', '/nonexistent/plan.ndjson']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot read plan file \/nonexistent\/plan\.ndjson \(ENOENT\)/);
  });

  it('refuses a file that is not a plan', async () => {
    const file = join(await tempDir('notplan'), 'x.ndjson');
    await writeFile(file, '{"hello":1}\n');
    const result = await s3kit(['apply', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not an s3kit plan file/);
  });
});

describe('presign', () => {
  it('prints URLs that download and upload without credentials', async () => {
    const bucket = await createTestBucket('cli-presign');
    const root = await tempDir('presign');
    await writeTree(root, { 'doc.txt': 'presigned content' });
    await s3kit(['sync', root, `s3://${bucket}`]);

    const get = await s3kit(['presign', `s3://${bucket}/doc.txt`, '--expires', '15m']);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/X-Amz-Expires=900/);
    expect(await (await fetch(get.stdout.trim())).text()).toBe('presigned content');

    const put = await s3kit(['presign', `s3://${bucket}/upload.txt`, '--put']);
    expect(put.code).toBe(0);
    const response = await fetch(put.stdout.trim(), { method: 'PUT', body: 'sent with curl' });
    expect(response.status).toBe(200);
    expect((await getObjectBytes(bucket, 'upload.txt')).toString()).toBe('sent with curl');

    const bad = await s3kit(['presign', `s3://${bucket}/doc.txt`, '--expires', '30d']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--expires must be at most 7 days/);
  });
});

describe('help, version, interrupt', () => {
  it.each(['sync', 'plan', 'apply', 'presign'])('%s --help shows examples and exits 0', async (command) => {
    const result = await s3kit([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Examples:\n {2}s3kit /);
  });

  it('--help lists the exit codes and --version prints the version', async () => {
    const help = await s3kit(['--help']);
    expect(help.stdout).toMatch(/130 +interrupted/);
    // Every code of the README's exit-code table is in --help, and no other: the two say the same.
    const readme = await readFile(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('### Exit codes'), readme.indexOf('### Timeouts'));
    const documented = [...table.matchAll(/^\| (\d+) \|/gm)].map((match) => Number(match[1]));
    expect(documented).toEqual([0, 1, 2, 3, 4, 130, 143]);
    const helped = [...help.stdout.slice(help.stdout.indexOf('Exit codes:')).matchAll(/^ {2}(\d+) /gm)].map((match) => Number(match[1]));
    expect(helped).toEqual([0, 1, 2, 3, 4, 130]);
    expect(help.stdout).toMatch(/143 by SIGTERM/);
    const version = await s3kit(['--version']);
    const pkg = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  describe('Ctrl-C in the middle of a multipart upload', () => {
    // The proxy holds every part after the second, so the upload cannot finish before the
    // signal: Ctrl-C always lands with exactly parts 1 and 2 done (one progress line each).
    let proxy: FaultProxy;
    let viaProxy: Record<string, string>;
    beforeAll(async () => {
      proxy = new FaultProxy(inject('s3').endpoint);
      viaProxy = cliEnv({ AWS_ENDPOINT_URL: await proxy.start() });
    });
    afterAll(() => proxy.close());
    const holdAfterPart2 = (): void => {
      proxy.setRules([{ when: (r) => r.operation === 'UploadPart' && Number(r.query.get('partNumber')) > 2, fault: { kind: 'hang' } }]);
      proxy.log.length = 0;
    };
    const twoPartsDone = (stdout: string): boolean => stdout.split('"event":"progress"').length - 1 >= 2;

    it('keeps the multipart upload in flight for the next run, which resumes it; exit 130', async () => {
      const bucket = await createTestBucket('cli-sigint');
      const root = await tempDir('sigint');
      const content = Buffer.alloc(64 * MiB);
      for (let i = 0; i < content.length; i += 4096) content[i] = (i >> 12) % 256;
      await writeFile(join(root, 'big.bin'), content);
      const flags = ['--multipart-threshold', '5MB', '--part-size', '5MB'];
      holdAfterPart2();
      const result = await s3kitInterrupted(['sync', root, `s3://${bucket}`, '--json', ...flags], twoPartsDone, viaProxy);
      expect(result.code).toBe(130);
      expect(proxy.log.some((r) => r.fault === 'hang')).toBe(true);
      expect(result.stderr).toMatch(/interrupted; multipart uploads in progress are kept and the next run resumes them/);
      expect(jsonLines(result.stdout).at(-1)).toMatchObject({ event: 'summary', aborted: true });
      expect((await listObjects(bucket)).size).toBe(0); // nothing half-written is visible
      const listed = await s3kit(['uploads', 'list', `s3://${bucket}`]);
      expect(listed.stdout).toMatch(/^big\.bin {2}2 part\(s\), 10(\.0)? MiB, .* resumable by s3kit/m);

      proxy.setRules([]);
      proxy.log.length = 0;
      const resumed = await s3kit(['sync', root, `s3://${bucket}`, '--json', ...flags], { env: viaProxy });
      expect(resumed.code).toBe(0);
      expect(jsonLines(resumed.stdout).find((r) => r.event === 'transferEnd')).toMatchObject({
        key: 'big.bin',
        method: 'multipart',
        why: 'resumed: 2 part(s) kept from an earlier run, 11 sent',
      });
      expect(proxy.seen('UploadPart').map((r) => Number(r.query.get('partNumber'))).sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
      expect((await getObjectBytes(bucket, 'big.bin')).equals(content)).toBe(true);
      expect(await incompleteUploads(bucket)).toBe(0);
    });

    it('with --no-resume, aborts the upload on the server instead', async () => {
      const bucket = await createTestBucket('cli-sigint-abort');
      const root = await tempDir('sigint-abort');
      await writeFile(join(root, 'big.bin'), Buffer.alloc(64 * MiB, 1));
      holdAfterPart2();
      const result = await s3kitInterrupted(
        ['sync', root, `s3://${bucket}`, '--json', '--no-resume', '--multipart-threshold', '5MB', '--part-size', '5MB'],
        twoPartsDone,
        viaProxy,
      );
      expect(result.code).toBe(130);
      expect(result.stderr).toMatch(/in-flight uploads were aborted/);
      expect(proxy.seen('AbortMultipartUpload')).toHaveLength(1);
      expect(await incompleteUploads(bucket)).toBe(0);
      expect((await listObjects(bucket)).size).toBe(0);
      const aborted = await s3kit(['uploads', 'abort', `s3://${bucket}`]);
      expect(aborted.stdout).toMatch(/Aborted 0 upload\(s\)/);
    });
  });
});

afterAll(() => {
  // No run printed the secret key, whatever went wrong.
  const secret = inject('s3').secretAccessKey;
  expect(allOutput.some((text) => text.includes(secret))).toBe(false);
});
