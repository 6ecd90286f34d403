import { ConfigError } from '../core/errors.js';
import { ACCOUNT_ID, IAM_PRINCIPAL_ARN, IPV4_CIDR, IPV6_CIDR } from './formats.js';
import { checkKnownKeys, child, isObject, item, nearest, ProblemList, show, throwIfErrors, type ValidationProblem } from './problems.js';
import { globToRegExp, lookUpAction, matchActions, OPERATION_ACTIONS, S3_ACTION_NAMES, type S3ActionTarget } from './s3-actions.js';

/*
 * AWS's documented rules for a bucket policy (IAM JSON policy element reference: Version,
 * Statement, Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource,
 * Condition and its operators; Amazon S3 User Guide, "Bucket policies" and "Policy actions for
 * Amazon S3"). Errors are what PutBucketPolicy refuses as MalformedPolicy ("Action does not apply
 * to any resource(s) in statement", "Policy has invalid resource", "Invalid principal in policy")
 * or what cannot work; warnings are accepted but probably not meant.
 */

/**
 * Options of {@link validateBucketPolicy}.
 * @public
 */
export interface BucketPolicyOptions {
  /** The bucket the policy is for: every Resource must name it (S3 refuses a policy about another bucket). */
  readonly bucket: string;
}

/** "Bucket policies are limited to 20 KB in size." */
const MAX_POLICY_BYTES = 20 * 1024;

const TOP_KEYS = ['Version', 'Id', 'Statement'] as const;
const STATEMENT_KEYS = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'] as const;
const PRINCIPAL_KEYS = ['AWS', 'Service', 'CanonicalUser', 'Federated'] as const;

/** The condition operators of the IAM policy grammar, without `IfExists` and the set prefixes. */
const OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnNotEquals',
  'ArnLike',
  'ArnNotLike',
  'Null',
] as const;

const SERVICE = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;
const CANONICAL_USER = /^[0-9a-f]{64}$/;
const S3_ARN = /^arn:(aws|aws-cn|aws-us-gov):s3:([^:]*):([^:]*):(.+)$/;

/** What a statement's resources cover, once each ARN is checked. */
interface Coverage {
  bucket: boolean;
  objects: boolean;
  /** False when a resource could not be read, so action/resource checks would only add noise. */
  readable: boolean;
  /** The resources as given, for messages. */
  readonly text: string;
}

/**
 * Checks a bucket policy against AWS's documented rules: Version `2012-10-17` (`2008-10-17` is a
 * warning), Statement (one object or an array), Effect, exactly one of Principal/NotPrincipal in
 * one of its forms, `s3:` action names (wildcards allowed; an unknown name is an error with the
 * nearest known name), Resource ARNs of this bucket (`arn:aws:s3:::bucket`, `arn:aws:s3:::bucket/*`),
 * object actions with an object ARN and bucket actions with the bucket ARN, unique Sids, and
 * condition operators (with `ForAllValues:`/`ForAnyValue:` and `IfExists`).
 *
 * Pure: no I/O. Returns every problem found (empty when the policy is clean); the policy may be
 * given as JSON text, as GetBucketPolicy returns it. Throws a ConfigError only when
 * `options.bucket` is missing.
 * @public
 */
