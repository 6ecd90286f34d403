import type { LifecycleConfigurationDocument, LifecycleFilter, LifecycleRule, LifecycleTag } from './lifecycle-document.js';
import { MINIMUM_TRANSITION_DAYS, type TransitionStorageClass } from './storage-classes.js';
import type { DefinedParameter, TemplateDefinition, TemplateValue } from './template-types.js';

/** The lifecycle templates shipped with the package: one rule each, with an optional prefix and tag filter. */

const prefixParameter: DefinedParameter = {
  name: 'prefix',
  description: 'Apply the rule only to keys starting with this prefix, e.g. "logs/" (lifecycle prefixes have no wildcards).',
  type: 'string',
  required: false,
  default: '',
  check: (value) => {
    const prefix = String(value);
    if (prefix.startsWith('/')) return 'starts with "/"; S3 keys rarely do, so the rule would match nothing (drop the slash)';
    if (/[*?]/.test(prefix)) return 'has a wildcard; lifecycle prefixes are literal (give the beginning of the keys, e.g. "logs/2024-")';
    return undefined;
  },
};

const tagsParameter: DefinedParameter = {
  name: 'tags',
  description: 'Apply the rule only to objects with all these tags, as key=value (several: comma-separated).',
  type: 'string[]',
  required: false,
  check: (value) => {
    const keys = new Set<string>();
    for (const text of value as readonly string[]) {
      const tag = parseTag(text);
      if (tag === undefined) return `${JSON.stringify(text)} is not key=value (a key of 1 to 128 characters, a value of up to 256)`;
      if (keys.has(tag.Key)) return `the tag key ${JSON.stringify(tag.Key)} is given twice`;
      keys.add(tag.Key);
    }
    return undefined;
  },
};

function idParameter(name: string): DefinedParameter {
  return {
    name: 'id',
    description: 'The rule ID (unique within the bucket\'s lifecycle configuration; applying a rule replaces the rule of the same ID).',
    type: 'string',
    required: false,
    default: name,
    check: (value) => (String(value).length === 0 || String(value).length > 255 ? 'must be 1 to 255 characters' : undefined),
  };
}

function daysParameter(description: string, fallback: number, minimum: number): DefinedParameter {
  return { name: 'days', description, type: 'number', required: false, default: fallback, minimum };
}

function parseTag(text: string): LifecycleTag | undefined {
  const equals = text.indexOf('=');
  if (equals < 1) return undefined;
  const tag = { Key: text.slice(0, equals), Value: text.slice(equals + 1) };
  return tag.Key.length <= 128 && tag.Value.length <= 256 ? tag : undefined;
}

/**
 * The filter for a prefix and tags: the prefix alone (`""` for every object, as AWS's own examples
 * write it), a single tag alone, or both under And (a Filter holds exactly one predicate).
 */
export function lifecycleFilter(prefix: string, tags: readonly string[]): LifecycleFilter {
  const parsed = tags.map((text) => parseTag(text)!);
  if (parsed.length === 0) return { Prefix: prefix };
  if (parsed.length === 1 && prefix === '') return { Tag: parsed[0]! };
  return { And: { ...(prefix === '' ? {} : { Prefix: prefix }), Tags: parsed } };
}

function ruleBase(values: Readonly<Record<string, TemplateValue>>): Pick<LifecycleRule, 'ID' | 'Status' | 'Filter'> {
  return {
    ID: values.id as string,
    Status: 'Enabled',
    Filter: lifecycleFilter(values.prefix as string, (values.tags as readonly string[] | undefined) ?? []),
  };
}

function one(rule: LifecycleRule): LifecycleConfigurationDocument {
  return { Rules: [rule] };
}

function transitionTemplate(name: string, storageClass: TransitionStorageClass, fallback: number, why: string): TemplateDefinition {
  const minimum = MINIMUM_TRANSITION_DAYS[storageClass] ?? 0;
  return {
    name,
    kind: 'lifecycle',
    description: `Move objects to ${storageClass} a number of days after they are created. ${why}`,
    parameters: [
      daysParameter(
        `Days after creation${minimum > 0 ? ` (at least ${minimum}: S3 refuses earlier transitions to ${storageClass})` : ''}.`,
        fallback,
        minimum,
      ),
      prefixParameter,
      tagsParameter,
      idParameter(name),
    ],
    render: (values) => one({ ...ruleBase(values), Transitions: [{ Days: values.days as number, StorageClass: storageClass }] }),
  };
}

export const LIFECYCLE_TEMPLATES: readonly TemplateDefinition[] = [
  transitionTemplate('transition-to-standard-ia', 'STANDARD_IA', 30, 'For data read less than once a month but needed at once; objects under 128 KiB are billed as 128 KiB, and each object is billed at least 30 days.'),
  transitionTemplate('transition-to-glacier-ir', 'GLACIER_IR', 90, 'For data read about once a quarter, in milliseconds; billed at least 90 days per object.'),
  transitionTemplate('transition-to-glacier', 'GLACIER', 90, 'Glacier Flexible Retrieval: archived, readable only after a restore (minutes to hours); billed at least 90 days per object.'),
  transitionTemplate('transition-to-deep-archive', 'DEEP_ARCHIVE', 180, 'The cheapest class: archived, readable only after a restore (up to 12 hours or more); billed at least 180 days per object.'),
  {
    name: 'expire-noncurrent-versions',
    kind: 'lifecycle',
    description: 'On a versioned bucket, delete overwritten and deleted versions a number of days after they stop being current (optionally keeping the newest few).',
    parameters: [
      daysParameter('Days after a version stops being current.', 30, 1),
      {
        name: 'keep',
        description: 'Keep this many newer noncurrent versions of each object whatever their age (1 to 100).',
        type: 'number',
        required: false,
        minimum: 1,
        maximum: 100,
      },
      prefixParameter,
      tagsParameter,
      idParameter('expire-noncurrent-versions'),
    ],
    render: (values) =>
      one({
        ...ruleBase(values),
        NoncurrentVersionExpiration: {
          NoncurrentDays: values.days as number,
          ...(values.keep === undefined ? {} : { NewerNoncurrentVersions: values.keep as number }),
        },
      }),
  },
  {
    name: 'abort-incomplete-uploads',
    kind: 'lifecycle',
    description:
      'Abort multipart uploads left unfinished a number of days after they started, so their parts stop being billed. No tag filter: S3 refuses this action in a rule that filters on tags.',
    parameters: [daysParameter('Days after the upload started.', 7, 1), prefixParameter, idParameter('abort-incomplete-uploads')],
    render: (values) => one({ ...ruleBase(values), AbortIncompleteMultipartUpload: { DaysAfterInitiation: values.days as number } }),
  },
  {
    name: 'expire-after',
    kind: 'lifecycle',
    description: 'Delete objects a number of days after they are created (on a versioned bucket: make them noncurrent, behind a delete marker).',
    parameters: [daysParameter('Days after creation.', 365, 1), prefixParameter, tagsParameter, idParameter('expire-after')],
    render: (values) => one({ ...ruleBase(values), Expiration: { Days: values.days as number } }),
  },
];
