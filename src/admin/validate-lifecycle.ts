import { checkKnownKeys, child, isObject, item, ProblemList, throwIfErrors, type ValidationProblem } from './problems.js';
import {
  canTransition,
  isTransitionStorageClass,
  MINIMUM_STORAGE_DAYS,
  MINIMUM_TRANSITION_DAYS,
  nextClasses,
  TRANSITION_STORAGE_CLASSES,
  type TransitionStorageClass,
} from './storage-classes.js';

/*
 * AWS's documented rules for a lifecycle configuration (Amazon S3 API reference: LifecycleRule,
 * LifecycleRuleFilter, Transition, LifecycleExpiration, NoncurrentVersionTransition,
 * NoncurrentVersionExpiration, AbortIncompleteMultipartUpload; User Guide: "Lifecycle configuration
 * elements", "Transitioning objects using Amazon S3 Lifecycle"). Errors are what S3 refuses;
 * warnings are what it accepts but bills or ignores.
 */

/** S3 accepts at most this many rules in one configuration. */
const MAX_RULES = 1000;
/** The longest rule ID S3 accepts. */
const MAX_ID_LENGTH = 255;
/** NewerNoncurrentVersions: "You can specify up to 100 noncurrent versions to retain." */
const MAX_NEWER_NONCURRENT_VERSIONS = 100;
const DAY_MS = 86_400_000;