export function validateBucketPolicy(policy: unknown, options: BucketPolicyOptions): ValidationProblem[] {
  if (!isObject(options) || typeof options.bucket !== 'string' || options.bucket === '') {
    throw new ConfigError('bucket', `validateBucketPolicy needs the bucket name (options.bucket), got ${show(isObject(options) ? options.bucket : options)}.`);
  }
  const { bucket } = options;
  const problems = new ProblemList();
  if (typeof policy === 'string') {
    try {
      policy = JSON.parse(policy) as unknown;
    } catch (error) {
      problems.error('', policy, `The policy is not valid JSON: ${(error as Error).message}.`, 'Fix the JSON syntax.');
      return problems.problems;
    }
  }
  if (!isObject(policy)) {
    problems.error('', policy, 'A bucket policy is a JSON object with Version and Statement.', 'Give {"Version": "2012-10-17", "Statement": [ ... ]}.');
    return problems.problems;
  }
  const size = new TextEncoder().encode(JSON.stringify(policy)).length;
  if (size > MAX_POLICY_BYTES) {
    problems.error('', `${size} bytes`, `Bucket policies are limited to 20 KB; this one is ${size} bytes.`, 'Merge statements, use wildcards in actions, or move grants to IAM policies.');
  }
  checkKnownKeys(problems, policy, '', TOP_KEYS, 'A bucket policy');

  if (policy.Version === undefined) {
    problems.warning('Version', undefined, 'Without Version the policy is read as "2008-10-17", where policy variables such as ${aws:username} are plain text.', 'Add "Version": "2012-10-17".');
  } else if (policy.Version === '2008-10-17') {
    problems.warning('Version', policy.Version, 'Version "2008-10-17" is the old policy language: policy variables such as ${aws:username} are plain text.', 'Use "Version": "2012-10-17".');
  } else if (policy.Version !== '2012-10-17') {
    problems.error('Version', policy.Version, 'Version is the policy language\'s date, "2012-10-17" (not the date you wrote the policy).', 'Set "Version": "2012-10-17".');
  }
  if (policy.Id !== undefined && typeof policy.Id !== 'string') {
    problems.error('Id', policy.Id, 'Id is a string.', 'Give a string, or remove Id.');
  }

  const statement = policy.Statement;
  if (statement === undefined) {
    problems.error('Statement', undefined, 'A policy needs a Statement.', 'Add "Statement": [ { "Effect": ..., "Principal": ..., "Action": ..., "Resource": ... } ].');
    return problems.problems;
  }
  const statements = Array.isArray(statement) ? statement.map((value, index) => [value, item('Statement', index)] as const) : [[statement, 'Statement'] as const];
  if (statements.length === 0) {
    problems.error('Statement', statement, 'A policy needs at least one statement.', 'Add a statement, or delete the bucket policy instead of putting an empty one.');
  }
  const sids = new Map<string, string>();
  for (const [value, path] of statements) {
    validateStatement(problems, value, path, bucket);
    if (isObject(value) && typeof value.Sid === 'string') {
      const first = sids.get(value.Sid);
      if (first === undefined) sids.set(value.Sid, path);
      else problems.error(child(path, 'Sid'), value.Sid, `The Sid is already used by ${first}; Sids must be unique within a policy.`, 'Give each statement its own Sid.');
    }
  }
  return problems.problems;
}

/**
 * {@link validateBucketPolicy}, throwing a ConfigError that lists every error (warnings do not throw).
 * @returns the warnings, for the caller to show
 * @public
 */
export function assertValidBucketPolicy(policy: unknown, options: BucketPolicyOptions): ValidationProblem[] {
  const problems = validateBucketPolicy(policy, options);
  throwIfErrors(problems, 'bucket policy');
  return problems;
}

