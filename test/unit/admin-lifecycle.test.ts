import { describe, expect, it } from 'vitest';
import { assertValidLifecycle, formatProblem, validateLifecycle, type ValidationProblem } from '../../src/admin/index.js';
import { ConfigError } from '../../src/core/errors.js';

const errors = (problems: ValidationProblem[]) => problems.filter((problem) => problem.severity === 'error');
const warnings = (problems: ValidationProblem[]) => problems.filter((problem) => problem.severity === 'warning');

/** One rule with an ID, Status and an empty prefix filter, plus `extra`. */
function rule(extra: Record<string, unknown>): Record<string, unknown> {
  return { ID: 'r', Status: 'Enabled', Filter: { Prefix: '' }, ...extra };
}
const config = (...rules: unknown[]) => ({ Rules: rules });

describe('validateLifecycle: examples from the AWS documentation pass', () => {
  it.each([
    [
      'User Guide, "Specifying a filter": transition to GLACIER after a year, expire after ten',
      config({ ID: 'Transition and Expiration Rule', Filter: { Prefix: 'tax/' }, Status: 'Enabled', Transitions: [{ Days: 365, StorageClass: 'GLACIER' }], Expiration: { Days: 3650 } }),
    ],
    [
      'User Guide: archive all objects the day they are created',
      config({ ID: 'Archive all object same-day upon creation', Filter: { Prefix: '' }, Status: 'Enabled', Transitions: [{ Days: 0, StorageClass: 'GLACIER' }] }),
    ],
    [
      'User Guide, "Tiering down storage classes": STANDARD_IA at 30, GLACIER at 90, expire at 365',
      config({ ID: 'example-id', Filter: { Prefix: 'logs/' }, Status: 'Enabled', Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }, { Days: 90, StorageClass: 'GLACIER' }], Expiration: { Days: 365 } }),
    ],
    [
      'User Guide, versioned bucket: noncurrent versions to STANDARD_IA, GLACIER, then deleted',
      config({
        ID: 'sample-rule',
        Filter: { Prefix: '' },
        Status: 'Enabled',
        NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: 'STANDARD_IA' }, { NoncurrentDays: 90, StorageClass: 'GLACIER' }],
        NoncurrentVersionExpiration: { NoncurrentDays: 365 },
      }),
    ],
    [
      'User Guide, "Adding filters": And with a prefix, two tags and a size range',
      config({
        ID: 'filtered',
        Status: 'Enabled',
        Filter: { And: { Prefix: 'tax/', Tags: [{ Key: 'key1', Value: 'value1' }, { Key: 'key2', Value: 'value2' }], ObjectSizeGreaterThan: 500, ObjectSizeLessThan: 64000 } },
        Expiration: { Days: 365 },
      }),
    ],
    [
      'AWS re:Post answer: expire, delete noncurrent versions, abort uploads; delete markers in a rule of their own',
      config(
        { Expiration: { Days: 1 }, ID: 'Rule01', Status: 'Enabled', Filter: { Prefix: '' }, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
        { Expiration: { ExpiredObjectDeleteMarker: true }, ID: 'Rule02', Status: 'Enabled', Filter: { Prefix: '' } },
      ),
    ],
    [
      'API reference: an empty Filter applies to every object; a date at midnight UTC',
      config({ ID: 'by-date', Status: 'Enabled', Filter: {}, Transitions: [{ Date: '2030-01-01T00:00:00.000Z', StorageClass: 'DEEP_ARCHIVE' }], Expiration: { Date: '2031-01-01T00:00:00Z' } }),
    ],
    ['a tag with only a key (matches objects whose tag has no value)', config(rule({ Filter: { Tag: { Key: 'archive' } }, Expiration: { Days: 30 } }))],
  ])('%s', (_name, document) => {
    expect(validateLifecycle(document)).toEqual([]);
    expect(() => assertValidLifecycle(document)).not.toThrow();
  });

  it('aws-cli example (put-bucket-lifecycle-configuration) passes, with warnings for the deprecated rule-level Prefix', () => {
    const document = config(
      { ID: 'Move rotated logs to Glacier', Prefix: 'rotated/', Status: 'Enabled', Transitions: [{ Date: '2015-11-10T00:00:00.000Z', StorageClass: 'GLACIER' }] },
      { Status: 'Enabled', Prefix: '', NoncurrentVersionTransitions: [{ NoncurrentDays: 2, StorageClass: 'GLACIER' }], ID: 'Move old versions to Glacier' },
    );
    const problems = validateLifecycle(document);
    expect(errors(problems)).toEqual([]);
    expect(warnings(problems).map((problem) => problem.path)).toEqual(['Rules[0].Prefix', 'Rules[1].Prefix']);
  });
});