const RULE_KEYS = [
  'ID',
  'Status',
  'Filter',
  'Prefix',
  'Transitions',
  'Expiration',
  'NoncurrentVersionTransitions',
  'NoncurrentVersionExpiration',
  'AbortIncompleteMultipartUpload',
] as const;
const ACTION_KEYS = ['Transitions', 'Expiration', 'NoncurrentVersionTransitions', 'NoncurrentVersionExpiration', 'AbortIncompleteMultipartUpload'] as const;
const FILTER_KEYS = ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan', 'And'] as const;
const AND_KEYS = ['Prefix', 'Tags', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'] as const;

/** A transition that passed its own checks, placed in time for the checks between transitions. */
interface Step {
  readonly path: string;
  readonly storageClass: TransitionStorageClass;
  /** Days after creation (or after becoming noncurrent), or a date as days since the epoch. */
  readonly day: number;
  /** The element holding the time (`Days`, `Date`, `NoncurrentDays`), for paths and messages. */
  readonly field: string;
  /** The time as given (a number of days, or the date string). */
  readonly given: unknown;
}

/**
 * Checks a bucket lifecycle configuration (`{ "Rules": [...] }`, the JSON of
 * `aws s3api put-bucket-lifecycle-configuration`) against AWS's documented rules: unique rule IDs,
 * Status, one filter form, at most 1000 rules, transition days and the minimum of 30 days before
 * STANDARD_IA/ONEZONE_IA, transitions going down the storage-class waterfall with increasing days,
 * expiration after every transition, Days or Date (never both), ExpiredObjectDeleteMarker alone,
 * no AbortIncompleteMultipartUpload or ExpiredObjectDeleteMarker with a tag filter. Minimum storage
 * durations (GLACIER_IR and GLACIER 90 days, DEEP_ARCHIVE 180, IA 30) left early are warnings.
 *
 * Pure: no I/O. Returns every problem found (empty when the configuration is clean).
 * @public
 */
export function validateLifecycle(config: unknown): ValidationProblem[] {
  const problems = new ProblemList();
  if (!isObject(config)) {
    problems.error('', config, 'A lifecycle configuration is a JSON object with a Rules array.', 'Give an object such as {"Rules": [{"ID": "...", "Status": "Enabled", "Filter": {}, ...}]}.');
    return problems.problems;
  }
  if (config.Rules === undefined && isObject(config.LifecycleConfiguration)) {
    problems.error('LifecycleConfiguration', config.LifecycleConfiguration, 'This is the whole PutBucketLifecycleConfiguration input; the configuration is the object inside LifecycleConfiguration.', 'Give the object inside "LifecycleConfiguration" (the one with "Rules").');
    return problems.problems;
  }
  checkKnownKeys(problems, config, '', ['Rules'], 'A lifecycle configuration');
  const rules = config.Rules;
  if (!Array.isArray(rules)) {
    problems.error('Rules', rules, 'Rules must be an array of rules.', 'Put the rules in "Rules": [ ... ].');
    return problems.problems;
  }
  if (rules.length === 0) {
    problems.error('Rules', rules, 'A lifecycle configuration needs at least one rule.', 'Add a rule, or delete the bucket\'s lifecycle configuration instead of putting an empty one.');
  }
  if (rules.length > MAX_RULES) {
    problems.error('Rules', `${rules.length} rules`, `S3 accepts at most ${MAX_RULES} rules in one lifecycle configuration.`, 'Merge rules that share a filter, or use broader prefixes.');
  }
  const firstWithId = new Map<string, number>();
  rules.forEach((rule, index) => {
    const path = item('Rules', index);
    validateRule(problems, rule, path);
    if (isObject(rule) && typeof rule.ID === 'string') {
      const first = firstWithId.get(rule.ID);
      if (first === undefined) firstWithId.set(rule.ID, index);
      else problems.error(child(path, 'ID'), rule.ID, `The rule ID is already used by Rules[${first}]; IDs must be unique.`, 'Give each rule its own ID.');
    }
  });
  return problems.problems;
}

/**
 * {@link validateLifecycle}, throwing a ConfigError that lists every error (warnings do not throw).
 * @returns the warnings, for the caller to show
 * @public
 */
export function assertValidLifecycle(config: unknown): ValidationProblem[] {
  const problems = validateLifecycle(config);
  throwIfErrors(problems, 'lifecycle configuration');
  return problems;
}

function validateRule(problems: ProblemList, rule: unknown, path: string): void {
  if (!isObject(rule)) {
    problems.error(path, rule, 'A rule is a JSON object.', 'Give {"ID": ..., "Status": "Enabled", "Filter": {...}, and at least one action}.');
    return;
  }
  checkKnownKeys(problems, rule, path, RULE_KEYS, 'A lifecycle rule');

  if (rule.ID === undefined) {
    problems.warning(child(path, 'ID'), undefined, 'The rule has no ID; S3 will make up a random one.', 'Give the rule an ID, so that it can be recognized and replaced later.');
  } else if (typeof rule.ID !== 'string' || rule.ID === '') {
    problems.error(child(path, 'ID'), rule.ID, 'A rule ID is a non-empty string.', 'Give a short name such as "archive-logs".');
  } else if (rule.ID.length > MAX_ID_LENGTH) {
    problems.error(child(path, 'ID'), rule.ID, `A rule ID is at most ${MAX_ID_LENGTH} characters; this one has ${rule.ID.length}.`, 'Shorten the ID.');
  }

  if (rule.Status !== 'Enabled' && rule.Status !== 'Disabled') {
    problems.error(child(path, 'Status'), rule.Status, 'Status must be "Enabled" or "Disabled" (capitalized as shown).', 'Set "Status": "Enabled".');
  }

  let tagFilter = false;
  if (rule.Filter !== undefined && rule.Prefix !== undefined) {
    problems.error(child(path, 'Prefix'), rule.Prefix, 'A rule has either Filter or the deprecated rule-level Prefix, not both.', 'Move the prefix into the filter: "Filter": {"Prefix": ...}.');
  } else if (rule.Filter === undefined && rule.Prefix === undefined) {
    problems.error(child(path, 'Filter'), undefined, 'A rule needs a Filter (or the deprecated rule-level Prefix).', 'Add "Filter": {} to apply the rule to every object, or "Filter": {"Prefix": "logs/"} for some.');
  } else if (rule.Prefix !== undefined) {
    checkPrefix(problems, rule.Prefix, child(path, 'Prefix'));
    problems.warning(child(path, 'Prefix'), rule.Prefix, 'The rule-level Prefix is deprecated.', 'Use "Filter": {"Prefix": ...} instead.');
  }
  if (rule.Filter !== undefined) tagFilter = validateFilter(problems, rule.Filter, child(path, 'Filter'));

  if (!ACTION_KEYS.some((key) => rule[key] !== undefined)) {
    problems.error(path, rule, `A rule needs at least one action: ${ACTION_KEYS.join(', ')}.`, 'Add the action the rule is for, e.g. "Expiration": {"Days": 365}.');
  }

  // Days or Date: one way of saying when, for the whole rule ("you can't use both Date and Days in the same rule").
  const timing = new Map<'Days' | 'Date', string>();
  const current = validateTransitions(problems, rule.Transitions, child(path, 'Transitions'), 'current', timing);
  validateExpiration(problems, rule.Expiration, child(path, 'Expiration'), current, tagFilter, timing);
  if (timing.has('Days') && timing.has('Date')) {
    problems.error(timing.get('Date')!, undefined, `The rule uses Days (at ${timing.get('Days')}) and Date; a rule uses one or the other.`, 'Use Days everywhere in this rule, or Date everywhere, or split it into two rules.');
  }
  const noncurrent = validateTransitions(problems, rule.NoncurrentVersionTransitions, child(path, 'NoncurrentVersionTransitions'), 'noncurrent', timing);
  validateNoncurrentExpiration(problems, rule.NoncurrentVersionExpiration, child(path, 'NoncurrentVersionExpiration'), noncurrent);

  const abort = rule.AbortIncompleteMultipartUpload;
  const abortPath = child(path, 'AbortIncompleteMultipartUpload');
  if (abort !== undefined) {
    if (!isObject(abort)) {
      problems.error(abortPath, abort, 'AbortIncompleteMultipartUpload is an object with DaysAfterInitiation.', 'Give {"DaysAfterInitiation": 7}.');
    } else {
      checkKnownKeys(problems, abort, abortPath, ['DaysAfterInitiation'], 'AbortIncompleteMultipartUpload');
      checkInteger(problems, abort.DaysAfterInitiation, child(abortPath, 'DaysAfterInitiation'), 1, 'days after the upload started', true);
    }
    if (tagFilter) {
      problems.error(abortPath, abort, 'AbortIncompleteMultipartUpload cannot be used in a rule whose filter has tags (an upload in progress has no tags yet).', 'Put it in a rule of its own with a prefix-only (or empty) filter.');
    }
  }
}

/** Checks a Filter; returns true when it matches on tags (which rules out some actions). */
function validateFilter(problems: ProblemList, filter: unknown, path: string): boolean {
  if (!isObject(filter)) {
    problems.error(path, filter, 'Filter is a JSON object.', 'Give {} for every object, or {"Prefix": "logs/"}, {"Tag": {...}}, {"And": {...}}.');
    return false;
  }
  checkKnownKeys(problems, filter, path, FILTER_KEYS, 'A lifecycle Filter');
  const present = FILTER_KEYS.filter((key) => filter[key] !== undefined);
  if (present.length > 1) {
    problems.error(
      path,
      filter,
      `The filter has ${present.join(' and ')}; a Filter holds exactly one of Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan or And.`,
      `Combine them under And: {"And": {${present.filter((key) => key !== 'And').map((key) => (key === 'Tag' ? '"Tags": [...]' : `"${key}": ...`)).join(', ')}}}.`,
    );
  }
  if (filter.Prefix !== undefined) checkPrefix(problems, filter.Prefix, child(path, 'Prefix'));
  if (filter.Tag !== undefined) checkTag(problems, filter.Tag, child(path, 'Tag'));
  checkSizes(problems, filter, path);
  let tags = filter.Tag !== undefined;
  const and = filter.And;
  const andPath = child(path, 'And');
  if (and !== undefined) {
    if (!isObject(and)) {
      problems.error(andPath, and, 'And is a JSON object of predicates.', 'Give {"Prefix": "logs/", "Tags": [{"Key": "k", "Value": "v"}]}.');
      return tags;
    }
    checkKnownKeys(problems, and, andPath, AND_KEYS, 'A lifecycle And filter');
    let predicates = 0;
    if (and.Prefix !== undefined) {
      predicates++;
      checkPrefix(problems, and.Prefix, child(andPath, 'Prefix'));
    }
    if (and.Tags !== undefined) {
      if (!Array.isArray(and.Tags)) {
        problems.error(child(andPath, 'Tags'), and.Tags, 'Tags is an array of {"Key", "Value"} objects.', 'Give "Tags": [{"Key": "k", "Value": "v"}].');
      } else {
        const keys = new Map<string, number>();
        and.Tags.forEach((tag, index) => {
          const tagPath = item(child(andPath, 'Tags'), index);
          checkTag(problems, tag, tagPath);
          predicates++;
          if (isObject(tag) && typeof tag.Key === 'string') {
            const first = keys.get(tag.Key);
            if (first === undefined) keys.set(tag.Key, index);
            else problems.error(child(tagPath, 'Key'), tag.Key, `The tag key is already used by Tags[${first}]; S3 refuses duplicate tag keys in a filter.`, 'Keep one tag per key.');
          }
        });
        if (and.Tags.length > 0) tags = true;
      }
    }
    if (and.ObjectSizeGreaterThan !== undefined) predicates++;
    if (and.ObjectSizeLessThan !== undefined) predicates++;
    checkSizes(problems, and, andPath);
    if (predicates < 2) {
      problems.warning(andPath, and, 'And combines two or more predicates; this one has ' + (predicates === 0 ? 'none' : 'one') + '.', predicates === 0 ? 'Use "Filter": {} to match every object.' : 'Put the single predicate directly in the Filter (a tag as "Tag").');
    }
  }
  return tags;
}

function checkPrefix(problems: ProblemList, prefix: unknown, path: string): void {
  if (typeof prefix !== 'string') {
    problems.error(path, prefix, 'A prefix is a string.', 'Give the key prefix as a string, e.g. "logs/" ("" for every object).');
    return;
  }
  if (prefix.startsWith('/')) {
    problems.warning(path, prefix, 'The prefix starts with "/"; S3 keys rarely do, so the rule probably matches nothing.', `Drop the leading slash: ${JSON.stringify(prefix.replace(/^\/+/, ''))}.`);
  }
  if (/[*?]/.test(prefix)) {
    problems.warning(path, prefix, 'Lifecycle prefixes have no wildcards: "*" and "?" match only those characters in a key.', 'Use the literal beginning of the keys, e.g. "logs/2024-".');
  }
}

function checkTag(problems: ProblemList, tag: unknown, path: string): void {
  if (!isObject(tag)) {
    problems.error(path, tag, 'A tag is an object with Key and Value.', 'Give {"Key": "class", "Value": "archive"}.');
    return;
  }
  checkKnownKeys(problems, tag, path, ['Key', 'Value'], 'A tag');
  // Object tag limits: keys of 1 to 128 characters, values of up to 256.
  if (typeof tag.Key !== 'string' || tag.Key.length < 1 || tag.Key.length > 128) {
    problems.error(child(path, 'Key'), tag.Key, 'A tag key is a string of 1 to 128 characters.', 'Give the tag\'s key, e.g. "class".');
  }
  // Value may be left out: the rule then matches objects with the key and no value (User Guide, "Adding filters to Lifecycle rules").
  if (tag.Value !== undefined && (typeof tag.Value !== 'string' || tag.Value.length > 256)) {
    problems.error(child(path, 'Value'), tag.Value, 'A tag value is a string of up to 256 characters ("" allowed).', 'Give the tag\'s value as a string, e.g. "archive".');
  }
}

function checkSizes(problems: ProblemList, object: Record<string, unknown>, path: string): void {
  const greater = object.ObjectSizeGreaterThan;
  const less = object.ObjectSizeLessThan;
  const greaterOk = greater === undefined || checkInteger(problems, greater, child(path, 'ObjectSizeGreaterThan'), 0, 'bytes', false);
  const lessOk = less === undefined || checkInteger(problems, less, child(path, 'ObjectSizeLessThan'), 1, 'bytes', false);
  if (greaterOk && lessOk && typeof greater === 'number' && typeof less === 'number' && greater >= less) {
    problems.error(child(path, 'ObjectSizeLessThan'), less, `ObjectSizeLessThan must be greater than ObjectSizeGreaterThan (${greater}); no object matches this filter.`, 'Swap the two sizes, or raise ObjectSizeLessThan.');
  }
}

/** Checks a whole number ≥ min; returns true when it is one. `required` reports a missing value. */
function checkInteger(problems: ProblemList, value: unknown, path: string, min: number, unit: string, required: boolean): boolean {
  if (value === undefined && !required) return true;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    problems.error(path, value, `Must be a whole number of ${unit}, at least ${min}.`, `Give a whole number ≥ ${min}.`);
    return false;
  }
  return true;
}