function validateStatement(problems: ProblemList, statement: unknown, path: string, bucket: string): void {
  if (!isObject(statement)) {
    problems.error(path, statement, 'A statement is a JSON object.', 'Give {"Effect": ..., "Principal": ..., "Action": ..., "Resource": ...}.');
    return;
  }
  checkKnownKeys(problems, statement, path, STATEMENT_KEYS, 'A statement');
  if (statement.Sid !== undefined && typeof statement.Sid !== 'string') {
    problems.error(child(path, 'Sid'), statement.Sid, 'Sid is a string.', 'Give a short name such as "DenyInsecureTransport".');
  }
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    problems.error(child(path, 'Effect'), statement.Effect, 'Effect must be "Allow" or "Deny" (capitalized as shown).', 'Set "Effect": "Allow" or "Deny".');
  }

  const hasPrincipal = statement.Principal !== undefined;
  const hasNotPrincipal = statement.NotPrincipal !== undefined;
  if (hasPrincipal && hasNotPrincipal) {
    problems.error(child(path, 'NotPrincipal'), statement.NotPrincipal, 'A statement has Principal or NotPrincipal, not both.', 'Keep one of them.');
  } else if (!hasPrincipal && !hasNotPrincipal) {
    problems.error(child(path, 'Principal'), undefined, 'A bucket policy statement needs a Principal (who it is about).', 'Add "Principal": "*" for everyone, or {"AWS": "arn:aws:iam::111122223333:root"}.');
  } else {
    const key = hasPrincipal ? 'Principal' : 'NotPrincipal';
    validatePrincipal(problems, statement[key], child(path, key));
    if (hasNotPrincipal && statement.Effect === 'Allow') {
      problems.warning(child(path, 'NotPrincipal'), statement.NotPrincipal, 'NotPrincipal with "Allow" grants access to everyone not listed, anonymous users included.', 'Use Principal with Allow, or NotPrincipal only with Deny.');
    }
  }
  const everyone = statement.Principal === '*' || (isObject(statement.Principal) && (statement.Principal.AWS === '*' || (Array.isArray(statement.Principal.AWS) && statement.Principal.AWS.includes('*'))));
  if (everyone && statement.Effect === 'Allow' && statement.Condition === undefined) {
    problems.warning(child(path, 'Principal'), statement.Principal, 'This statement allows anyone, anonymous users included (a public bucket); Block Public Access refuses such a policy.', 'Name the principals, or add a Condition that limits the access.');
  }

  const coverage = validateResources(problems, statement, path, bucket);
  validateActions(problems, statement, path, coverage, bucket);
  if (statement.Condition !== undefined) validateCondition(problems, statement.Condition, child(path, 'Condition'));
}

/** A string or a non-empty array of strings, each with its path; reports anything else. */
function stringsOf(problems: ProblemList, value: unknown, path: string, what: string): [string, string][] {
  if (typeof value === 'string') return [[value, path]];
  if (Array.isArray(value) && value.length > 0) {
    const found: [string, string][] = [];
    value.forEach((entry, index) => {
      if (typeof entry === 'string') found.push([entry, item(path, index)]);
      else problems.error(item(path, index), entry, `${what} is a string.`, `Give each ${what.toLowerCase()} as a string.`);
    });
    return found;
  }
  problems.error(path, value, `${what} is a string or a non-empty array of strings.`, `Give one ${what.toLowerCase()} as a string, or several in [ ... ].`);
  return [];
}

function validatePrincipal(problems: ProblemList, principal: unknown, path: string): void {
  if (principal === '*') return;
  if (!isObject(principal)) {
    problems.error(path, principal, 'A principal is "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}.', 'Give "*" or {"AWS": ...}, {"Service": ...}, {"CanonicalUser": ...}, {"Federated": ...}.');
    return;
  }
  checkKnownKeys(problems, principal, path, PRINCIPAL_KEYS, 'A principal');
  if (!PRINCIPAL_KEYS.some((key) => principal[key] !== undefined)) {
    problems.error(path, principal, 'The principal names nobody.', 'Add "AWS", "Service", "CanonicalUser" or "Federated".');
  }
  for (const [value, at] of principal.AWS === undefined ? [] : stringsOf(problems, principal.AWS, child(path, 'AWS'), 'An AWS principal')) {
    if (value !== '*' && !ACCOUNT_ID.test(value) && !IAM_PRINCIPAL_ARN.test(value)) {
      problems.error(at, value, 'An AWS principal is "*", a 12-digit account ID or an IAM ARN (root, user/…, role/…, assumed-role/…, federated-user/…).', 'Give e.g. "111122223333", "arn:aws:iam::111122223333:root" or "arn:aws:iam::111122223333:role/reader".');
    }
  }
  for (const [value, at] of principal.Service === undefined ? [] : stringsOf(problems, principal.Service, child(path, 'Service'), 'A service principal')) {
    if (!SERVICE.test(value)) {
      problems.error(at, value, 'A service principal is a service\'s domain such as "logging.s3.amazonaws.com".', 'Give the service\'s principal name, ending in ".amazonaws.com".');
    }
  }
  for (const [value, at] of principal.CanonicalUser === undefined ? [] : stringsOf(problems, principal.CanonicalUser, child(path, 'CanonicalUser'), 'A canonical user ID')) {
    if (!CANONICAL_USER.test(value)) {
      problems.error(at, value, 'A canonical user ID is 64 lower-case hexadecimal digits.', 'Copy the ID from the account\'s security credentials (or use an AWS principal).');
    }
  }
  for (const [value, at] of principal.Federated === undefined ? [] : stringsOf(problems, principal.Federated, child(path, 'Federated'), 'A federated principal')) {
    if (value.trim() === '') problems.error(at, value, 'A federated principal is an identity provider\'s name or ARN.', 'Give e.g. "cognito-identity.amazonaws.com" or an IAM SAML/OIDC provider ARN.');
  }
}

