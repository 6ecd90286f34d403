import type { LifecycleRule as SdkLifecycleRule } from '@aws-sdk/client-s3';
import type { LifecycleConfigurationDocument, LifecycleFilter, LifecycleRule } from './lifecycle-document.js';
import { isObject } from './problems.js';

/*
 * Lifecycle rules between the SDK's shapes (dates as Date objects, every field optional) and the
 * JSON documents the validators, templates and files use (dates as ISO strings).
 */

/** The SDK's rules as a document: undefined fields dropped, dates as ISO strings, filters in one form. */
export function lifecycleFromSdk(rules: readonly SdkLifecycleRule[]): LifecycleConfigurationDocument {
  return { Rules: rules.map((rule) => withFilter(plain(rule) as unknown as LifecycleRule)) };
}

/** A document's rules as the SDK's PutBucketLifecycleConfiguration input takes them (dates as Date objects). */
export function lifecycleToSdk(document: LifecycleConfigurationDocument): SdkLifecycleRule[] {
  return document.Rules.map((rule) => datesToObjects(rule) as SdkLifecycleRule);
}

/**
 * A rule with the deprecated rule-level Prefix moved into `Filter.Prefix`. Both mean the same to
 * S3, and radosgw answers GetBucketLifecycleConfiguration with the rule-level form whatever it was
 * given; one form lets a rule read back compare equal to the rule sent, and a configuration mixing
 * both forms is refused by AWS.
 */
export function withFilter(rule: LifecycleRule): LifecycleRule {
  if (rule.Prefix === undefined || rule.Filter !== undefined) return rule;
  const { Prefix, ...rest } = rule;
  return { ...rest, Filter: { Prefix } };
}

/** Equal rules as S3 applies them: the same JSON once filters are in one form (`{}` = `{Prefix: ""}`). */
export function sameRule(a: LifecycleRule, b: LifecycleRule): boolean {
  return sameJson(normalFilter(withFilter(a)), normalFilter(withFilter(b)));
}

function normalFilter(rule: LifecycleRule): LifecycleRule {
  const filter: LifecycleFilter | undefined = rule.Filter;
  if (filter === undefined || (Object.keys(filter).length === 1 && filter.Prefix === '')) return { ...rule, Filter: {} };
  return rule;
}

function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, field]) => field !== undefined)
        .map(([key, field]) => [key, plain(field)]),
    );
  }
  return value;
}

function datesToObjects(value: unknown, key?: string): unknown {
  if (key === 'Date' && typeof value === 'string') return new Date(value);
  if (Array.isArray(value)) return value.map((item) => datesToObjects(item));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([name, field]) => [name, datesToObjects(field, name)]));
  return value;
}

/** Equal as JSON values, whatever the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((value, index) => sameJson(value, b[index]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a).filter((key) => a[key] !== undefined);
    return keys.length === Object.keys(b).filter((key) => b[key] !== undefined).length && keys.every((key) => sameJson(a[key], b[key]));
  }
  return a === b;
}