/**
 * A lifecycle date as days since the epoch, or a message when it is not one S3 accepts: ISO 8601,
 * at midnight UTC ("The time is always midnight UTC").
 */
function parseDay(value: unknown): number | string {
  let time: number;
  if (value instanceof Date) time = value.getTime();
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:?00))?$/.test(value)) {
    time = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
    // Date.parse rolls 2024-02-30 over to March 1; a real date prints back as the same day.
    if (!Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) !== value.slice(0, 10)) time = NaN;
  } else return 'A date is an ISO 8601 string in UTC such as "2030-01-01T00:00:00Z".';
  if (Number.isNaN(time)) return 'This is not a real date.';
  if (time % DAY_MS !== 0) return 'Lifecycle dates are at midnight UTC; S3 refuses other times.';
  return time / DAY_MS;
}

/** Checks Transitions or NoncurrentVersionTransitions; returns the valid steps in time order. */
function validateTransitions(
  problems: ProblemList,
  transitions: unknown,
  path: string,
  versions: 'current' | 'noncurrent',
  timing: Map<'Days' | 'Date', string>,
): Step[] {
  if (transitions === undefined) return [];
  if (!Array.isArray(transitions)) {
    problems.error(path, transitions, `${versions === 'current' ? 'Transitions' : 'NoncurrentVersionTransitions'} is an array.`, 'Put the transitions in [ ... ], even a single one.');
    return [];
  }
  const daysField = versions === 'current' ? 'Days' : 'NoncurrentDays';
  const keys = versions === 'current' ? ['Days', 'Date', 'StorageClass'] : ['NoncurrentDays', 'StorageClass', 'NewerNoncurrentVersions'];
  const steps: Step[] = [];
  const classes = new Map<string, string>();
  transitions.forEach((transition, index) => {
    const at = item(path, index);
    if (!isObject(transition)) {
      problems.error(at, transition, 'A transition is an object.', `Give {"${daysField}": 30, "StorageClass": "STANDARD_IA"}.`);
      return;
    }
    checkKnownKeys(problems, transition, at, keys, 'A transition');
    const storageClass = transition.StorageClass;
    let classOk = false;
    if (!isTransitionStorageClass(storageClass)) {
      problems.error(child(at, 'StorageClass'), storageClass, `Not a storage class lifecycle can move objects to (${TRANSITION_STORAGE_CLASSES.join(', ')}).`, storageClass === 'STANDARD' ? 'Lifecycle never moves objects back to STANDARD; remove this transition.' : 'Name one of those classes, in capitals.');
    } else {
      classOk = true;
      const other = classes.get(storageClass);
      if (other !== undefined) problems.error(child(at, 'StorageClass'), storageClass, `${other} already transitions to ${storageClass}; each transition of a rule names a different class.`, 'Remove one of the two transitions.');
      else classes.set(storageClass, at);
    }
    if (versions === 'noncurrent' && transition.NewerNoncurrentVersions !== undefined) checkNewer(problems, transition.NewerNoncurrentVersions, child(at, 'NewerNoncurrentVersions'));

    let day: number | undefined;
    let field = daysField;
    const hasDays = transition[daysField] !== undefined;
    const hasDate = versions === 'current' && transition.Date !== undefined;
    if (hasDays && hasDate) {
      problems.error(at, transition, 'A transition has Days or Date, not both.', 'Keep one of them.');
      return;
    }
    if (!hasDays && !hasDate) {
      problems.error(child(at, daysField), undefined, versions === 'current' ? 'A transition needs Days (after creation) or Date.' : 'A noncurrent transition needs NoncurrentDays.', `Add "${daysField}": 30 (or the number of days you want).`);
      return;
    }
    if (hasDate) {
      field = 'Date';
      timing.set('Date', timing.get('Date') ?? child(at, 'Date'));
      const parsed = parseDay(transition.Date);
      if (typeof parsed === 'string') problems.error(child(at, 'Date'), transition.Date, parsed, 'Give a date such as "2030-01-01T00:00:00Z".');
      else day = parsed;
    } else {
      if (versions === 'current') timing.set('Days', timing.get('Days') ?? child(at, 'Days'));
      const value = transition[daysField];
      if (checkInteger(problems, value, child(at, daysField), 0, versions === 'current' ? 'days after creation' : 'days after becoming noncurrent', true)) day = value as number;
    }
    if (day === undefined || !classOk) return;
    const minimum = MINIMUM_TRANSITION_DAYS[storageClass as TransitionStorageClass];
    if (field !== 'Date' && minimum !== undefined && day < minimum) {
      problems.error(
        child(at, field),
        day,
        versions === 'current'
          ? `Objects must be at least ${minimum} days old before they move to ${storageClass}; S3 refuses a transition after ${day} days.`
          : `Versions must be at least ${minimum} days noncurrent before they move to ${storageClass}; S3 refuses ${day}.`,
        `Set ${field} to ${minimum} or more, or choose GLACIER_IR or INTELLIGENT_TIERING, which have no such minimum.`,
      );
      return;
    }
    steps.push({ path: at, storageClass: storageClass as TransitionStorageClass, day, field, given: transition[field] });
  });
  steps.sort((a, b) => a.day - b.day);
  for (let i = 1; i < steps.length; i++) {
    const before = steps[i - 1]!;
    const after = steps[i]!;
    const gap = after.day - before.day;
    if (gap === 0) {
      problems.error(child(after.path, after.field), after.given, `${before.path} and ${after.path} happen on the same day; each transition of a rule needs its own day.`, `Move one of them to a later ${after.field === 'Date' ? 'date' : 'day'}.`);
    } else if (!canTransition(before.storageClass, after.storageClass)) {
      const next = nextClasses(before.storageClass);
      problems.error(
        child(after.path, 'StorageClass'),
        after.storageClass,
        `After ${before.storageClass} (${before.path}) objects cannot move to ${after.storageClass}: transitions only go down STANDARD_IA → INTELLIGENT_TIERING → ONEZONE_IA → GLACIER_IR → GLACIER → DEEP_ARCHIVE (and ONEZONE_IA skips GLACIER_IR).`,
        next.length === 0 ? `${before.storageClass} is the last class; remove the later transition or reorder the days.` : `Reorder the days so that classes go down the list; after ${before.storageClass} come ${next.join(', ')}.`,
      );
    } else if ((before.storageClass === 'STANDARD_IA' || before.storageClass === 'ONEZONE_IA') && after.field !== 'Date' && gap < MINIMUM_STORAGE_DAYS[before.storageClass]) {
      // S3 refuses this with Days ("must be 30 days more than … STANDARD_IA"); with dates the
      // early exit is left to the billing warning below.
      problems.error(
        child(after.path, after.field),
        after.given,
        `Objects must stay ${MINIMUM_STORAGE_DAYS[before.storageClass]} days in ${before.storageClass} before the next transition; this one comes ${gap} days after ${before.path}.`,
        `Move it to at least ${MINIMUM_STORAGE_DAYS[before.storageClass]} days after the ${before.storageClass} transition.`,
      );
    } else {
      warnEarlyExit(problems, before, after.path, after.field, after.given, gap, `moving on to ${after.storageClass}`);
    }
  }
  return steps;
}