function validateResources(problems: ProblemList, statement: Record<string, unknown>, path: string, bucket: string): Coverage {
  const hasResource = statement.Resource !== undefined;
  const hasNotResource = statement.NotResource !== undefined;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const coverage: Coverage = { bucket: false, objects: false, readable: hasResource && !hasNotResource, text: show(statement.Resource) };
  if (hasResource && hasNotResource) {
    problems.error(child(path, 'NotResource'), statement.NotResource, 'A statement has Resource or NotResource, not both.', 'Keep one of them.');
    return coverage;
  }
  if (!hasResource && !hasNotResource) {
    problems.error(child(path, 'Resource'), undefined, 'A statement needs a Resource.', `Add "Resource": ["${bucketArn}", "${bucketArn}/*"] (the bucket and its objects).`);
    return coverage;
  }
  const key = hasResource ? 'Resource' : 'NotResource';
  const entries = stringsOf(problems, statement[key], child(path, key), 'A resource');
  if (entries.length === 0) coverage.readable = false;
  for (const [resource, at] of entries) {
    if (resource === '*') {
      problems.warning(at, resource, `"*" names every resource, not just this bucket; S3 may refuse it and it hides which part (bucket or objects) is meant.`, `Name the bucket ("${bucketArn}") and/or its objects ("${bucketArn}/*").`);
      coverage.bucket = coverage.objects = true;
      continue;
    }
    const arn = S3_ARN.exec(resource);
    if (arn === null) {
      coverage.readable = false;
      problems.error(at, resource, 'A bucket policy resource is an S3 ARN: "arn:aws:s3:::bucket" for the bucket, "arn:aws:s3:::bucket/key-pattern" for objects.', `Give "${bucketArn}" or "${bucketArn}/*".`);
      continue;
    }
    const [, , region, account, rest] = arn as unknown as [string, string, string, string, string];
    if (region !== '' || account !== '') {
      coverage.readable = false;
      problems.error(at, resource, 'A bucket or object ARN has no region or account ("arn:aws:s3:::bucket"); this one looks like an access point or another service\'s ARN.', `Give "${bucketArn}" or "${bucketArn}/*".`);
      continue;
    }
    const slash = rest.indexOf('/');
    const bucketPart = slash === -1 ? rest : rest.slice(0, slash);
    if (!globToRegExp(bucketPart).test(bucket)) {
      coverage.readable = false;
      problems.error(at, resource, `The ARN names bucket ${JSON.stringify(bucketPart)}, but this is the policy of ${JSON.stringify(bucket)}; a bucket policy can only be about its own bucket.`, `Use "${bucketArn}${slash === -1 ? '' : rest.slice(slash)}".`);
      continue;
    }
    if (slash === -1) {
      coverage.bucket = true;
      // IAM's `*` crosses slashes: "arn:aws:s3:::bucket*" names the bucket and its objects.
      if (globToRegExp(rest).test(`${bucket}/key`)) coverage.objects = true;
    } else {
      coverage.objects = true;
    }
  }
  return coverage;
}

