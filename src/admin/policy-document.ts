/*
 * The JSON shape of an S3 bucket policy (IAM policy grammar, as PutBucketPolicy takes it).
 */

/**
 * Who a statement is about: `"*"` (anyone) or principals by kind.
 * @public
 */
export type PolicyPrincipal =
  | '*'
  | {
      readonly AWS?: string | readonly string[];
      readonly Service?: string | readonly string[];
      readonly CanonicalUser?: string | readonly string[];
      readonly Federated?: string | readonly string[];
    };

/**
 * One statement of a bucket policy.
 * @public
 */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: PolicyPrincipal;
  readonly NotPrincipal?: PolicyPrincipal;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  /** Operator → condition key → value(s), e.g. `{ "Bool": { "aws:SecureTransport": "false" } }`. */
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | number | boolean | readonly (string | number | boolean)[]>>>>;
}

/**
 * A bucket policy.
 * @public
 */
export interface BucketPolicyDocument {
  readonly Version?: '2012-10-17' | '2008-10-17';
  readonly Id?: string;
  /** One statement or several. */
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}
