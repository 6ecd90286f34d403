import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  getTemplate,
  listTemplates,
  mergeBucketPolicy,
  renderLifecycleTemplate,
  renderPolicyTemplate,
  renderTemplate,
  validateBucketPolicy,
  validateLifecycle,
  type BucketPolicyDocument,
  type TemplateInfo,
  type TemplateParameter,
  type TemplateValue,
} from '../../src/admin/index.js';
import { ConfigError } from '../../src/core/errors.js';

const BUCKET = 'example-bucket';

/** Values for the required parameters, the rest left to their defaults. */
const REQUIRED: Readonly<Record<string, TemplateValue>> = {
  principals: ['111122223333'],
  accounts: ['arn:aws:iam::444455556666:root'],
  cidrs: ['203.0.113.0/24'],
  endpoints: ['vpce-1a2b3c4d'],
};

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function validate(template: TemplateInfo, document: unknown) {
  return template.kind === 'lifecycle' ? validateLifecycle(document) : validateBucketPolicy(document, { bucket: BUCKET });
}

describe('templates', () => {
  it('lists the lifecycle and policy templates, each described with its parameters', () => {
    expect(listTemplates().map((template) => [template.name, template.kind])).toEqual([
      ['transition-to-standard-ia', 'lifecycle'],
      ['transition-to-glacier-ir', 'lifecycle'],
      ['transition-to-glacier', 'lifecycle'],
      ['transition-to-deep-archive', 'lifecycle'],
      ['expire-noncurrent-versions', 'lifecycle'],
      ['abort-incomplete-uploads', 'lifecycle'],
      ['expire-after', 'lifecycle'],
      ['tls-only', 'policy'],
      ['deny-unencrypted-uploads', 'policy'],
      ['read-only', 'policy'],
      ['cross-account-read-write', 'policy'],
      ['restrict-to-ip', 'policy'],
      ['restrict-to-vpc-endpoint', 'policy'],
    ]);
    for (const template of listTemplates()) {
      expect(template.description.length).toBeGreaterThan(20);
      for (const parameter of template.parameters) {
        expect(parameter).not.toHaveProperty('check');
        expect(parameter.required === (parameter.default === undefined && parameter.name in REQUIRED)).toBe(true);
      }
    }
    expect(getTemplate('tls-only').parameters.map((parameter) => parameter.name)).toEqual(['sid']);
  });

  it.each(listTemplates().map((template) => [template.name, template] as const))('%s renders with its defaults and validates clean', (name, template) => {
    const values = Object.fromEntries(template.parameters.filter((parameter) => parameter.required).map((parameter) => [parameter.name, REQUIRED[parameter.name]!]));
    const rendered = renderTemplate(name, values, { bucket: BUCKET });
    expect(rendered.kind).toBe(template.kind);
    expect(rendered.warnings).toEqual([]);
    // As JSON, the way it is printed and applied.
    expect(validate(template, JSON.parse(JSON.stringify(rendered.document)))).toEqual([]);
  });

  it('renders the documents meant: filters from prefix and tags, days, ids', () => {
    expect(renderLifecycleTemplate('transition-to-standard-ia').document).toEqual({
      Rules: [{ ID: 'transition-to-standard-ia', Status: 'Enabled', Filter: { Prefix: '' }, Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }] }],
    });
    expect(renderLifecycleTemplate('transition-to-glacier', { days: '120', prefix: 'logs/', tags: 'class=cold, team=ops', id: 'cold-logs' }).document).toEqual({
      Rules: [
        {
          ID: 'cold-logs',
          Status: 'Enabled',
          Filter: { And: { Prefix: 'logs/', Tags: [{ Key: 'class', Value: 'cold' }, { Key: 'team', Value: 'ops' }] } },
          Transitions: [{ Days: 120, StorageClass: 'GLACIER' }],
        },
      ],
    });
    expect(renderLifecycleTemplate('expire-after', { tags: ['tmp=yes'] }).document.Rules).toMatchObject([{ Filter: { Tag: { Key: 'tmp', Value: 'yes' } }, Expiration: { Days: 365 } }]);
    expect(renderLifecycleTemplate('expire-noncurrent-versions', { days: 7, keep: 3 }).document.Rules).toMatchObject([{ NoncurrentVersionExpiration: { NoncurrentDays: 7, NewerNoncurrentVersions: 3 } }]);
    expect(renderLifecycleTemplate('abort-incomplete-uploads', { prefix: 'uploads/' }).document.Rules).toMatchObject([{ Filter: { Prefix: 'uploads/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }]);
    expect(getTemplate('abort-incomplete-uploads').parameters.map((parameter) => parameter.name)).not.toContain('tags');
  });

  it('renders policies for the bucket', () => {
    expect(renderPolicyTemplate('tls-only', {}, { bucket: BUCKET }).document).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'S3kitDenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::example-bucket', 'arn:aws:s3:::example-bucket/*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
    const readOnly = renderPolicyTemplate('read-only', { principals: '111122223333,arn:aws:iam::111122223333:role/reader', prefix: 'shared/' }, { bucket: BUCKET });
    expect(readOnly.document.Statement).toEqual([
      expect.objectContaining({ Sid: 'S3kitReadOnlyList', Resource: 'arn:aws:s3:::example-bucket', Condition: { StringLike: { 's3:prefix': ['shared/*'] } } }),
      expect.objectContaining({ Sid: 'S3kitReadOnlyGet', Principal: { AWS: ['111122223333', 'arn:aws:iam::111122223333:role/reader'] }, Resource: 'arn:aws:s3:::example-bucket/shared/*' }),
    ]);
    expect(renderPolicyTemplate('restrict-to-ip', { cidrs: '203.0.113.0/24, 2001:db8::/32' }, { bucket: BUCKET }).document.Statement).toMatchObject([
      { Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } } },
    ]);
    expect(renderPolicyTemplate('deny-unencrypted-uploads', { algorithm: 'aws:kms' }, { bucket: BUCKET }).document.Statement).toMatchObject([
      { Sid: 'S3kitDenyUnencryptedUploadsHeader', Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } } },
      { Sid: 'S3kitDenyUnencryptedUploadsMissing', Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } } },
    ]);
  });

  it.each<[string, () => unknown, string, RegExp]>([
    ['a missing required value names it and --set', () => renderTemplate('read-only', {}, { bucket: BUCKET }), 'principals', /needs the parameter "principals" .*give it with --set principals=value/],
    ['an unknown template suggests the nearest', () => renderTemplate('tls-onyl'), 'template', /no template "tls-onyl" \(did you mean "tls-only"\?\)/],
    ['an unknown parameter suggests the nearest', () => renderLifecycleTemplate('expire-after', { dayz: 3 }), 'dayz', /no parameter "dayz" \(did you mean "days"\?\)/],
    ['a number that is not one', () => renderLifecycleTemplate('expire-after', { days: 'ten' }), 'days', /"days" of template "expire-after" must be a whole number, got "ten"/],
    ['STANDARD_IA before 30 days', () => renderLifecycleTemplate('transition-to-standard-ia', { days: 10 }), 'days', /must be at least 30, got 10/],
    ['keep over 100', () => renderLifecycleTemplate('expire-noncurrent-versions', { keep: '101' }), 'keep', /must be at most 100/],
    ['a tag without =', () => renderLifecycleTemplate('expire-after', { tags: 'archive' }), 'tags', /"archive" is not key=value/],
    ['a tag key given twice', () => renderLifecycleTemplate('expire-after', { tags: 'a=1,a=2' }), 'tags', /given twice/],
    ['a prefix with a leading slash', () => renderLifecycleTemplate('expire-after', { prefix: '/logs/' }), 'prefix', /starts with "\/"/],
    ['a policy without the bucket', () => renderTemplate('tls-only'), 'bucket', /needs the bucket the policy is for/],
    ['a principal that is a name', () => renderTemplate('read-only', { principals: 'bob' }, { bucket: BUCKET }), 'principals', /"bob" is not a 12-digit account ID or an IAM ARN/],
    ['an empty list', () => renderTemplate('restrict-to-ip', { cidrs: ' , ' }, { bucket: BUCKET }), 'cidrs', /needs at least one/],
    ['a bad CIDR', () => renderTemplate('restrict-to-ip', { cidrs: '10.0.0.0/33' }, { bucket: BUCKET }), 'cidrs', /not an IP address or CIDR range/],
    ['a bad endpoint', () => renderTemplate('restrict-to-vpc-endpoint', { endpoints: 'vpc-123' }, { bucket: BUCKET }), 'endpoints', /not a VPC endpoint ID/],
    ['an algorithm not offered', () => renderTemplate('deny-unencrypted-uploads', { algorithm: 'aes256' }, { bucket: BUCKET }), 'algorithm', /must be one of AES256, aws:kms, aws:kms:dsse/],
    ['a Sid with spaces', () => renderTemplate('tls-only', { sid: 'my sid' }, { bucket: BUCKET }), 'sid', /letters and digits/],
  ])('%s: a ConfigError naming the parameter', (_name, run, field, message) => {
    const error = errorOf(run);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});