function validateActions(problems: ProblemList, statement: Record<string, unknown>, path: string, coverage: Coverage, bucket: string): void {
  const hasAction = statement.Action !== undefined;
  const hasNotAction = statement.NotAction !== undefined;
  if (hasAction && hasNotAction) {
    problems.error(child(path, 'NotAction'), statement.NotAction, 'A statement has Action or NotAction, not both.', 'Keep one of them.');
    return;
  }
  if (!hasAction && !hasNotAction) {
    problems.error(child(path, 'Action'), undefined, 'A statement needs an Action.', 'Add e.g. "Action": "s3:GetObject".');
    return;
  }
  const key = hasAction ? 'Action' : 'NotAction';
  const resourcePath = child(path, 'Resource');
  for (const [action, at] of stringsOf(problems, statement[key], child(path, key), 'An action')) {
    if (action === '*') continue;
    const colon = action.indexOf(':');
    const service = colon === -1 ? '' : action.slice(0, colon).toLowerCase();
    const name = action.slice(colon + 1);
    if (service !== 's3') {
      problems.error(
        at,
        action,
        colon === -1 ? 'An action is "s3:" and a name, e.g. "s3:GetObject".' : `A bucket policy grants only Amazon S3 actions ("s3:…"), not "${action.slice(0, colon)}:" ones.`,
        colon === -1 && lookUpAction(action) !== undefined ? `Write "s3:${lookUpAction(action)!.name}".` : 'Use s3: actions here; grant other services\' actions in IAM policies.',
      );
      continue;
    }
    let targets: S3ActionTarget[];
    if (/[*?]/.test(name)) {
      const matched = matchActions(name);
      if (matched.length === 0) {
        problems.error(at, action, `The pattern matches no S3 action.`, 'Check the spelling; e.g. "s3:Get*", "s3:Put*", "s3:*".');
        continue;
      }
      targets = [...new Set(matched.map((entry) => entry.target))];
    } else {
      const known = lookUpAction(name);
      if (known === undefined) {
        const operation = OPERATION_ACTIONS[name.toLowerCase()];
        const close = nearest(name, S3_ACTION_NAMES);
        problems.error(
          at,
          action,
          `Unknown S3 action ${JSON.stringify(action)}.`,
          operation !== undefined
            ? `${name} is an API operation; it is authorized by "s3:${operation}".`
            : close !== undefined
              ? `Did you mean "s3:${close}"?`
              : 'Check the name in the Service Authorization Reference ("Actions defined by Amazon S3").',
        );
        continue;
      }
      targets = [known.target];
    }
    if (!hasAction || !coverage.readable) continue;
    const bucketArn = `arn:aws:s3:::${bucket}`;
    if ((targets.includes('bucket') && coverage.bucket) || (targets.includes('object') && coverage.objects)) continue;
    if (targets.length === 1 && targets[0] === 'other') {
      problems.error(at, action, `${action} acts on the account, access points or jobs, not on a bucket or its objects; a bucket policy cannot grant it.`, 'Remove it from the bucket policy; grant it in an IAM policy.');
    } else if (targets.includes('object') && !targets.includes('bucket')) {
      problems.error(at, action, `${action} applies to objects, but ${resourcePath} names only the bucket (${coverage.text}); S3 refuses an action that applies to none of the resources.`, `Add the object ARN "${bucketArn}/*" (or "${bucketArn}/prefix/*") to Resource.`);
    } else if (targets.includes('bucket') && !targets.includes('object')) {
      problems.error(at, action, `${action} applies to the bucket, but ${resourcePath} names only objects (${coverage.text}); S3 refuses an action that applies to none of the resources.`, `Add the bucket ARN "${bucketArn}" to Resource.`);
    } else {
      problems.error(at, action, `${action} applies to none of the resources in ${resourcePath} (${coverage.text}).`, `Name the bucket ("${bucketArn}") or its objects ("${bucketArn}/*").`);
    }
  }
}

/** Splits `ForAnyValue:StringLikeIfExists` into its parts, or returns a message when the operator is unknown. */
function parseOperator(text: string): { base: (typeof OPERATORS)[number]; ifExists: boolean; set: boolean } | string {
  const set = /^(ForAllValues|ForAnyValue):/.exec(text);
  const rest = set === null ? text : text.slice(set[0].length);
  const ifExists = rest.endsWith('IfExists');
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  if (!(OPERATORS as readonly string[]).includes(base)) return `Unknown condition operator ${JSON.stringify(text)}.`;
  if (ifExists && base === 'Null') return 'Null has no IfExists form (it already tests whether the key exists).';
  return { base: base as (typeof OPERATORS)[number], ifExists, set: set !== null };
}

