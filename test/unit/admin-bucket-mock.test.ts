import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  PutBucketLoggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyBucketSetup, describeBucket, planBucketSetup } from '../../src/admin/index.js';
import { ConfigError } from '../../src/core/errors.js';

/*
 * What radosgw 16 cannot answer as AWS does: default encryption, ownership controls, access
 * logging and MFA delete (it needs a TOTP device registered with radosgw-admin), and a server
 * answering 501 NotImplemented. The mock plays AWS; the tests assert the exact commands sent.
 */

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1' });

function awsError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
}

/** A bucket as AWS answers for one with nothing set (S3 has encrypted new buckets with SSE-S3 since 2023, but "not set" is still answered this way by other servers). */
function emptyAwsBucket(): void {
  s3.on(GetBucketVersioningCommand).resolves({});
  s3.on(GetBucketEncryptionCommand).rejects(awsError('ServerSideEncryptionConfigurationNotFoundError', 404));
  s3.on(GetPublicAccessBlockCommand).rejects(awsError('NoSuchPublicAccessBlockConfiguration', 404));
  s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy', 404));
  s3.on(GetBucketLifecycleConfigurationCommand).rejects(awsError('NoSuchLifecycleConfiguration', 404));
  s3.on(GetBucketLoggingCommand).resolves({});
  s3.on(GetBucketOwnershipControlsCommand).rejects(awsError('OwnershipControlsNotFoundError', 404));
}

beforeEach(() => emptyAwsBucket());
afterEach(() => s3.reset());

describe('describeBucket (AWS answers, mocked)', () => {
  it('reads every NoSuch… answer as not set', async () => {
    const description = await describeBucket(client, 'b');
    for (const setting of ['versioning', 'mfaDelete', 'encryption', 'publicAccessBlock', 'policy', 'lifecycle', 'logging', 'ownershipControls'] as const) {
      expect([setting, description[setting]]).toEqual([setting, { status: 'not-set' }]);
    }
  });

  it('reads set values: encryption with its KMS key, MFA delete, logging, ownership', async () => {
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled', MFADelete: 'Enabled' });
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/data' }, BucketKeyEnabled: true }] },
    });
    s3.on(GetBucketLoggingCommand).resolves({ LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'b/' } });
    s3.on(GetBucketOwnershipControlsCommand).resolves({ OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } });
    const description = await describeBucket(client, 'b');
    expect(description.mfaDelete).toEqual({ status: 'set', value: 'Enabled' });
    expect(description.encryption).toEqual({ status: 'set', value: { algorithm: 'aws:kms', kmsKeyId: 'alias/data', bucketKeyEnabled: true } });
    expect(description.logging).toEqual({ status: 'set', value: { targetBucket: 'logs', targetPrefix: 'b/' } });
    expect(description.ownershipControls).toEqual({ status: 'set', value: 'BucketOwnerEnforced' });
  });

  it('reports 501 NotImplemented and 405 MethodNotAllowed as not supported by this server', async () => {
    s3.on(GetBucketOwnershipControlsCommand).rejects(awsError('NotImplemented', 501));
    s3.on(GetBucketLoggingCommand).rejects(awsError('MethodNotAllowed', 405));
    const description = await describeBucket(client, 'b');
    expect(description.ownershipControls).toEqual({ status: 'not-supported', reason: 'the server does not support GetBucketOwnershipControls: it answered NotImplemented (HTTP 501).' });
    expect(description.logging).toMatchObject({ status: 'not-supported' });
  });

  it('rejects on AccessDenied with the operation named', async () => {
    s3.on(GetBucketPolicyCommand).rejects(awsError('AccessDenied', 403));
    await expect(describeBucket(client, 'b')).rejects.toMatchObject({ name: 'BucketRequestError', operation: 'GetBucketPolicy', code: 'AccessDenied' });
  });
});

