import { describe, expect, it } from 'vitest';
import { assertValidBucketPolicy, validateBucketPolicy, type ValidationProblem } from '../../src/admin/index.js';
import { ConfigError } from '../../src/core/errors.js';

const errors = (problems: ValidationProblem[]) => problems.filter((problem) => problem.severity === 'error');
const warnings = (problems: ValidationProblem[]) => problems.filter((problem) => problem.severity === 'warning');

const BUCKET = 'DOC-EXAMPLE-BUCKET';
const ARN = `arn:aws:s3:::${BUCKET}`;

/** A policy of one statement: a valid read grant to an account, with `extra` over it. */
function statement(extra: Record<string, unknown>, without: string[] = []): Record<string, unknown> {
  const base: Record<string, unknown> = {
    Sid: 'Read',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::111122223333:root' },
    Action: 's3:GetObject',
    Resource: `${ARN}/*`,
    ...extra,
  };
  for (const key of without) delete base[key];
  return { Version: '2012-10-17', Statement: [base] };
}

describe('validateBucketPolicy: examples from the AWS documentation pass', () => {
  it.each([
    [
      'Bucket policy examples: restrict access to an IP range (IPv4)',
      {
        Version: '2012-10-17',
        Id: 'S3PolicyId1',
        Statement: [{ Sid: 'IPAllow', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [ARN, `${ARN}/*`], Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }],
      },
    ],
    [
      'Bucket policy examples: IPv4 and IPv6 ranges',
      {
        Id: 'PolicyId2',
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowIPmix',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:*',
            Resource: [ARN, `${ARN}/*`],
            Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:DB8:1234:5678::/64'] }, NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678:ABCD::/80'] } },
          },
        ],
      },
    ],
    [
      'Enforce encryption in transit (AllowSSLRequestsOnly)',
      {
        Version: '2012-10-17',
        Statement: [{ Sid: 'AllowSSLRequestsOnly', Action: 's3:*', Effect: 'Deny', Resource: [ARN, `${ARN}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: '*' }],
      },
    ],
    [
      'Granting permissions to multiple accounts with a condition on the ACL',
      {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AddCannedAcl',
            Effect: 'Allow',
            Principal: { AWS: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::444455556666:root'] },
            Action: ['s3:PutObject', 's3:PutObjectAcl'],
            Resource: `${ARN}/*`,
            Condition: { StringEquals: { 's3:x-amz-acl': ['public-read'] } },
          },
        ],
      },
    ],
    [
      'Server access logging: the logging service writes under a prefix',
      {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'S3ServerAccessLogsPolicy',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: ['s3:PutObject'],
            Resource: `${ARN}/EXAMPLE-LOGGING-PREFIX*`,
            Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::SOURCE-BUCKET-NAME' }, StringEquals: { 'aws:SourceAccount': '111122223333' } },
          },
        ],
      },
    ],
    [
      'Restricting access to a specific VPC endpoint (a Sid with hyphens)',
      {
        Version: '2012-10-17',
        Id: 'Policy1415115909152',
        Statement: [
          { Sid: 'Access-to-specific-VPCE-only', Principal: '*', Action: 's3:*', Effect: 'Deny', Resource: [ARN, `${ARN}/*`], Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } },
        ],
      },
    ],
    [
      'Requiring MFA (Null and NumericGreaterThan)',
      {
        Version: '2012-10-17',
        Id: '123',
        Statement: [
          { Sid: '', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `${ARN}/taxdocuments/*`, Condition: { Null: { 'aws:MultiFactorAuthAge': true } } },
          { Sid: 'NumericCheck', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `${ARN}/taxdocuments/*`, Condition: { NumericGreaterThan: { 'aws:MultiFactorAuthAge': 3600 } } },
          { Sid: 'Allow', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: `${ARN}/*`, Condition: { StringLike: { 'aws:Referer': ['http://www.example.com/*'] } } },
        ],
      },
    ],
    [
      'CloudFront origin access identity reads objects',
      {
        Version: '2012-10-17',
        Id: 'PolicyForCloudFrontPrivateContent',
        Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity EH1HDMB1FH2TC' }, Action: 's3:GetObject', Resource: `${ARN}/*` }],
      },
    ],
    [
      'a policy as JSON text (as GetBucketPolicy returns it), Statement as a single object, set operators and IfExists',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: {
          Effect: 'Deny',
          Principal: '*',
          Action: ['s3:Get*', 's3:ListBucket'],
          Resource: [ARN, `${ARN}/*`],
          Condition: { 'ForAnyValue:StringLikeIfExists': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/*'] }, DateGreaterThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
        },
      }),
    ],
  ])('%s', (_name, policy) => {
    expect(validateBucketPolicy(policy, { bucket: BUCKET })).toEqual([]);
  });

  it('the public-read example passes, with a warning that it makes the bucket public', () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: [`${ARN}/*`] }],
    };
    const problems = validateBucketPolicy(policy, { bucket: BUCKET });
    expect(errors(problems)).toEqual([]);
    expect(warnings(problems)).toEqual([expect.objectContaining({ path: 'Statement[0].Principal', message: expect.stringMatching(/allows anyone/) })]);
  });
});

describe('validateBucketPolicy: each invalid case names the path and what is wrong', () => {
  it.each<[string, unknown, string, RegExp, RegExp?]>([
    ['not JSON', '{"Version": ', '', /not valid JSON/],
    ['not an object', [], '', /JSON object with Version and Statement/],
    ['Version as a date of writing', { ...statement({}), Version: '2024-01-01' }, 'Version', /policy language's date, "2012-10-17"/],
    ['no Statement', { Version: '2012-10-17' }, 'Statement', /needs a Statement/],
    ['empty Statement', { Version: '2012-10-17', Statement: [] }, 'Statement', /at least one statement/],
    ['unknown top-level element', { ...statement({}), Statements: [] }, 'Statements', /no element "Statements"/, /Did you mean "Statement"/],
    ['duplicate Sids', { Version: '2012-10-17', Statement: [...(statement({}).Statement as unknown[]), ...(statement({}).Statement as unknown[])] }, 'Statement[1].Sid', /already used by Statement\[0\]/],
    ['Effect in lower case', statement({ Effect: 'allow' }), 'Statement[0].Effect', /"Allow" or "Deny"/],
    ['no Principal', statement({}, ['Principal']), 'Statement[0].Principal', /needs a Principal/],
    ['Principal and NotPrincipal', statement({ NotPrincipal: '*' }), 'Statement[0].NotPrincipal', /Principal or NotPrincipal, not both/],
    ['a principal kind that does not exist', statement({ Principal: { User: 'bob' } }), 'Statement[0].Principal.User', /no element "User"/],
    ['an account ID too short', statement({ Principal: { AWS: '12345' } }), 'Statement[0].Principal.AWS', /12-digit account ID or an IAM ARN/],
    ['a user name instead of an ARN, in a list', statement({ Principal: { AWS: ['111122223333', 'bob'] } }), 'Statement[0].Principal.AWS[1]', /12-digit account ID or an IAM ARN/],
    ['a service principal without its domain', statement({ Principal: { Service: 'logging' } }), 'Statement[0].Principal.Service', /service's domain/],
    ['a canonical user ID of the wrong form', statement({ Principal: { CanonicalUser: 'abc' } }), 'Statement[0].Principal.CanonicalUser', /64 lower-case hexadecimal/],
    ['no Action', statement({}, ['Action']), 'Statement[0].Action', /needs an Action/],
    ['Action and NotAction', statement({ NotAction: 's3:PutObject' }), 'Statement[0].NotAction', /Action or NotAction, not both/],
    ['a misspelt action, with the nearest name', statement({ Action: 's3:GetObjcet' }), 'Statement[0].Action', /Unknown S3 action "s3:GetObjcet"/, /Did you mean "s3:GetObject"\?/],
    ['an unknown action in a list', statement({ Action: ['s3:GetObject', 's3:ListBuckets'] }), 'Statement[0].Action[1]', /Unknown S3 action/, /ListBuckets is an API operation; it is authorized by "s3:ListAllMyBuckets"/],
    ['an API operation name', statement({ Action: 's3:HeadObject' }), 'Statement[0].Action', /Unknown S3 action/, /authorized by "s3:GetObject"/],
    ['an action without a service', statement({ Action: 'GetObject' }), 'Statement[0].Action', /"s3:" and a name/, /Write "s3:GetObject"/],
    ['another service\'s action', statement({ Action: 'iam:PassRole' }), 'Statement[0].Action', /only Amazon S3 actions/],
    ['a wildcard that matches nothing', statement({ Action: 's3:Frob*' }), 'Statement[0].Action', /matches no S3 action/],
    ['an object action on the bucket ARN', statement({ Action: 's3:GetObject', Resource: ARN }), 'Statement[0].Action', /s3:GetObject applies to objects, but Statement\[0\]\.Resource names only the bucket/, /Add the object ARN "arn:aws:s3:::DOC-EXAMPLE-BUCKET\/\*"/],
    ['a bucket action on the object ARN', statement({ Action: ['s3:GetObject', 's3:ListBucket'] }), 'Statement[0].Action[1]', /s3:ListBucket applies to the bucket, but Statement\[0\]\.Resource names only objects/, /Add the bucket ARN "arn:aws:s3:::DOC-EXAMPLE-BUCKET"/],
    ['a bucket wildcard on the object ARN', statement({ Action: 's3:GetBucket*' }), 'Statement[0].Action', /applies to the bucket/],
    ['an account action', statement({ Action: 's3:ListAllMyBuckets' }), 'Statement[0].Action', /acts on the account/],
    ['no Resource', statement({}, ['Resource']), 'Statement[0].Resource', /needs a Resource/],
    ['Resource and NotResource', statement({ NotResource: ARN }), 'Statement[0].NotResource', /Resource or NotResource, not both/],
    ['another bucket', statement({ Resource: 'arn:aws:s3:::other-bucket/*' }), 'Statement[0].Resource', /names bucket "other-bucket", but this is the policy of "DOC-EXAMPLE-BUCKET"/, /Use "arn:aws:s3:::DOC-EXAMPLE-BUCKET\/\*"/],
    ['not an ARN', statement({ Resource: 'DOC-EXAMPLE-BUCKET/*' }), 'Statement[0].Resource', /an S3 ARN/],
    ['an access point ARN', statement({ Resource: 'arn:aws:s3:us-east-1:111122223333:accesspoint/ap' }), 'Statement[0].Resource', /no region or account/],
    ['an empty resource list', statement({ Resource: [] }), 'Statement[0].Resource', /non-empty array of strings/],
    ['an unknown condition operator, with the nearest', statement({ Condition: { StringEqual: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }), 'Statement[0].Condition.StringEqual', /Unknown condition operator "StringEqual"/, /Did you mean "StringEquals"\?/],
    ['a misspelt operator after a set prefix', statement({ Condition: { 'ForAnyValue:StringLikee': { 'aws:TagKeys': ['a'] } } }), 'Statement[0].Condition["ForAnyValue:StringLikee"]', /Unknown condition operator/, /Did you mean "ForAnyValue:StringLike"\?/],
    ['NullIfExists', statement({ Condition: { NullIfExists: { 'aws:SourceIp': 'true' } } }), 'Statement[0].Condition.NullIfExists', /Null has no IfExists form/],
    ['an empty condition block', statement({ Condition: { Bool: {} } }), 'Statement[0].Condition.Bool', /needs an object of condition keys/],
    ['a condition key without a service', statement({ Condition: { StringEquals: { SourceVpce: 'vpce-1a2b3c4d' } } }), 'Statement[0].Condition.StringEquals.SourceVpce', /not a condition key/],
    ['Bool compared with yes', statement({ Condition: { Bool: { 'aws:SecureTransport': 'no' } } }), 'Statement[0].Condition.Bool["aws:SecureTransport"]', /"true" or "false"/],
    ['an IP range that is not one', statement({ Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '300.1.1.1/8'] } } }), 'Statement[0].Condition.IpAddress["aws:SourceIp"][1]', /IP address or CIDR range/],
    ['a number compared with text', statement({ Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } }), 'Statement[0].Condition.NumericLessThan["s3:max-keys"]', /compares numbers/],
    ['a date that is not one', statement({ Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }), 'Statement[0].Condition.DateLessThan["aws:CurrentTime"]', /compares dates/],
    ['an ARN comparison with a name', statement({ Condition: { ArnEquals: { 'aws:SourceArn': 'my-bucket' } } }), 'Statement[0].Condition.ArnEquals["aws:SourceArn"]', /compares ARNs/],
    ['over 20 KB', statement({ Action: Array.from({ length: 1500 }, () => 's3:GetObject') }), '', /limited to 20 KB/],
  ])('%s', (_name, policy, path, message, fix) => {
    const found = errors(validateBucketPolicy(policy, { bucket: BUCKET }));
    expect(found.map((problem) => problem.path)).toContain(path);
    const problem = found.find((candidate) => candidate.path === path)!;
    expect(problem.message).toMatch(message);
    if (fix !== undefined) expect(problem.fix).toMatch(fix);
  });

  it('accepts action names in any case (IAM compares them case-insensitively) and wildcards in the bucket part', () => {
    expect(validateBucketPolicy(statement({ Action: 'S3:getobject', Resource: 'arn:aws:s3:::DOC-EXAMPLE-*/*' }), { bucket: BUCKET })).toEqual([]);
    // "bucket*" names the bucket and (IAM's * crosses slashes) its objects.
    expect(validateBucketPolicy(statement({ Action: ['s3:GetObject', 's3:ListBucket'], Resource: `${ARN}*` }), { bucket: BUCKET })).toEqual([]);
  });

  it('does not match NotAction actions against the resources', () => {
    expect(errors(validateBucketPolicy(statement({ NotAction: 's3:ListBucket', Effect: 'Deny' }, ['Action']), { bucket: BUCKET }))).toEqual([]);
  });

  it('warns on the old Version, a missing Version, Resource "*" and NotPrincipal with Allow', () => {
    const paths = (policy: unknown) => warnings(validateBucketPolicy(policy, { bucket: BUCKET })).map((problem) => problem.path);
    expect(paths({ ...statement({}), Version: '2008-10-17' })).toEqual(['Version']);
    const { Version: _version, ...unversioned } = statement({});
    expect(paths(unversioned)).toEqual(['Version']);
    expect(paths(statement({ Resource: '*' }))).toEqual(['Statement[0].Resource']);
    expect(paths(statement({ NotPrincipal: { AWS: '111122223333' } }, ['Principal']))).toEqual(['Statement[0].NotPrincipal']);
  });

  it('needs the bucket name', () => {
    expect(() => validateBucketPolicy(statement({}), { bucket: '' })).toThrow(ConfigError);
    expect(() => validateBucketPolicy(statement({}), undefined as never)).toThrow(/needs the bucket name/);
  });

  it('assertValidBucketPolicy throws a ConfigError listing every error', () => {
    expect(() => assertValidBucketPolicy(statement({ Effect: 'Permit', Action: 's3:GetObjcet' }), { bucket: BUCKET })).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'Statement[0].Effect', message: expect.stringMatching(/has 2 errors:[\s\S]*Statement\[0\]\.Effect[\s\S]*Statement\[0\]\.Action: Unknown S3 action/) }),
    );
    expect(assertValidBucketPolicy(statement({ Resource: '*' }), { bucket: BUCKET })).toHaveLength(1);
  });
});

describe('validateBucketPolicy: public grants', () => {
  it('warns on {"AWS": "*"} as on "*"', () => {
    const problems = validateBucketPolicy(statement({ Principal: { AWS: ['*'] } }), { bucket: BUCKET });
    expect(problems).toEqual([expect.objectContaining({ severity: 'warning', path: 'Statement[0].Principal', value: { AWS: ['*'] } })]);
  });
});