function validateCondition(problems: ProblemList, condition: unknown, path: string): void {
  if (!isObject(condition) || Object.keys(condition).length === 0) {
    problems.error(path, condition, 'Condition is an object of operators, e.g. {"Bool": {"aws:SecureTransport": "false"}}.', 'Give operator → key → value, or remove Condition.');
    return;
  }
  for (const [operatorText, block] of Object.entries(condition)) {
    const at = child(path, operatorText);
    const operator = parseOperator(operatorText);
    if (typeof operator === 'string') {
      const bare = operatorText.replace(/^(ForAllValues|ForAnyValue):/i, '').replace(/IfExists$/i, '');
      const close = nearest(bare, OPERATORS);
      problems.error(at, block, operator, close !== undefined ? `Did you mean "${operatorText.replace(bare, close)}"?` : `Use one of ${OPERATORS.join(', ')} (with an optional ForAllValues:/ForAnyValue: prefix and IfExists suffix).`);
      continue;
    }
    if (!isObject(block) || Object.keys(block).length === 0) {
      problems.error(at, block, `${operatorText} needs an object of condition keys and values, e.g. {"aws:SourceIp": "203.0.113.0/24"}.`, 'Give key → value(s).');
      continue;
    }
    for (const [key, value] of Object.entries(block)) {
      const keyPath = child(at, key);
      if (!/^[A-Za-z0-9-]+:[^\s]+$/.test(key)) {
        problems.error(keyPath, value, `${JSON.stringify(key)} is not a condition key; keys are "service:name", e.g. "aws:SourceIp" or "s3:x-amz-acl".`, 'Use a global key (aws:…) or an S3 key (s3:…).');
      }
      const values = Array.isArray(value) ? value.map((entry, index) => [entry, item(keyPath, index)] as const) : [[value, keyPath] as const];
      if (Array.isArray(value) && value.length === 0) {
        problems.error(keyPath, value, 'An empty list of values matches nothing.', 'Give at least one value.');
      }
      for (const [entry, entryPath] of values) checkConditionValue(problems, operator.base, entry, entryPath);
    }
  }
}

function checkConditionValue(problems: ProblemList, operator: (typeof OPERATORS)[number], value: unknown, path: string): void {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    problems.error(path, value, 'A condition value is a string, a number or a boolean (or a list of them).', 'Give the value as a string, e.g. "true" or "203.0.113.0/24".');
    return;
  }
  const text = String(value);
  if (operator === 'Bool' || operator === 'Null') {
    if (text !== 'true' && text !== 'false') problems.error(path, value, `${operator} compares with "true" or "false".`, 'Give "true" or "false".');
  } else if (operator.startsWith('Numeric')) {
    if (text.trim() === '' || Number.isNaN(Number(text))) problems.error(path, value, `${operator} compares numbers.`, 'Give a number, e.g. "10".');
  } else if (operator.startsWith('Date')) {
    if (!/^\d+$/.test(text) && Number.isNaN(Date.parse(text))) problems.error(path, value, `${operator} compares dates (ISO 8601 or seconds since the epoch).`, 'Give a date such as "2030-01-01T00:00:00Z".');
  } else if (operator === 'IpAddress' || operator === 'NotIpAddress') {
    if (!IPV4_CIDR.test(text) && !IPV6_CIDR.test(text)) problems.error(path, value, `${operator} compares with an IP address or CIDR range.`, 'Give e.g. "203.0.113.0/24" or "2001:db8::/32".');
  } else if (operator.startsWith('Arn')) {
    if (!text.startsWith('arn:') && text !== '*') problems.error(path, value, `${operator} compares ARNs.`, 'Give an ARN such as "arn:aws:iam::111122223333:role/reader" (ArnLike allows * and ?).');
  }
}