describe('validateLifecycle: each invalid case names the path and what is wrong', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['not an object', [], '', /JSON object with a Rules array/],
    ['the whole SDK input', { LifecycleConfiguration: { Rules: [] } }, 'LifecycleConfiguration', /the object inside LifecycleConfiguration/],
    ['Rules missing', {}, 'Rules', /Rules must be an array/],
    ['no rules', config(), 'Rules', /at least one rule/],
    ['more than 1000 rules', config(...Array.from({ length: 1001 }, (_, i) => rule({ ID: `r${i}`, Expiration: { Days: 1 } }))), 'Rules', /at most 1000 rules/],
    ['unknown top-level element', { Rules: [rule({ Expiration: { Days: 1 } })], Rule: [] }, 'Rule', /no element "Rule"/],
    ['duplicate IDs', config(rule({ Expiration: { Days: 1 } }), rule({ Expiration: { Days: 2 } })), 'Rules[1].ID', /already used by Rules\[0\]/],
    ['ID too long', config(rule({ ID: 'x'.repeat(256), Expiration: { Days: 1 } })), 'Rules[0].ID', /at most 255 characters/],
    ['ID not a string', config(rule({ ID: 7, Expiration: { Days: 1 } })), 'Rules[0].ID', /non-empty string/],
    ['Status in lower case', config(rule({ Status: 'enabled', Expiration: { Days: 1 } })), 'Rules[0].Status', /"Enabled" or "Disabled"/],
    ['misspelt element, with a suggestion', config(rule({ Transition: [{ Days: 30, StorageClass: 'GLACIER' }], Expiration: { Days: 40 } })), 'Rules[0].Transition', /no element "Transition"/],
    ['no filter at all', config({ ID: 'r', Status: 'Enabled', Expiration: { Days: 1 } }), 'Rules[0].Filter', /needs a Filter/],
    ['Filter and rule-level Prefix', config(rule({ Prefix: 'a/', Expiration: { Days: 1 } })), 'Rules[0].Prefix', /either Filter or the deprecated rule-level Prefix/],
    ['two filter forms', config(rule({ Filter: { Prefix: 'a/', Tag: { Key: 'k', Value: 'v' } }, Expiration: { Days: 1 } })), 'Rules[0].Filter', /has Prefix and Tag; a Filter holds exactly one/],
    ['duplicate tag keys under And', config(rule({ Filter: { And: { Tags: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] } }, Expiration: { Days: 1 } })), 'Rules[0].Filter.And.Tags[1].Key', /duplicate tag keys/],
    ['size range matching nothing', config(rule({ Filter: { And: { ObjectSizeGreaterThan: 100, ObjectSizeLessThan: 100 } }, Expiration: { Days: 1 } })), 'Rules[0].Filter.And.ObjectSizeLessThan', /must be greater than ObjectSizeGreaterThan/],
    ['negative size', config(rule({ Filter: { ObjectSizeGreaterThan: -1 }, Expiration: { Days: 1 } })), 'Rules[0].Filter.ObjectSizeGreaterThan', /at least 0/],
    ['no action', config(rule({})), 'Rules[0]', /at least one action/],
    ['unknown storage class', config(rule({ Transitions: [{ Days: 30, StorageClass: 'GLACIER_DEEP' }] })), 'Rules[0].Transitions[0].StorageClass', /Not a storage class lifecycle can move objects to/],
    ['back to STANDARD', config(rule({ Transitions: [{ Days: 30, StorageClass: 'STANDARD' }] })), 'Rules[0].Transitions[0].StorageClass', /Not a storage class/],
    ['Transitions not an array', config(rule({ Transitions: { Days: 30, StorageClass: 'GLACIER' } })), 'Rules[0].Transitions', /is an array/],
    ['negative days', config(rule({ Transitions: [{ Days: -1, StorageClass: 'GLACIER' }] })), 'Rules[0].Transitions[0].Days', /at least 0/],
    ['fractional days', config(rule({ Transitions: [{ Days: 1.5, StorageClass: 'GLACIER' }] })), 'Rules[0].Transitions[0].Days', /whole number/],
    ['STANDARD_IA before 30 days', config(rule({ Transitions: [{ Days: 29, StorageClass: 'STANDARD_IA' }] })), 'Rules[0].Transitions[0].Days', /at least 30 days old before they move to STANDARD_IA/],
    ['ONEZONE_IA before 30 days', config(rule({ Transitions: [{ Days: 1, StorageClass: 'ONEZONE_IA' }] })), 'Rules[0].Transitions[0].Days', /ONEZONE_IA; S3 refuses a transition after 1 days/],
    ['noncurrent STANDARD_IA before 30 days', config(rule({ NoncurrentVersionTransitions: [{ NoncurrentDays: 10, StorageClass: 'STANDARD_IA' }] })), 'Rules[0].NoncurrentVersionTransitions[0].NoncurrentDays', /at least 30 days noncurrent/],
    ['transition with neither Days nor Date', config(rule({ Transitions: [{ StorageClass: 'GLACIER' }] })), 'Rules[0].Transitions[0].Days', /needs Days \(after creation\) or Date/],
    ['transition with Days and Date', config(rule({ Transitions: [{ Days: 1, Date: '2030-01-01', StorageClass: 'GLACIER' }] })), 'Rules[0].Transitions[0]', /Days or Date, not both/],
    ['going up the waterfall', config(rule({ Transitions: [{ Days: 30, StorageClass: 'GLACIER' }, { Days: 60, StorageClass: 'STANDARD_IA' }] })), 'Rules[0].Transitions[1].StorageClass', /After GLACIER \(Rules\[0\]\.Transitions\[0\]\) objects cannot move to STANDARD_IA/],
    ['ONEZONE_IA to GLACIER_IR (not supported)', config(rule({ Transitions: [{ Days: 30, StorageClass: 'ONEZONE_IA' }, { Days: 90, StorageClass: 'GLACIER_IR' }] })), 'Rules[0].Transitions[1].StorageClass', /ONEZONE_IA skips GLACIER_IR/],
    ['two transitions on one day', config(rule({ Transitions: [{ Days: 30, StorageClass: 'GLACIER_IR' }, { Days: 30, StorageClass: 'GLACIER' }] })), 'Rules[0].Transitions[1].Days', /happen on the same day/],
    ['two transitions to one class', config(rule({ Transitions: [{ Days: 30, StorageClass: 'GLACIER' }, { Days: 90, StorageClass: 'GLACIER' }] })), 'Rules[0].Transitions[1].StorageClass', /each transition of a rule names a different class/],
    ['leaving STANDARD_IA within 30 days', config(rule({ Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }, { Days: 45, StorageClass: 'GLACIER' }] })), 'Rules[0].Transitions[1].Days', /must stay 30 days in STANDARD_IA/],
    ['expiring before a transition', config(rule({ Transitions: [{ Days: 90, StorageClass: 'GLACIER' }], Expiration: { Days: 60 } })), 'Rules[0].Expiration.Days', /expire before the transition at Rules\[0\]\.Transitions\[0\]/],
    ['expiring on the day of a transition', config(rule({ Transitions: [{ Days: 90, StorageClass: 'GLACIER' }], Expiration: { Days: 90 } })), 'Rules[0].Expiration.Days', /on the same day as the transition/],
    ['noncurrent expiration before a noncurrent transition', config(rule({ NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: 'GLACIER' }], NoncurrentVersionExpiration: { NoncurrentDays: 10 } })), 'Rules[0].NoncurrentVersionExpiration.NoncurrentDays', /deleted before the transition/],
    ['Days and Date in one rule', config(rule({ Transitions: [{ Days: 30, StorageClass: 'GLACIER' }], Expiration: { Date: '2030-01-01T00:00:00Z' } })), 'Rules[0].Expiration.Date', /uses Days \(at Rules\[0\]\.Transitions\[0\]\.Days\) and Date/],
    ['a date not at midnight UTC', config(rule({ Expiration: { Date: '2030-01-01T12:00:00Z' } })), 'Rules[0].Expiration.Date', /midnight UTC/],
    ['not a real date', config(rule({ Expiration: { Date: '2030-02-30' } })), 'Rules[0].Expiration.Date', /not a real date/],
    ['expiration of zero days', config(rule({ Expiration: { Days: 0 } })), 'Rules[0].Expiration.Days', /at least 1/],
    ['expiration with Days and Date', config(rule({ Expiration: { Days: 3, Date: '2030-01-01' } })), 'Rules[0].Expiration', /Days or Date, not both/],
    ['empty expiration', config(rule({ Expiration: {} })), 'Rules[0].Expiration', /needs Days, Date or ExpiredObjectDeleteMarker/],
    ['ExpiredObjectDeleteMarker with Days', config(rule({ Expiration: { Days: 30, ExpiredObjectDeleteMarker: true } })), 'Rules[0].Expiration.ExpiredObjectDeleteMarker', /cannot be combined with Days or Date/],
    ['ExpiredObjectDeleteMarker with a tag filter', config(rule({ Filter: { Tag: { Key: 'k', Value: 'v' } }, Expiration: { ExpiredObjectDeleteMarker: true } })), 'Rules[0].Expiration.ExpiredObjectDeleteMarker', /filter has tags/],
    ['AbortIncompleteMultipartUpload with a tag filter', config(rule({ Filter: { Tag: { Key: 'k', Value: 'v' } }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } })), 'Rules[0].AbortIncompleteMultipartUpload', /cannot be used in a rule whose filter has tags/],
    ['AbortIncompleteMultipartUpload with tags under And', config(rule({ Filter: { And: { Prefix: 'a/', Tags: [{ Key: 'k', Value: 'v' }] } }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } })), 'Rules[0].AbortIncompleteMultipartUpload', /filter has tags/],
    ['AbortIncompleteMultipartUpload of zero days', config(rule({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 0 } })), 'Rules[0].AbortIncompleteMultipartUpload.DaysAfterInitiation', /at least 1/],
    ['NewerNoncurrentVersions over 100', config(rule({ NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 101 } })), 'Rules[0].NoncurrentVersionExpiration.NewerNoncurrentVersions', /from 1 to 100/],
    ['NoncurrentVersionExpiration without days', config(rule({ NoncurrentVersionExpiration: { NewerNoncurrentVersions: 3 } })), 'Rules[0].NoncurrentVersionExpiration.NoncurrentDays', /whole number of days after becoming noncurrent/],
  ])('%s', (_name, document, path, message) => {
    const found = errors(validateLifecycle(document));
    expect(found.map((problem) => problem.path)).toContain(path);
    const problem = found.find((candidate) => candidate.path === path)!;
    expect(problem.message).toMatch(message);
    expect(problem.fix.length).toBeGreaterThan(0);
  });

  it('suggests the element a misspelling meant', () => {
    const [problem] = errors(validateLifecycle(config(rule({ Expiraton: { Days: 1 } }))));
    expect(problem).toMatchObject({ path: 'Rules[0].Expiraton', value: { Days: 1 } });
    expect(problem!.fix).toContain('Did you mean "Expiration"?');
  });

  it('records the value found at the path', () => {
    const problems = validateLifecycle(config(rule({ Transitions: [{ Days: 10, StorageClass: 'STANDARD_IA' }] })));
    expect(problems).toEqual([expect.objectContaining({ path: 'Rules[0].Transitions[0].Days', value: 10, severity: 'error' })]);
    expect(problems[0]!.fix).toMatch(/Set Days to 30 or more/);
  });
});

