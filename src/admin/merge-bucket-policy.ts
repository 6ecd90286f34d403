import { ConfigError } from '../core/errors.js';
import type { BucketPolicyDocument, PolicyStatement } from './policy-document.js';
import { isObject, show } from './problems.js';

/**
 * What {@link mergeBucketPolicy} did.
 * @public
 */
export interface MergedBucketPolicy {
  /** The merged policy: the existing one with the statements added or replaced by Sid. */
  readonly policy: BucketPolicyDocument;
  /** Sids of statements that were not in the existing policy. */
  readonly added: readonly string[];
  /** Sids of existing statements replaced by a different statement. */
  readonly replaced: readonly string[];
  /** Sids of existing statements equal to the addition (nothing to change). */
  readonly unchanged: readonly string[];
  /** True when the merged policy differs from the existing one (something to apply). */
  readonly changed: boolean;
}

/**
 * Adds the statements of `addition` to `existing`, by Sid: a statement whose Sid the existing
 * policy already has replaces that statement in place; the others are appended; every other
 * statement of the existing policy is kept as it is (so applying a template never drops a user's
 * grants). The existing Version and Id are kept (changing Version would change how the user's
 * statements read policy variables); without an existing policy the result is `addition`'s
 * statements under its Version (`2012-10-17` when it has none).
 *
 * Pure: neither argument is modified. Every statement of `addition` needs a Sid (a ConfigError
 * otherwise), since the Sid is how a later merge finds it again.
 *
 * @param existing - the bucket's policy: a document, its JSON text (as GetBucketPolicy returns it), or undefined/null when the bucket has none
 * @param addition - the statements to add, e.g. a rendered policy template
 * @public
 */
export function mergeBucketPolicy(existing: BucketPolicyDocument | string | null | undefined, addition: BucketPolicyDocument): MergedBucketPolicy {
  const base = parseExisting(existing);
  const additions = statementsOf(addition, 'addition');
  additions.forEach((statement, index) => {
    if (!isObject(statement) || typeof statement.Sid !== 'string' || statement.Sid === '') {
      throw new ConfigError(`addition.Statement[${index}].Sid`, `Every statement to merge needs a Sid (the merge finds statements by Sid); addition.Statement[${index}] has ${show(isObject(statement) ? statement.Sid : statement)}.`);
    }
  });
  const merged: PolicyStatement[] = base === undefined ? [] : [...statementsOf(base, 'existing')];
  const added: string[] = [];
  const replaced: string[] = [];
  const unchanged: string[] = [];
  for (const statement of additions) {
    const sid = statement.Sid!;
    const index = merged.findIndex((candidate) => isObject(candidate) && candidate.Sid === sid);
    if (index === -1) {
      merged.push(statement);
      added.push(sid);
    } else if (sameJson(merged[index], statement)) {
      unchanged.push(sid);
    } else {
      merged[index] = statement;
      replaced.push(sid);
    }
  }
  const version = base === undefined ? (addition.Version ?? '2012-10-17') : base.Version;
  const policy: BucketPolicyDocument = { ...(version === undefined ? {} : { Version: version }), ...(base ?? {}), Statement: merged };
  return { policy, added, replaced, unchanged, changed: added.length > 0 || replaced.length > 0 };
}

function parseExisting(existing: BucketPolicyDocument | string | null | undefined): BucketPolicyDocument | undefined {
  if (existing === undefined || existing === null) return undefined;
  if (typeof existing === 'string') {
    if (existing.trim() === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch (error) {
      throw new ConfigError('existing', `The existing bucket policy is not valid JSON: ${(error as Error).message}.`, { cause: error });
    }
    if (!isObject(parsed)) throw new ConfigError('existing', `The existing bucket policy is not a JSON object: ${show(parsed)}.`);
    return parsed as unknown as BucketPolicyDocument;
  }
  return existing;
}

function statementsOf(policy: BucketPolicyDocument, name: string): readonly PolicyStatement[] {
  if (!isObject(policy)) throw new ConfigError(name, `The ${name} bucket policy is not an object: ${show(policy)}.`);
  const statement = policy.Statement as unknown;
  if (statement === undefined) return [];
  if (Array.isArray(statement)) return statement as PolicyStatement[];
  if (isObject(statement)) return [statement as unknown as PolicyStatement];
  throw new ConfigError(`${name}.Statement`, `The ${name} policy's Statement is neither a statement nor an array of them: ${show(statement)}.`);
}

/** Equal as JSON values, whatever the order of object keys (S3 returns a policy with its own key order). */
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((value, index) => sameJson(value, b[index]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
  }
  return a === b;
}