describe('applyBucketSetup: the exact commands sent (mocked)', () => {
  it('encryption with a KMS key, logging and Block Public Access', async () => {
    s3.on(PutBucketEncryptionCommand).resolves({});
    s3.on(PutBucketLoggingCommand).resolves({});
    s3.on(PutPublicAccessBlockCommand).resolves({});
    const plan = await planBucketSetup(client, 'b', { encryption: { algorithm: 'aws:kms', kmsKeyId: 'alias/data' }, accessLog: { bucket: 'logs', prefix: 'b/' }, blockPublicAccess: true });
    expect(plan.changes.map((change) => [change.setting, change.from])).toEqual([
      ['encryption', 'not set'],
      ['logging', 'not set'],
      ['publicAccessBlock', 'not set'],
    ]);
    const results = await applyBucketSetup(client, 'b', plan.changes);
    expect(results.map((result) => result.outcome)).toEqual(['applied', 'applied', 'applied']);
    expect(s3.commandCalls(PutBucketEncryptionCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'b', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/data' } }] } },
    ]);
    expect(s3.commandCalls(PutBucketLoggingCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'b', BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'b/' } } },
    ]);
    expect(s3.commandCalls(PutPublicAccessBlockCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'b', PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } },
    ]);
  });

  it('settings already as wanted are no change', async () => {
    s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } });
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled', MFADelete: 'Enabled' });
    s3.on(GetBucketLoggingCommand).resolves({ LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'b/' } });
    const plan = await planBucketSetup(client, 'b', { encryption: { algorithm: 'AES256' }, versioning: true, mfaDelete: true, accessLog: { bucket: 'logs', prefix: 'b/' } });
    expect(plan.changes).toEqual([]);
  });

  it('MFA delete: one PutBucketVersioning with the MFA header and MFADelete Enabled', async () => {
    s3.on(PutBucketVersioningCommand).resolves({});
    const plan = await planBucketSetup(client, 'b', { mfaDelete: true });
    expect(plan.changes.map((change) => change.summary)).toEqual(['enable versioning with MFA delete']);
    await expect(applyBucketSetup(client, 'b', plan.changes)).rejects.toBeInstanceOf(ConfigError);
    await expect(applyBucketSetup(client, 'b', plan.changes, { mfa: 'arn:aws:iam::111122223333:mfa/root 12345' })).rejects.toThrow(/6-digit code/);
    expect(s3.commandCalls(PutBucketVersioningCommand)).toHaveLength(0);
    await applyBucketSetup(client, 'b', plan.changes, { mfa: 'arn:aws:iam::111122223333:mfa/root 123456' });
    expect(s3.commandCalls(PutBucketVersioningCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'b', MFA: 'arn:aws:iam::111122223333:mfa/root 123456', VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Enabled' } },
    ]);
  });

  it('a PUT answered 501 is not supported, a PUT answered 403 failed, and the next change is still made', async () => {
    s3.on(PutBucketEncryptionCommand).rejects(awsError('NotImplemented', 501));
    s3.on(PutBucketLoggingCommand).rejects(awsError('AccessDenied', 403));
    s3.on(PutPublicAccessBlockCommand).resolves({});
    const plan = await planBucketSetup(client, 'b', { encryption: { algorithm: 'AES256' }, accessLog: { bucket: 'logs' }, blockPublicAccess: true });
    const results = await applyBucketSetup(client, 'b', plan.changes);
    expect(results.map((result) => [result.change.setting, result.outcome, result.error?.code])).toEqual([
      ['encryption', 'not-supported', undefined],
      ['logging', 'failed', 'AccessDenied'],
      ['publicAccessBlock', 'applied', undefined],
    ]);
    expect(results[0]!.reason).toBe('the server does not support PutBucketEncryption: it answered NotImplemented (HTTP 501).');
  });

  it('refuses a KMS key with AES256 and a bad bucket name before any request', async () => {
    await expect(planBucketSetup(client, 'b', { encryption: { algorithm: 'AES256', kmsKeyId: 'k' } })).rejects.toThrow(/aws:kms/);
    await expect(planBucketSetup(client, 's3://b', { versioning: true })).rejects.toThrow(/not a bucket name/);
    expect(s3.calls()).toHaveLength(0);
  });
});