describe('validateLifecycle: warnings for what S3 accepts but bills or ignores', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['GLACIER left after 30 of its 90 days', config(rule({ Transitions: [{ Days: 0, StorageClass: 'GLACIER' }, { Days: 30, StorageClass: 'DEEP_ARCHIVE' }] })), 'Rules[0].Transitions[1].Days', /GLACIER bills at least 90 days/],
    ['DEEP_ARCHIVE expired after 10 days', config(rule({ Transitions: [{ Days: 0, StorageClass: 'DEEP_ARCHIVE' }], Expiration: { Days: 10 } })), 'Rules[0].Expiration.Days', /DEEP_ARCHIVE bills at least 180 days/],
    ['GLACIER_IR noncurrent versions deleted early', config(rule({ NoncurrentVersionTransitions: [{ NoncurrentDays: 1, StorageClass: 'GLACIER_IR' }], NoncurrentVersionExpiration: { NoncurrentDays: 31 } })), 'Rules[0].NoncurrentVersionExpiration.NoncurrentDays', /GLACIER_IR bills at least 90 days per object; deleting them 30 days after/],
    ['STANDARD_IA expired after 10 more days', config(rule({ Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }], Expiration: { Days: 40 } })), 'Rules[0].Expiration.Days', /STANDARD_IA bills at least 30 days/],
    ['a rule without an ID', config({ Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }), 'Rules[0].ID', /S3 will make up a random one/],
    ['a prefix with a leading slash', config(rule({ Filter: { Prefix: '/logs/' }, Expiration: { Days: 1 } })), 'Rules[0].Filter.Prefix', /starts with "\/"/],
    ['a prefix with a wildcard', config(rule({ Filter: { Prefix: 'logs/*' }, Expiration: { Days: 1 } })), 'Rules[0].Filter.Prefix', /no wildcards/],
    ['And with a single predicate', config(rule({ Filter: { And: { Prefix: 'a/' } }, Expiration: { Days: 1 } })), 'Rules[0].Filter.And', /two or more predicates/],
    ['ExpiredObjectDeleteMarker false', config(rule({ Expiration: { ExpiredObjectDeleteMarker: false } })), 'Rules[0].Expiration.ExpiredObjectDeleteMarker', /does nothing/],
  ])('%s', (_name, document, path, message) => {
    const problems = validateLifecycle(document);
    expect(errors(problems)).toEqual([]);
    const problem = warnings(problems).find((candidate) => candidate.path === path);
    expect(problem?.message).toMatch(message);
  });
});