/** Arbitrary valid values for a parameter, as a program (typed) or a command line (strings) would give them. */
function valueFor(parameter: TemplateParameter): fc.Arbitrary<TemplateValue> {
  const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
  const word = (min: number, max: number) => fc.string({ unit: lower, minLength: min, maxLength: max });
  const digits = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
  const list = (item: fc.Arbitrary<string>, unique = false) =>
    (unique ? fc.uniqueArray(item, { minLength: 1, maxLength: 4, selector: (text) => text.split('=')[0] }) : fc.array(item, { minLength: 1, maxLength: 4 })).chain((items) =>
      fc.constantFrom<TemplateValue>(items, items.join(',')),
    );
  switch (parameter.name) {
    case 'days':
    case 'keep':
      return fc.integer({ min: parameter.minimum ?? 0, max: parameter.maximum ?? 3650 }).chain((days) => fc.constantFrom<TemplateValue>(days, String(days)));
    case 'prefix':
      return fc.oneof(fc.constant(''), fc.tuple(word(1, 8), fc.constantFrom('', '/', '-', '/sub/')).map(([head, tail]) => head + tail));
    case 'tags':
      return list(fc.tuple(word(1, 10), word(0, 10)).map(([key, value]) => `${key}=${value}`), true);
    case 'id':
      return fc.string({ unit: fc.constantFrom(...'abcXYZ019 ._-'), minLength: 1, maxLength: 40 }).filter((id) => id.trim() !== '');
    case 'sid':
      return fc.string({ unit: fc.constantFrom(...'abcXYZ0189'), minLength: 1, maxLength: 30 });
    case 'algorithm':
      return fc.constantFrom(...parameter.choices!);
    case 'principals':
    case 'accounts':
      return list(fc.oneof(digits(12), digits(12).map((account) => `arn:aws:iam::${account}:root`), fc.tuple(digits(12), word(1, 12)).map(([account, role]) => `arn:aws:iam::${account}:role/${role}`)));
    case 'cidrs':
      return list(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 32 })).map(([a, b, bits]) => `${a}.${b}.0.0/${bits}`));
    case 'endpoints':
      return list(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 8, maxLength: 17 }).map((hex) => `vpce-${hex}`));
    default:
      throw new Error(`no arbitrary for parameter ${parameter.name}`);
  }
}

