import { describe, expect, it } from 'vitest';
import { createRedactor, isSecretName, secretValuesOf, urlPasswordsIn } from '../../src/core/redact.js';

describe('redaction', () => {
  it('knows credential names in environment and camelCase spellings', () => {
    for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'secretAccessKey', 'sessionToken', 'DB_PASSWORD', 'password', 'STRIPE_API_KEY', 'GOOGLE_APPLICATION_CREDENTIALS', 'sseCustomerKey', 'copySourceSseCustomerKey', 'SSE_C_KEY', 'sseCKey']) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_REGION', 'PREFIX', 'endpoint', 'HOME']) expect(isSecretName(name), name).toBe(false);
    expect(secretValuesOf({ AWS_SECRET_ACCESS_KEY: 'abcd1234', AWS_REGION: 'eu-west-1', EMPTY_TOKEN: undefined })).toEqual(['abcd1234']);
  });

  it('masks every secret and the userinfo of every URL', () => {
    const redact = createRedactor(['s3cr3t-value', 'abc', undefined, '']);
    expect(redact('key s3cr3t-value and s3cr3t-value')).toBe('key *** and ***');
    expect(redact('short abc stays')).toBe('short abc stays');
    expect(redact('credentials for http://user:pw@127.0.0.1:7480/x: ok')).toBe('credentials for http://user:***@127.0.0.1:7480/x: ok');
    expect(redact('https://tokenonly@host/p?q=1')).toBe('https://***@host/p?q=1');
    expect(redact('s3://bucket/a@b and /local/a@b')).toBe('s3://bucket/a@b and /local/a@b');
    expect(urlPasswordsIn('x http://u:p%40ss@h y https://t0ken@h')).toEqual(['p%40ss', 't0ken']);
  });
});