describe('assertValidLifecycle', () => {
  it('throws one ConfigError listing every error with its path, value and fix; returns warnings', () => {
    const document = config(rule({ Status: 'on', Transitions: [{ Days: 5, StorageClass: 'STANDARD_IA' }] }));
    let thrown: unknown;
    try {
      assertValidLifecycle(document);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.field).toBe('Rules[0].Status');
    expect(error.message).toContain('has 2 errors');
    expect(error.message).toContain('error Rules[0].Status: Status must be "Enabled" or "Disabled" (capitalized as shown). Got "on". Fix: Set "Status": "Enabled".');
    expect(error.message).toContain('error Rules[0].Transitions[0].Days:');
    expect(assertValidLifecycle(config({ Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }))).toHaveLength(1);
  });

  it('formatProblem prints severity, path, message, value and fix on one line', () => {
    expect(formatProblem({ path: 'Rules[0].ID', value: undefined, message: 'm.', fix: 'f.', severity: 'warning' })).toBe('warning Rules[0].ID: m. Got nothing. Fix: f.');
  });
});

describe('validateLifecycle: dates', () => {
  it('leaving STANDARD_IA early by date is a billing warning (S3 refuses it only with Days)', () => {
    const problems = validateLifecycle(config(rule({ Transitions: [{ Date: '2030-01-01', StorageClass: 'STANDARD_IA' }, { Date: '2030-01-11', StorageClass: 'GLACIER' }] })));
    expect(errors(problems)).toEqual([]);
    expect(warnings(problems)).toEqual([expect.objectContaining({ path: 'Rules[0].Transitions[1].Date', value: '2030-01-11', message: expect.stringMatching(/STANDARD_IA bills at least 30 days/) })]);
  });

  it('orders transitions by date and reports the date given', () => {
    const problems = errors(validateLifecycle(config(rule({ Transitions: [{ Date: '2030-01-01T00:00:00Z', StorageClass: 'GLACIER' }, { Date: '2030-01-01', StorageClass: 'DEEP_ARCHIVE' }] }))));
    expect(problems).toEqual([expect.objectContaining({ path: 'Rules[0].Transitions[1].Date', value: '2030-01-01', message: expect.stringMatching(/same day/) })]);
  });
});
