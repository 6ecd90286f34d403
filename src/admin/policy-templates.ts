import { ACCOUNT_ID, IAM_PRINCIPAL_ARN, IPV4_CIDR, IPV6_CIDR, VPC_ENDPOINT } from './formats.js';
import type { BucketPolicyDocument, PolicyStatement } from './policy-document.js';
import type { DefinedParameter, TemplateDefinition, TemplateValue } from './template-types.js';

/**
 * The bucket-policy templates shipped with the package. Each statement has a Sid made from the
 * `sid` parameter, so that applying a template again replaces its own statements and nothing else
 * ({@link mergeBucketPolicy}).
 */

function sidParameter(fallback: string): DefinedParameter {
  return {
    name: 'sid',
    description: 'The statement ID (letters and digits); applying the template again replaces the statements of this ID. Give another to apply the template twice, e.g. for two principals.',
    type: 'string',
    required: false,
    default: fallback,
    // IAM's Sid rule (A-Z, a-z, 0-9), stricter than S3 needs, so the Sid works in any policy.
    check: (value) => (/^[A-Za-z0-9]{1,100}$/.test(String(value)) ? undefined : 'must be 1 to 100 letters and digits'),
  };
}

const objectPrefixParameter: DefinedParameter = {
  name: 'prefix',
  description: 'Limit object access to keys starting with this prefix, e.g. "shared/" (default: every object).',
  type: 'string',
  required: false,
  default: '',
  check: (value) => (/[*?]/.test(String(value)) ? 'has a wildcard; give the literal beginning of the keys' : undefined),
};

function listOf(check: (text: string) => boolean, what: string): (value: TemplateValue) => string | undefined {
  return (value) => {
    const list = value as readonly string[];
    if (list.length === 0) return `needs at least one ${what}`;
    const bad = list.find((text) => !check(text));
    return bad === undefined ? undefined : `${JSON.stringify(bad)} is not ${what}`;
  };
}

const principalCheck = listOf((text) => ACCOUNT_ID.test(text) || IAM_PRINCIPAL_ARN.test(text), 'a 12-digit account ID or an IAM ARN (arn:aws:iam::111122223333:root, …:role/name)');

function arns(bucket: string): { bucket: string; objects: (prefix: string) => string } {
  const arn = `arn:aws:s3:::${bucket}`;
  return { bucket: arn, objects: (prefix) => `${arn}/${prefix}*` };
}

function policy(...statements: PolicyStatement[]): BucketPolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** A statement that denies everything on the bucket and its objects, to anyone, when `condition` holds. */
function denyAllWhen(sid: string, bucket: string, condition: NonNullable<PolicyStatement['Condition']>): PolicyStatement {
  const arn = arns(bucket);
  return { Sid: sid, Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn.bucket, arn.objects('')], Condition: condition };
}

export const POLICY_TEMPLATES: readonly TemplateDefinition[] = [
  {
    name: 'tls-only',
    kind: 'policy',
    description: 'Deny every request made without TLS (aws:SecureTransport false), to the bucket and its objects.',
    parameters: [sidParameter('S3kitDenyInsecureTransport')],
    render: (values, bucket) => policy(denyAllWhen(values.sid as string, bucket, { Bool: { 'aws:SecureTransport': 'false' } })),
  },
  {
    name: 'deny-unencrypted-uploads',
    kind: 'policy',
    description:
      'Deny uploads that do not ask for server-side encryption with the given algorithm (the x-amz-server-side-encryption header), and uploads without the header.',
    parameters: [
      { name: 'algorithm', description: 'The encryption uploads must ask for.', type: 'string', required: false, default: 'AES256', choices: ['AES256', 'aws:kms', 'aws:kms:dsse'] },
      sidParameter('S3kitDenyUnencryptedUploads'),
    ],
    render: (values, bucket) => {
      const objects = arns(bucket).objects('');
      const sid = values.sid as string;
      return policy(
        {
          Sid: `${sid}Header`,
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: objects,
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': values.algorithm as string } },
        },
        { Sid: `${sid}Missing`, Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: objects, Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } } },
      );
    },
  },
  {
    name: 'read-only',
    kind: 'policy',
    description: 'Let the given principals list the bucket and read its objects (nothing else).',
    parameters: [
      { name: 'principals', description: 'Who may read: 12-digit account IDs or IAM ARNs (comma-separated).', type: 'string[]', required: true, check: principalCheck },
      objectPrefixParameter,
      sidParameter('S3kitReadOnly'),
    ],
    render: (values, bucket) => {
      const arn = arns(bucket);
      const sid = values.sid as string;
      const prefix = values.prefix as string;
      const principal = { AWS: values.principals as readonly string[] };
      return policy(
        {
          Sid: `${sid}List`,
          Effect: 'Allow',
          Principal: principal,
          Action: ['s3:ListBucket', 's3:GetBucketLocation'],
          Resource: arn.bucket,
          ...(prefix === '' ? {} : { Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } } }),
        },
        { Sid: `${sid}Get`, Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: arn.objects(prefix) },
      );
    },
  },
  {
    name: 'cross-account-read-write',
    kind: 'policy',
    description: 'Let other AWS accounts list the bucket and read, write and delete its objects (multipart uploads included).',
    parameters: [
      { name: 'accounts', description: 'The accounts: 12-digit account IDs or IAM ARNs (comma-separated).', type: 'string[]', required: true, check: principalCheck },
      objectPrefixParameter,
      sidParameter('S3kitCrossAccount'),
    ],
    render: (values, bucket) => {
      const arn = arns(bucket);
      const sid = values.sid as string;
      const principal = { AWS: values.accounts as readonly string[] };
      return policy(
        {
          Sid: `${sid}Bucket`,
          Effect: 'Allow',
          Principal: principal,
          Action: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
          Resource: arn.bucket,
        },
        {
          Sid: `${sid}Objects`,
          Effect: 'Allow',
          Principal: principal,
          Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          Resource: arn.objects(values.prefix as string),
        },
      );
    },
  },
  {
    name: 'restrict-to-ip',
    kind: 'policy',
    description:
      'Deny every request from outside the given IP ranges (aws:SourceIp), the bucket owner\'s and the console\'s included: make sure your own address is in the list. Requests through a VPC endpoint carry no public source IP and are denied too.',
    parameters: [
      { name: 'cidrs', description: 'The allowed ranges, IPv4 or IPv6 CIDR (comma-separated), e.g. 203.0.113.0/24.', type: 'string[]', required: true, check: listOf((text) => IPV4_CIDR.test(text) || IPV6_CIDR.test(text), 'an IP address or CIDR range') },
      sidParameter('S3kitRestrictToIp'),
    ],
    render: (values, bucket) => policy(denyAllWhen(values.sid as string, bucket, { NotIpAddress: { 'aws:SourceIp': values.cidrs as readonly string[] } })),
  },
  {
    name: 'restrict-to-vpc-endpoint',
    kind: 'policy',
    description: 'Deny every request that does not come through the given VPC endpoints (aws:SourceVpce), the console\'s included.',
    parameters: [
      { name: 'endpoints', description: 'The VPC endpoint IDs (comma-separated), e.g. vpce-1a2b3c4d.', type: 'string[]', required: true, check: listOf((text) => VPC_ENDPOINT.test(text), 'a VPC endpoint ID (vpce-…)') },
      sidParameter('S3kitRestrictToVpce'),
    ],
    render: (values, bucket) => policy(denyAllWhen(values.sid as string, bucket, { StringNotEquals: { 'aws:SourceVpce': values.endpoints as readonly string[] } })),
  },
];