describe('property: any template rendered with random valid parameters validates clean', () => {
  it.each(listTemplates().map((template) => [template.name, template] as const))('%s', (name, template) => {
    const values = fc.record(
      Object.fromEntries(template.parameters.map((parameter) => [parameter.name, parameter.required ? valueFor(parameter) : fc.option(valueFor(parameter), { nil: undefined })])),
    );
    const bucket = fc.tuple(fc.constantFrom(...'abc0'), fc.string({ unit: fc.constantFrom(...'abc019.-'), maxLength: 20 }), fc.constantFrom(...'xyz9')).map((parts) => parts.join(''));
    fc.assert(
      fc.property(values, bucket, (given, bucketName) => {
        const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as Record<string, TemplateValue>;
        const rendered = renderTemplate(name, defined, { bucket: bucketName });
        const document = JSON.parse(JSON.stringify(rendered.document)) as unknown;
        const problems = template.kind === 'lifecycle' ? validateLifecycle(document) : validateBucketPolicy(document, { bucket: bucketName });
        expect(problems).toEqual([]);
        expect(rendered.warnings).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('mergeBucketPolicy', () => {
  const userPolicy: BucketPolicyDocument = {
    Version: '2012-10-17',
    Id: 'users-own',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` },
      { Sid: 'S3kitDenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/*` },
      { Sid: 'Other', Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
    ],
  };

  it('replaces the statement of the same Sid in place, appends new ones and keeps every other statement', () => {
    const before = JSON.stringify(userPolicy);
    const tls = renderPolicyTemplate('tls-only', {}, { bucket: BUCKET }).document;
    const encryption = renderPolicyTemplate('deny-unencrypted-uploads', {}, { bucket: BUCKET }).document;
    const first = mergeBucketPolicy(userPolicy, tls);
    expect(first).toMatchObject({ added: [], replaced: ['S3kitDenyInsecureTransport'], unchanged: [], changed: true });
    const statements = first.policy.Statement as readonly { Sid?: string }[];
    expect(statements.map((statement) => statement.Sid)).toEqual([undefined, 'S3kitDenyInsecureTransport', 'Other']);
    expect(statements[1]).toEqual((tls.Statement as readonly unknown[])[0]);
    expect(statements[0]).toEqual((userPolicy.Statement as readonly unknown[])[0]);
    expect(first.policy.Id).toBe('users-own');

    const second = mergeBucketPolicy(first.policy, encryption);
    expect(second.added).toEqual(['S3kitDenyUnencryptedUploadsHeader', 'S3kitDenyUnencryptedUploadsMissing']);
    expect((second.policy.Statement as readonly unknown[]).length).toBe(5);
    expect(validateBucketPolicy(second.policy, { bucket: BUCKET })).toEqual([]);
    expect(JSON.stringify(userPolicy)).toBe(before);
  });

  it('is idempotent: merging the same statements again changes nothing, whatever the key order S3 returns', () => {
    const tls = renderPolicyTemplate('tls-only', {}, { bucket: BUCKET }).document;
    const once = mergeBucketPolicy(userPolicy, tls).policy;
    const [statement] = tls.Statement as unknown as readonly Record<string, unknown>[];
    const reordered = JSON.stringify({ Statement: [...(once.Statement as readonly unknown[]).slice(0, 1), Object.fromEntries(Object.entries(statement!).reverse()), ...(once.Statement as readonly unknown[]).slice(2)], Id: 'users-own', Version: '2012-10-17' });
    expect(mergeBucketPolicy(reordered, tls)).toMatchObject({ added: [], replaced: [], unchanged: ['S3kitDenyInsecureTransport'], changed: false });
  });

  it('starts a policy when the bucket has none, from undefined, null or ""', () => {
    const readOnly = renderPolicyTemplate('read-only', { principals: '111122223333' }, { bucket: BUCKET }).document;
    for (const none of [undefined, null, '']) {
      const merged = mergeBucketPolicy(none, readOnly);
      expect(merged.policy).toEqual({ Version: '2012-10-17', Statement: readOnly.Statement });
      expect(merged.added).toEqual(['S3kitReadOnlyList', 'S3kitReadOnlyGet']);
    }
  });

  it('reads an existing policy given as JSON text with a single Statement object', () => {
    const existing = JSON.stringify({ Version: '2008-10-17', Statement: { Sid: 'Keep', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` } });
    const merged = mergeBucketPolicy(existing, renderPolicyTemplate('tls-only', {}, { bucket: BUCKET }).document);
    expect(merged.policy.Version).toBe('2008-10-17');
    expect((merged.policy.Statement as readonly { Sid?: string }[]).map((statement) => statement.Sid)).toEqual(['Keep', 'S3kitDenyInsecureTransport']);
  });

  it('refuses statements without a Sid and an existing policy that is not JSON', () => {
    expect(errorOf(() => mergeBucketPolicy(userPolicy, { Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }] }))).toMatchObject({
      field: 'addition.Statement[0].Sid',
      message: expect.stringMatching(/needs a Sid/),
    });
    expect(errorOf(() => mergeBucketPolicy('{"Statement": [', renderPolicyTemplate('tls-only', {}, { bucket: BUCKET }).document)).message).toMatch(/not valid JSON/);
  });
});

describe('renderLifecycleTemplate / renderPolicyTemplate', () => {
  it('refuse a template of the other kind, listing the right ones', () => {
    expect(errorOf(() => renderLifecycleTemplate('tls-only')).message).toMatch(/"tls-only" makes a bucket policy, not a lifecycle configuration; the lifecycle templates are transition-to-standard-ia, /);
    expect(errorOf(() => renderPolicyTemplate('expire-after', {}, { bucket: BUCKET })).message).toMatch(/makes a lifecycle configuration, not a bucket policy; the policy templates are tls-only, /);
  });
});
