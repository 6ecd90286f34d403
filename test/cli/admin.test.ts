import { GetBucketLifecycleConfigurationCommand, GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runMain, stubTestCredentials } from '../helpers/in-process.js';
import { tempDir } from '../helpers/files.js';
import { createTestBucket, testClient } from '../helpers/s3.js';

/*
 * s3kit bucket show|setup, templates, lifecycle and policy, in-process (main(argv, context))
 * against radosgw: exit codes, what is printed, and what is on the server afterwards.
 */

async function cli(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runMain(argv);
}

beforeAll(() => {
  stubTestCredentials();
});
afterAll(() => vi.unstubAllEnvs());

async function lifecycleRules(bucket: string) {
  return (await testClient().send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules ?? [];
}

describe('s3kit bucket show / setup', () => {
  it('setup --dryrun prints the changes and changes nothing; setup applies them; a second setup changes nothing', async () => {
    const bucket = await createTestBucket('cli-setup');
    const flags = ['--versioning', '--block-public-access', '--tls-only', '--abort-incomplete-uploads', '7d'];
    const dry = await cli(['bucket', 'setup', `s3://${bucket}`, ...flags, '--dryrun']);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toContain('enable versioning (now: versioning not set, MFA delete not set)');
    expect(dry.stdout).toContain('(dry run: nothing was changed)');
    const untouched = await cli(['bucket', 'show', `s3://${bucket}`, '--json']);
    expect(JSON.parse(untouched.stdout)).toMatchObject({ versioning: { status: 'not-set' }, policy: { status: 'not-set' }, lifecycle: { status: 'not-set' } });

    const applied = await cli(['bucket', 'setup', `s3://${bucket}`, ...flags]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`s3://${bucket}: 4 change(s) applied, 0 not supported by this server, 0 failed.`);
    const shown = await cli(['bucket', 'show', `s3://${bucket}`]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/versioning {10}Enabled/);
    expect(shown.stdout).toContain('all public access blocked (the four switches on)');
    expect(shown.stdout).toContain('S3kitDenyInsecureTransport: Deny s3:* for "*" when {"Bool":{"aws:SecureTransport":"false"}}');
    expect(shown.stdout).toContain('abort-incomplete-uploads (Enabled, every object): abort incomplete uploads after 7 day(s)');
    expect(shown.stdout).toMatch(/default encryption {2}not supported by this server/);

    const again = await cli(['bucket', 'setup', `s3://${bucket}`, ...flags]);
    expect(again).toMatchObject({ code: 0, stdout: `s3://${bucket} is already set up as asked: no change.\n` });
  });

  it('says "not supported by this server" for encryption and access logging on radosgw, and exits 1', async () => {
    const bucket = await createTestBucket('cli-unsupported');
    const result = await cli(['bucket', 'setup', `s3://${bucket}`, '--encryption', 'AES256', '--access-log', `s3://${bucket}/logs/`, '--versioning']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('set default encryption to AES256 (now: not supported by this server) — not supported by this server: nothing will be sent');
    expect(result.stdout).toContain('applied: enable versioning');
    expect(result.stdout).toContain('not supported by this server: set default encryption to AES256');
    expect(result.stdout).toContain(`not supported by this server: send access logs to s3://${bucket}/logs/`);
    expect(result.stdout).toContain('1 change(s) applied, 2 not supported by this server, 0 failed.');
  });

  it.each([
    [['bucket', 'setup', 's3://my-bucket'], /nothing to set up/],
    [['bucket', 'setup', 's3://my-bucket', '--kms-key-id', 'k'], /--kms-key-id goes with --encryption aws:kms/],
    [['bucket', 'setup', 's3://my-bucket', '--encryption', 'DES'], /Allowed choices are AES256, aws:kms, aws:kms:dsse/],
    [['bucket', 'setup', 's3://my-bucket', '--mfa-delete'], /--mfa-delete needs --mfa "SERIAL CODE"/],
    [['bucket', 'setup', 's3://my-bucket', '--abort-incomplete-uploads', '0d'], /not a number of days/],
    [['bucket', 'show', 's3://my-bucket/prefix'], /names a prefix/],
  ])('usage error: %j', async (argv, message) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('a missing bucket exits 2 and names it', async () => {
    const result = await cli(['bucket', 'show', 's3://s3kit-cli-no-such-bucket']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the bucket "s3kit-cli-no-such-bucket" does not exist (NoSuchBucket)');
  });
});

describe('s3kit templates', () => {
  it('list names every template with its parameters; show prints the rendered JSON', async () => {
    const list = await cli(['templates', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('tls-only  (policy)');
    expect(list.stdout).toContain('--set days=…');
    const show = await cli(['templates', 'show', 'transition-to-standard-ia', '--set', 'days=45', '--set', 'prefix=logs/']);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual({ Rules: [{ ID: 'transition-to-standard-ia', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Transitions: [{ Days: 45, StorageClass: 'STANDARD_IA' }] }] });
    const policy = await cli(['templates', 'show', 'tls-only', '--bucket', 'b']);
    expect(JSON.parse(policy.stdout).Statement[0].Resource).toEqual(['arn:aws:s3:::b', 'arn:aws:s3:::b/*']);
  });

  it.each([
    [['templates', 'show', 'tls-only'], /needs --bucket BUCKET/],
    [['templates', 'show', 'tls-onyl', '--bucket', 'b'], /did you mean "tls-only"/],
    [['templates', 'show', 'transition-to-standard-ia', '--set', 'days=10'], /must be at least 30/],
  ])('usage error: %j', async (argv, message) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('s3kit lifecycle / policy validate, show, apply', () => {
  it('validate prints every problem with path, value and fix and exits 2; a valid file exits 0', async () => {
    const dir = await tempDir();
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ Rules: [{ ID: 'a', Status: 'enabled', Filter: {}, Transitions: [{ Days: 10, StorageClass: 'STANDARD_IA' }] }, { ID: 'a', Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }] }));
    const result = await cli(['lifecycle', 'validate', bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error Rules\[0\]\.Status: .* Got "enabled"\. Fix: /);
    expect(result.stderr).toMatch(/error Rules\[0\]\.Transitions\[0\]\.Days: .* Got 10\. Fix: /);
    expect(result.stderr).toMatch(/error Rules\[1\]\.ID: .*Got "a"/);
    expect(result.stderr).toContain('3 error(s) in the lifecycle configuration; nothing was sent.');
    const good = join(dir, 'good.json');
    await writeFile(good, JSON.stringify({ Rules: [{ ID: 'a', Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }] }));
    expect(await cli(['lifecycle', 'validate', good])).toMatchObject({ code: 0, stdout: `${good}: a valid lifecycle configuration.\n` });
  });

  it('lifecycle apply validates before sending anything, then merges by ID; show prints it back', async () => {
    const bucket = await createTestBucket('cli-lifecycle');
    const dir = await tempDir();
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ Rules: [{ ID: 'x', Status: 'Enabled', Filter: {}, Transitions: [{ Days: 1, StorageClass: 'STANDARD_IA' }] }] }));
    const refused = await cli(['lifecycle', 'apply', `s3://${bucket}`, bad]);
    expect(refused.code).toBe(2);
    expect(await cli(['lifecycle', 'show', `s3://${bucket}`])).toMatchObject({ code: 0, stdout: '', stderr: `s3://${bucket} has no lifecycle configuration.\n` });

    const file = join(dir, 'rules.json');
    await writeFile(file, JSON.stringify({ Rules: [{ ID: 'user-expire', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 3 } }] }));
    expect(await cli(['lifecycle', 'apply', `s3://${bucket}`, file])).toMatchObject({ code: 0, stdout: `lifecycle configuration of s3://${bucket}: added user-expire; replaced none; unchanged none.\nApplied.\n` });
    const dry = await cli(['lifecycle', 'apply', `s3://${bucket}`, '--template', 'abort-incomplete-uploads', '--set', 'days=3', '--dryrun']);
    expect(dry.stdout).toContain('added abort-incomplete-uploads; replaced none; unchanged none.\n(dry run: nothing was changed)');
    expect((await lifecycleRules(bucket)).map((rule) => rule.ID)).toEqual(['user-expire']);
    await cli(['lifecycle', 'apply', `s3://${bucket}`, '--template', 'abort-incomplete-uploads', '--set', 'days=3']);
    expect((await lifecycleRules(bucket)).map((rule) => rule.ID).sort()).toEqual(['abort-incomplete-uploads', 'user-expire']);
    const shown = await cli(['lifecycle', 'show', `s3://${bucket}`]);
    expect(JSON.parse(shown.stdout).Rules.map((rule: { ID: string }) => rule.ID).sort()).toEqual(['abort-incomplete-uploads', 'user-expire']);
    // The file as shown applies as "unchanged": show and apply round-trip.
    const shownFile = join(dir, 'shown.json');
    await writeFile(shownFile, shown.stdout);
    expect((await cli(['lifecycle', 'apply', `s3://${bucket}`, shownFile])).stdout).toContain('added none; replaced none; unchanged ');
  });

  it('policy apply merges by Sid and prints added/replaced/unchanged; the user statement stays', async () => {
    const bucket = await createTestBucket('cli-policy');
    const user = { Sid: 'UserReadOnly', Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111122223333:root'] }, Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] };
    await testClient().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [user] }) }));
    const first = await cli(['policy', 'apply', `s3://${bucket}`, '--template', 'tls-only']);
    expect(first).toMatchObject({ code: 0, stdout: `bucket policy of s3://${bucket}: added S3kitDenyInsecureTransport; replaced none; unchanged none.\nApplied.\n` });
    const second = await cli(['policy', 'apply', `s3://${bucket}`, '--template', 'tls-only']);
    expect(second.stdout).toBe(`bucket policy of s3://${bucket}: added none; replaced none; unchanged S3kitDenyInsecureTransport.\nNothing to change.\n`);
    const sids = (JSON.parse((await testClient().send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid);
    expect(sids).toEqual(['UserReadOnly', 'S3kitDenyInsecureTransport']);

    const dir = await tempDir();
    const other = join(dir, 'other.json');
    await writeFile(other, JSON.stringify({ Version: '2012-10-17', Statement: [{ ...user, Resource: 'arn:aws:s3:::someone-else/*' }] }));
    const refused = await cli(['policy', 'apply', `s3://${bucket}`, other]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/error Statement\[0\]\.Resource/);
    const validated = await cli(['policy', 'validate', other]);
    expect(validated.code).toBe(0);
    expect(await cli(['policy', 'validate', other, '--bucket', bucket])).toMatchObject({ code: 2 });
    const shown = await cli(['policy', 'show', `s3://${bucket}`]);
    expect(JSON.parse(shown.stdout).Statement).toHaveLength(2);
  });

  it.each([
    [['lifecycle', 'apply', 's3://my-bucket'], /give a lifecycle configuration FILE or --template NAME/],
    [['policy', 'apply', 's3://my-bucket', 'x.json', '--template', 'tls-only'], /give a bucket policy FILE or --template NAME/],
    [['lifecycle', 'apply', 's3://my-bucket', 'x.json', '--set', 'days=3'], /--set gives template parameters/],
    [['lifecycle', 'apply', 's3://my-bucket', '--template', 'tls-only'], /makes a bucket policy, not a lifecycle configuration/],
    [['lifecycle', 'validate', '/nonexistent/rules.json'], /cannot read \/nonexistent\/rules.json \(ENOENT\)/],
  ])('usage error: %j', async (argv, message) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
