import { ConfigError } from '../core/errors.js';
import type { LifecycleConfigurationDocument, LifecycleRule } from './lifecycle-document.js';
import { sameRule, withFilter } from './lifecycle-sdk.js';
import { isObject, show } from './problems.js';

/**
 * What {@link mergeLifecycleRules} did.
 * @public
 */
export interface MergedLifecycle {
  /** The merged configuration: the existing rules with the additions added or replaced by ID. */
  readonly configuration: LifecycleConfigurationDocument;
  /** IDs of rules that were not in the existing configuration. */
  readonly added: readonly string[];
  /** IDs of existing rules replaced by a different rule. */
  readonly replaced: readonly string[];
  /** IDs of existing rules equal to the addition (nothing to change). */
  readonly unchanged: readonly string[];
  /** True when the merged configuration differs from the existing one (something to apply). */
  readonly changed: boolean;
}

/**
 * Adds the rules of `addition` to `existing`, by ID: a rule whose ID the existing configuration
 * already has replaces that rule in place; the others are appended; every other existing rule is
 * kept (PutBucketLifecycleConfiguration replaces the whole configuration, so sending only the new
 * rule would delete the user's rules). Rules using the deprecated rule-level Prefix are rewritten
 * with `Filter.Prefix`, which S3 reads the same way.
 *
 * Pure. Every rule of `addition` needs an ID (a ConfigError otherwise).
 *
 * @param existing - the bucket's configuration, or undefined when it has none
 * @param addition - the rules to add, e.g. a rendered lifecycle template
 * @public
 */
export function mergeLifecycleRules(existing: LifecycleConfigurationDocument | undefined, addition: LifecycleConfigurationDocument): MergedLifecycle {
  if (!isObject(addition) || !Array.isArray(addition.Rules)) throw new ConfigError('addition.Rules', `The lifecycle rules to merge need a Rules array, got ${show(addition)}.`);
  addition.Rules.forEach((rule, index) => {
    if (!isObject(rule) || typeof rule.ID !== 'string' || rule.ID === '') {
      throw new ConfigError(`addition.Rules[${index}].ID`, `Every lifecycle rule to merge needs an ID (the merge finds rules by ID); addition.Rules[${index}] has ${show(isObject(rule) ? rule.ID : rule)}.`);
    }
  });
  const rules: LifecycleRule[] = (existing?.Rules ?? []).map(withFilter);
  const added: string[] = [];
  const replaced: string[] = [];
  const unchanged: string[] = [];
  for (const rule of addition.Rules.map(withFilter)) {
    const id = rule.ID!;
    const index = rules.findIndex((candidate) => candidate.ID === id);
    if (index === -1) {
      rules.push(rule);
      added.push(id);
    } else if (sameRule(rules[index]!, rule)) {
      unchanged.push(id);
    } else {
      rules[index] = rule;
      replaced.push(id);
    }
  }
  return { configuration: { Rules: rules }, added, replaced, unchanged, changed: added.length > 0 || replaced.length > 0 };
}
