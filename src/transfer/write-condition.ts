/**
 * A precondition on the object a write replaces. A two-way sync overwrites an object only while
 * it still holds the version the run planned from, and creates a key only while it is free: an
 * object another writer changed meanwhile is then left alone (the server answers 412) and becomes
 * a conflict next run, instead of a lost update.
 */

/**
 * Write only if the target object still has this ETag (`ifMatch`, formatted as the server wants
 * it: quoted for AWS, bare for radosgw), or only if the key holds no object (`ifNoneMatch: '*'`).
 * @public
 */
export type WriteCondition = { readonly ifMatch: string } | { readonly ifNoneMatch: '*' };

/** The request fields of a condition, for PutObject and CompleteMultipartUpload. */
export function conditionFields(condition: WriteCondition | undefined): { IfMatch?: string; IfNoneMatch?: string } {
  if (condition === undefined) return {};
  return 'ifMatch' in condition ? { IfMatch: condition.ifMatch } : { IfNoneMatch: condition.ifNoneMatch };
}
