import { GetBucketLifecycleConfigurationCommand, GetBucketPolicyCommand, PutBucketLifecycleConfigurationCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { createS3Client } from 's3kit';
import { applyBucketSetup, BucketRequestError, describeBucket, planBucketLifecycle, planBucketPolicy, planBucketSetup, renderLifecycleTemplate } from 's3kit/admin';
import { describe, expect, it } from 'vitest';
import { connection, createTestBucket, testClient } from '../helpers/s3.js';

/*
 * Bucket administration against radosgw (16.2): real round trips for the calls it implements —
 * versioning, Block Public Access, bucket policy, lifecycle — and the "not supported by this
 * server" path for those it does not (default encryption and ownership controls: it answers the
 * GET with a bucket listing and the PUT with 400 InvalidArgument; PutBucketLogging: 405
 * MethodNotAllowed). The calls radosgw cannot answer as AWS does are in test/unit/admin-bucket-mock.test.ts.
 */

function byId(a: { ID?: string }, b: { ID?: string }): number {
  return (a.ID ?? '').localeCompare(b.ID ?? '');
}

function client() {
  return createS3Client({ ...connection(), forcePathStyle: true });
}

describe('describeBucket (radosgw)', () => {
  it('reports a new bucket: nothing set, and what the server does not support', async () => {
    const bucket = await createTestBucket('admin-show');
    const description = await describeBucket(client(), bucket);
    expect(description).toMatchObject({
      bucket,
      versioning: { status: 'not-set' },
      mfaDelete: { status: 'not-set' },
      encryption: { status: 'not-supported' },
      policy: { status: 'not-set' },
      lifecycle: { status: 'not-set' },
      logging: { status: 'not-set' },
      ownershipControls: { status: 'not-supported' },
    });
    // radosgw reports Block Public Access as four switches off rather than "not set".
    expect(description.publicAccessBlock).toEqual({
      status: 'set',
      value: { blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: false },
    });
  });

  it('rejects a missing bucket with a BucketRequestError naming it', async () => {
    const error = await describeBucket(client(), 's3kit-no-such-bucket-admin').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BucketRequestError);
    expect(error).toMatchObject({ code: 'NoSuchBucket', operation: 'GetBucketVersioning', bucket: 's3kit-no-such-bucket-admin' });
  });
});

