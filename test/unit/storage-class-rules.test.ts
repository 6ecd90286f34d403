import { describe, expect, it } from 'vitest';
import { createSyncer, ConfigError, readPlanLines, type Action, type SyncOptions } from 's3kit';
import { parseConfig } from '../../src/config/load-config.js';
import { resolveStorageClassRules } from '../../src/syncer/storage-class-rules.js';

const ok = { source: '.', target: 's3://bucket/prefix', endpoint: 'http://127.0.0.1:1' };
const DAY = 86_400_000;
const KiB = 1024;

function configError(options: Partial<SyncOptions>): ConfigError {
  try {
    createSyncer({ ...ok, ...options } as SyncOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('createSyncer accepted the options');
}

describe('storageClassRules validation (createSyncer)', () => {
  it.each([
    [[{ include: '*.mp4' }], 'storageClassRules[0].storageClass', /one of STANDARD, /],
    [[{ storageClass: 'standard_ia', minSize: '1MiB' }], 'storageClassRules[0].storageClass', /"standard_ia"/],
    [[{ storageClass: 'GLACIER', minSize: 'big' }], 'storageClassRules[0].minSize', /"128KiB"/],
    [[{ storageClass: 'GLACIER', olderThan: '30' }], 'storageClassRules[0].olderThan', /s, m, h, d or w/],
    [[{ storageClass: 'GLACIER', include: '' }], 'storageClassRules[0].include', /non-empty pattern/],
    [[{ storageClass: 'GLACIER', size: 1 }], 'storageClassRules[0].size', /size/],
    [[{ storageClass: 'GLACIER' }, { storageClass: 'STANDARD_IA', include: '*.mp4' }], 'storageClassRules[1].minSize', /not set, so the rule may put objects under 128 KiB in STANDARD_IA.*force: true/],
    [[{ storageClass: 'ONEZONE_IA', minSize: '127KiB' }], 'storageClassRules[0].minSize', /ONEZONE_IA/],
    [[{ storageClass: 'GLACIER_IR', minSize: 100 }], 'storageClassRules[0].minSize', /GLACIER_IR/],
  ])('refuses %j, naming %s', (rules, field, message) => {
    const error = configError({ storageClassRules: rules as never });
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.message).toMatch(message);
  });

  it('accepts an IA rule with minSize of 128 KiB or more, or with force', () => {
    expect(() => createSyncer({ ...ok, storageClassRules: [{ include: '*.mp4', minSize: '128KiB', olderThan: '30d', storageClass: 'STANDARD_IA' }] })).not.toThrow();
    expect(() => createSyncer({ ...ok, storageClassRules: [{ storageClass: 'STANDARD_IA', force: true }] })).not.toThrow();
    expect(() => createSyncer({ ...ok, storageClassRules: [{ storageClass: 'INTELLIGENT_TIERING' }] })).not.toThrow();
  });

  it('refuses rules for a local target', () => {
    const error = configError({ source: 's3://bucket/p', target: './here', storageClassRules: [{ storageClass: 'GLACIER' }] });
    expect(error.field).toBe('storageClassRules');
    expect(error.message).toMatch(/local directory/);
  });

  it('warns, once per plan, that a GLACIER or DEEP_ARCHIVE rule needs a restore before download', async () => {
    const syncer = createSyncer({ ...ok, source: '/nonexistent-s3kit-dir', storageClassRules: [{ include: '*.tar', storageClass: 'DEEP_ARCHIVE' }] });
    const warnings: string[] = [];
    syncer.on('warning', (warning) => warnings.push(`${warning.code} ${warning.path}: ${warning.message}`));
    await expect(syncer.plan().next()).rejects.toThrow();
    expect(warnings).toEqual([expect.stringMatching(/^archived-storage-class storageClassRules\[0\]: .*DEEP_ARCHIVE.*restore/)]);
  });
});

describe('choosing a storage class', () => {
  const now = Date.UTC(2026, 10, 22);
  const chooser = resolveStorageClassRules(
    [
      { include: '*.mp4', minSize: '128KiB', olderThan: '30d', storageClass: 'STANDARD_IA' },
      { include: 'archive/*', storageClass: 'DEEP_ARCHIVE' },
      { minSize: '1MiB', storageClass: 'GLACIER_IR' },
    ],
    { targetInS3: true, fallback: 'REDUCED_REDUNDANCY' },
  )!.chooser;
  const entry = (key: string, size: number, ageDays: number) => ({ key, size, mtimeMs: now - ageDays * DAY });

  it.each([
    // key, size, age in days → class, rule
    ['video/a.mp4', 200 * KiB, 31, 'STANDARD_IA', 0],
    ['video/a.mp4', 200 * KiB, 29, 'REDUCED_REDUNDANCY', undefined], // too young for rule 0, too small for 2
    ['video/a.mp4', 100 * KiB, 31, 'REDUCED_REDUNDANCY', undefined], // too small
    ['video/a.mp4', 2048 * KiB, 1, 'GLACIER_IR', 2], // rule 0 fails on age, rule 2 matches
    ['archive/x.mp4', 200 * KiB, 31, 'STANDARD_IA', 0], // first match wins over rule 1
    ['archive/x.bin', 1, 0, 'DEEP_ARCHIVE', 1],
    ['a.MP4', 200 * KiB, 31, 'REDUCED_REDUNDANCY', undefined], // patterns are case-sensitive, as --include
  ])('%s, %i bytes, %i days old → %s (rule %s)', (key, size, age, storageClass, rule) => {
    expect(chooser.choose(entry(key, size, age), now)).toEqual(rule === undefined ? { storageClass } : { storageClass, storageClassRule: rule });
  });

  it('without a fallback class, an unmatched object gets none (a copy keeps its source class)', () => {
    const bare = resolveStorageClassRules([{ include: '*.iso', storageClass: 'GLACIER' }], { targetInS3: true, fallback: undefined })!.chooser;
    expect(bare.choose(entry('a.txt', 1, 0), now)).toEqual({});
  });
});

describe('storage-class rules in plan files and jobs', () => {
  const header = JSON.stringify({
    type: 'plan',
    version: 1,
    createdAt: '2026-11-22T00:00:00.000Z',
    source: '/src',
    target: 's3://b/p/',
    settings: { storageClassRules: [{ include: '*.mp4', minSize: '128KiB', olderThan: '30d', storageClass: 'STANDARD_IA' }] },
  });
  const action: Action = { type: 'copy', key: 'a.mp4', reason: 'missing-in-target', source: { key: 'a.mp4', size: 200_000, mtimeMs: 1 }, storageClass: 'STANDARD_IA', storageClassRule: 0 };

  async function* lines(...texts: string[]): AsyncGenerator<string> {
    yield* texts;
  }

  it('reads the rules from the header and the chosen class from each action', async () => {
    const plan = await readPlanLines(lines(header, JSON.stringify({ type: 'action', action })));
    expect(plan.header.settings.storageClassRules).toEqual([{ include: '*.mp4', minSize: '128KiB', olderThan: '30d', storageClass: 'STANDARD_IA' }]);
    const read: Action[] = [];
    for await (const one of plan.actions) read.push(one);
    expect(read).toEqual([action]);
  });

  it('refuses a hand-edited class that is not a string, naming the line', async () => {
    const plan = await readPlanLines(lines(header, JSON.stringify({ type: 'action', action: { ...action, storageClassRule: 'zero' } })));
    await expect(plan.actions.next()).rejects.toThrow(/line 2: "storageClassRule" is invalid/);
  });

  it('reads storageClassRules of a job', () => {
    const config = parseConfig(
      [
        'jobs:',
        '  - name: videos',
        '    source: ./v',
        '    target: s3://bucket/v/',
        '    storageClassRules:',
        '      - { include: "*.mp4", minSize: 128KiB, olderThan: 30d, storageClass: STANDARD_IA }',
        '      - { storageClass: GLACIER_IR, minSize: 131072, force: true }',
      ].join('\n'),
      '/cfg/s3kit.yaml',
      {},
    );
    expect(config.jobs[0]!.storageClassRules).toEqual([
      { include: '*.mp4', minSize: '128KiB', olderThan: '30d', storageClass: 'STANDARD_IA' },
      { storageClass: 'GLACIER_IR', minSize: 131072, force: true },
    ]);
  });
});