/** Warns when objects leave `before`'s class (by a later transition or expiration) before its minimum storage duration. */
function warnEarlyExit(problems: ProblemList, before: Step, path: string, field: string, given: unknown, gap: number, what: string): void {
  const minimum = MINIMUM_STORAGE_DAYS[before.storageClass];
  if (gap >= minimum) return;
  problems.warning(
    child(path, field),
    given,
    `${before.storageClass} bills at least ${minimum} days per object; ${what} ${gap} days after ${before.path} is charged as if the objects stayed ${minimum}.`,
    `Leave at least ${minimum} days between them, or skip ${before.storageClass}.`,
  );
}

function validateExpiration(
  problems: ProblemList,
  expiration: unknown,
  path: string,
  transitions: readonly Step[],
  tagFilter: boolean,
  timing: Map<'Days' | 'Date', string>,
): void {
  if (expiration === undefined) return;
  if (!isObject(expiration)) {
    problems.error(path, expiration, 'Expiration is an object with Days, Date or ExpiredObjectDeleteMarker.', 'Give {"Days": 365}.');
    return;
  }
  checkKnownKeys(problems, expiration, path, ['Days', 'Date', 'ExpiredObjectDeleteMarker'], 'Expiration');
  const { Days: days, Date: date, ExpiredObjectDeleteMarker: marker } = expiration;
  if (marker !== undefined) {
    if (typeof marker !== 'boolean') {
      problems.error(child(path, 'ExpiredObjectDeleteMarker'), marker, 'ExpiredObjectDeleteMarker is true or false.', 'Give true.');
    } else if (!marker && days === undefined && date === undefined) {
      problems.warning(child(path, 'ExpiredObjectDeleteMarker'), marker, 'ExpiredObjectDeleteMarker false does nothing.', 'Set it to true, or remove the Expiration.');
    }
    if (days !== undefined || date !== undefined) {
      problems.error(child(path, 'ExpiredObjectDeleteMarker'), marker, 'ExpiredObjectDeleteMarker cannot be combined with Days or Date in one Expiration.', 'Put {"ExpiredObjectDeleteMarker": true} in a rule of its own.');
    }
    if (tagFilter) {
      problems.error(child(path, 'ExpiredObjectDeleteMarker'), marker, 'ExpiredObjectDeleteMarker cannot be used in a rule whose filter has tags (a delete marker has no tags).', 'Put it in a rule of its own with a prefix-only (or empty) filter.');
    }
  }
  if (days !== undefined && date !== undefined) {
    problems.error(path, expiration, 'Expiration has Days or Date, not both.', 'Keep one of them.');
    return;
  }
  if (days === undefined && date === undefined) {
    if (marker === undefined) problems.error(path, expiration, 'Expiration needs Days, Date or ExpiredObjectDeleteMarker.', 'Add "Days": 365 (or the age at which objects should expire).');
    return;
  }
  let day: number | undefined;
  let field: string;
  if (date !== undefined) {
    field = 'Date';
    timing.set('Date', timing.get('Date') ?? child(path, 'Date'));
    const parsed = parseDay(date);
    if (typeof parsed === 'string') problems.error(child(path, 'Date'), date, parsed, 'Give a date such as "2030-01-01T00:00:00Z".');
    else day = parsed;
  } else {
    field = 'Days';
    timing.set('Days', timing.get('Days') ?? child(path, 'Days'));
    // "The value must be a non-zero positive integer."
    if (checkInteger(problems, days, child(path, 'Days'), 1, 'days after creation', true)) day = days as number;
  }
  const last = transitions.at(-1);
  if (day === undefined || last === undefined) return;
  if (day <= last.day) {
    problems.error(
      child(path, field),
      field === 'Date' ? date : day,
      `Objects would expire ${day === last.day ? 'on the same day as' : 'before'} the transition at ${last.path}; expiration must come after every transition.`,
      `Expire later than the last transition (${field === 'Date' ? 'a later date' : `more than ${last.day} days`}), or remove the transitions it makes pointless.`,
    );
    return;
  }
  warnEarlyExit(problems, last, path, field, field === 'Date' ? date : day, day - last.day, 'expiring them');
}