describe('planBucketSetup / applyBucketSetup (radosgw)', () => {
  it('applies what radosgw supports, reads it back, and a second run makes no change', async () => {
    const bucket = await createTestBucket('admin-setup');
    const wanted = { versioning: true, blockPublicAccess: true, tlsOnly: true, abortIncompleteUploadsDays: 7 };
    const plan = await planBucketSetup(client(), bucket, wanted);
    expect(plan.changes.map((change) => [change.setting, change.supported])).toEqual([
      ['versioning', true],
      ['policy', true],
      ['lifecycle', true],
      ['publicAccessBlock', true],
    ]);
    const results = await applyBucketSetup(client(), bucket, plan.changes);
    expect(results.map((result) => result.outcome)).toEqual(['applied', 'applied', 'applied', 'applied']);

    const after = await describeBucket(client(), bucket);
    expect(after.versioning).toEqual({ status: 'set', value: 'Enabled' });
    expect(after.publicAccessBlock).toEqual({ status: 'set', value: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true } });
    expect(after.policy.status === 'set' && after.policy.value.Statement).toEqual([
      {
        Sid: 'S3kitDenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
    expect(after.lifecycle).toEqual({
      status: 'set',
      value: { Rules: [{ ID: 'abort-incomplete-uploads', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }] },
    });

    const again = await planBucketSetup(client(), bucket, wanted);
    expect(again.changes).toEqual([]);
  });

  it('merges into the user’s policy and lifecycle rules instead of replacing them', async () => {
    const bucket = await createTestBucket('admin-merge');
    const userStatement = {
      Sid: 'UserReadOnly',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::111122223333:root'] },
      Action: ['s3:GetObject'],
      Resource: [`arn:aws:s3:::${bucket}/*`],
    };
    await testClient().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [userStatement] }) }));
    await testClient().send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: { Rules: [{ ID: 'user-expire-tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 3 } }] },
      }),
    );
    const plan = await planBucketSetup(client(), bucket, { tlsOnly: true, abortIncompleteUploadsDays: 2 });
    expect(plan.changes.map((change) => [change.setting, change.from])).toEqual([
      ['policy', '1 statement(s)'],
      ['lifecycle', '1 rule(s)'],
    ]);
    await applyBucketSetup(client(), bucket, plan.changes);

    const policy = JSON.parse((await testClient().send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!) as { Statement: { Sid: string }[] };
    expect(policy.Statement.map((statement) => statement.Sid)).toEqual(['UserReadOnly', 'S3kitDenyInsecureTransport']);
    expect(policy.Statement[0]).toMatchObject(userStatement);
    // radosgw lists rules by ID, whatever order they were put in.
    const rules = (await testClient().send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules!.sort(byId);
    expect(rules.map((rule) => [rule.ID, rule.Expiration?.Days, rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation])).toEqual([
      ['abort-incomplete-uploads', undefined, 2],
      ['user-expire-tmp', 3, undefined],
    ]);

    // A different number of days replaces the rule of the same ID; the user's rule stays.
    const changed = await planBucketSetup(client(), bucket, { tlsOnly: true, abortIncompleteUploadsDays: 5 });
    expect(changed.changes.map((change) => change.setting === 'lifecycle' && [change.added, change.replaced])).toEqual([[[], ['abort-incomplete-uploads']]]);
    await applyBucketSetup(client(), bucket, changed.changes);
    const replaced = (await testClient().send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules!.sort(byId);
    expect(replaced.map((rule) => [rule.ID, rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation])).toEqual([
      ['abort-incomplete-uploads', 5],
      ['user-expire-tmp', undefined],
    ]);
  });

  it('lists settings radosgw does not support as unsupported, sends nothing for them, and keeps listing them', async () => {
    const bucket = await createTestBucket('admin-unsupported');
    const logs = await createTestBucket('admin-logs');
    const wanted = { versioning: true, encryption: { algorithm: 'AES256' as const }, accessLog: { bucket: logs, prefix: `${bucket}/` } };
    const plan = await planBucketSetup(client(), bucket, wanted);
    expect(plan.changes.map((change) => [change.setting, change.supported])).toEqual([
      ['versioning', true],
      ['encryption', false],
      ['logging', true],
    ]);
    const results = await applyBucketSetup(client(), bucket, plan.changes);
    expect(results.map((result) => [result.change.setting, result.outcome])).toEqual([
      ['versioning', 'applied'],
      ['encryption', 'not-supported'],
      ['logging', 'not-supported'],
    ]);
    expect(results[1]!.reason).toBe('the server does not support PutBucketEncryption (found when reading the bucket); nothing was sent.');
    expect(results[2]!.reason).toBe('the server does not support PutBucketLogging: it answered MethodNotAllowed (HTTP 405).');
    // The bucket is still there (radosgw 16 treats DELETE ?encryption as DeleteBucket; s3kit never sends it).
    const after = await describeBucket(client(), bucket);
    expect(after.versioning).toEqual({ status: 'set', value: 'Enabled' });
    const again = await planBucketSetup(client(), bucket, wanted);
    expect(again.changes.map((change) => change.setting)).toEqual(['encryption', 'logging']);
  });
});

describe('planBucketPolicy / planBucketLifecycle (radosgw)', () => {
  it('validate before any request, then merge by Sid and by ID', async () => {
    const bucket = await createTestBucket('admin-docs');
    await expect(planBucketPolicy(client(), bucket, { Version: '2012-10-17', Statement: [{ Sid: 'X', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other-bucket/*' }] })).rejects.toThrow(
      /bucket policy has 1 error/,
    );
    const rendered = renderLifecycleTemplate('transition-to-standard-ia', { days: 30, prefix: 'logs/' });
    const plan = await planBucketLifecycle(client(), bucket, rendered.document);
    expect([plan.added, plan.replaced, plan.unchanged]).toEqual([['transition-to-standard-ia'], [], []]);
    await applyBucketSetup(client(), bucket, [plan.change!]);
    const again = await planBucketLifecycle(client(), bucket, rendered.document);
    expect([again.added, again.replaced, again.unchanged, again.change]).toEqual([[], [], ['transition-to-standard-ia'], undefined]);
  });
});
