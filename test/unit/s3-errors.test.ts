import { describe, expect, it } from 'vitest';
import { describeS3Error } from '../../src/core/s3-errors.js';
import { credentialsSentence } from '../../src/transfer/credentials-diagnosis.js';

/** Errors a test server cannot produce: session tokens, and what the SDK's providers report. */
describe('describeS3Error', () => {
  it.each([
    [{ name: 'ExpiredToken', message: 'The provided token has expired.', $metadata: { httpStatusCode: 400 } }, /session credentials have expired \(ExpiredToken\)/],
    [{ name: 'Unknown', message: 'UnknownError', $metadata: { httpStatusCode: 403 } }, /HTTP 403.*secret key is wrong or the credentials lack permission/],
    [{ name: 'SignatureDoesNotMatch', message: 'UnknownError', $metadata: { httpStatusCode: 403 } }, /check the secret access key/],
  ])('%j', (error, message) => {
    expect(describeS3Error(error, 'b')).toMatch(message);
  });
});

describe('credentialsSentence', () => {
  it.each([
    [['AWS_PROFILE is set, skipping fromEnv provider.', 'Profile nosuch could not be found in shared credentials file.'], /the profile "nosuch" is not in ~\/\.aws\/config.*the profile option/],
    [['Command failed: /bin/get-creds --token s3cr3t\nsso session expired, run login\n'], /credential_process failed and said: sso session expired, run login; run it by hand/],
    [['Profile p credential_process returned expired credentials.'], /credential_process of profile "p" returned expired credentials/],
    [['Unable to find environment variable credentials.'], /no AWS credentials found/],
    [['Unable to find environment variable credentials.', 'Profile default could not be found in shared credentials file.'], /no AWS credentials found/],
  ])('%j', (reasons, sentence) => {
    const said = credentialsSentence(reasons);
    expect(said).toMatch(sentence);
    expect(said).not.toContain('s3cr3t'); // the command line is never repeated
  });
});