function validateNoncurrentExpiration(problems: ProblemList, expiration: unknown, path: string, transitions: readonly Step[]): void {
  if (expiration === undefined) return;
  if (!isObject(expiration)) {
    problems.error(path, expiration, 'NoncurrentVersionExpiration is an object with NoncurrentDays.', 'Give {"NoncurrentDays": 30}.');
    return;
  }
  checkKnownKeys(problems, expiration, path, ['NoncurrentDays', 'NewerNoncurrentVersions'], 'NoncurrentVersionExpiration');
  if (expiration.NewerNoncurrentVersions !== undefined) checkNewer(problems, expiration.NewerNoncurrentVersions, child(path, 'NewerNoncurrentVersions'));
  const days = expiration.NoncurrentDays;
  // "The value must be a non-zero positive integer."
  if (!checkInteger(problems, days, child(path, 'NoncurrentDays'), 1, 'days after becoming noncurrent', true)) return;
  const last = transitions.at(-1);
  if (last === undefined) return;
  const day = days as number;
  if (day <= last.day) {
    problems.error(child(path, 'NoncurrentDays'), day, `Versions would be deleted ${day === last.day ? 'on the same day as' : 'before'} the transition at ${last.path}; expiration must come after every transition.`, `Set NoncurrentDays above ${last.day}, or remove the transitions it makes pointless.`);
    return;
  }
  warnEarlyExit(problems, last, path, 'NoncurrentDays', day, day - last.day, 'deleting them');
}

function checkNewer(problems: ProblemList, value: unknown, path: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_NEWER_NONCURRENT_VERSIONS) {
    problems.error(path, value, `NewerNoncurrentVersions is a whole number from 1 to ${MAX_NEWER_NONCURRENT_VERSIONS} (how many newer noncurrent versions to keep).`, `Give a number from 1 to ${MAX_NEWER_NONCURRENT_VERSIONS}, or remove it.`);
  }
}
