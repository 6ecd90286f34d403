import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseDay } from 's3kit/jobs';
import { ConfigError } from '../../src/core/errors.js';
import { renderPattern } from '../../src/strategies/placeholders.js';
import { StrategyResolver, type StrategyDefinition } from '../../src/strategies/strategy-resolver.js';

const date = new Date(2025, 0, 15, 12); // 15 January 2025, local time
const input = { name: 'camera', source: '/data/camera', target: 's3://archive/camera', date };

describe('StrategyResolver', () => {
  const resolver = new StrategyResolver();

  it('DateFolder: the dated subfolder, into the same subfolder of the target', () => {
    expect(resolver.resolve({ type: 'DateFolder' }, input)).toEqual({ source: '/data/camera/2025-01-15', target: 's3://archive/camera/2025-01-15' });
    expect(resolver.resolve({ type: 'DateFolder', format: 'yyyy/MM/dd', appendToTarget: false }, input)).toEqual({
      source: '/data/camera/2025/01/15',
      target: 's3://archive/camera',
    });
  });

  it('FullDirectory: the whole source', () => {
    expect(resolver.resolve({ type: 'FullDirectory' }, input)).toEqual({ source: '/data/camera', target: 's3://archive/camera' });
  });

  it('DateRange: the last N days up to the date, or between two dates', () => {
    const last7 = resolver.resolve({ type: 'DateRange', daysBack: 7 }, input);
    expect(last7.modifiedAfter).toEqual(new Date(2025, 0, 9, 0, 0, 0, 0));
    expect(last7.modifiedBefore).toEqual(new Date(2025, 0, 15, 23, 59, 59, 999));
    const between = resolver.resolve({ type: 'DateRange', from: '2024-12-01', to: '2024-12-31' }, input);
    expect(between.modifiedAfter).toEqual(new Date(2024, 11, 1));
    expect(between.modifiedBefore).toEqual(new Date(2024, 11, 31, 23, 59, 59, 999));
  });

  it('CustomPattern: placeholders in both paths', () => {
    expect(resolver.resolve({ type: 'CustomPattern', sourcePattern: '{year}/{month}', targetPattern: '{name}/{date:yyyy-MM}/{day}' }, input)).toEqual({
      source: '/data/camera/2025/01',
      target: 's3://archive/camera/camera/2025-01/15',
    });
  });

  it.each([
    [{ type: 'DateFolder', fromat: 'x' }, /Unrecognized key/],
    [{ type: 'DateRange' }, /either daysBack, or from and\/or to/],
    [{ type: 'DateRange', from: '2025/01/01' }, /YYYY-MM-DD/],
    [{ type: 'CustomPattern', sourcePattern: '{yaer}' }, /unknown placeholder \{yaer\}/],
    [{ type: 'Weekly' }, /unknown strategy "Weekly"; use one of DateFolder, FullDirectory, DateRange, CustomPattern/],
  ])('rejects %j', (block, message) => {
    expect(() => resolver.resolve(block as { type: string }, input)).toThrow(message);
  });

  it.each([
    [{ type: 'CustomPattern', targetPattern: '../..' }, 'strategy.targetPattern', '"../.."'],
    [{ type: 'CustomPattern', targetPattern: '{name}/../../other' }, 'strategy.targetPattern', '"camera/../../other"'],
    [{ type: 'CustomPattern', sourcePattern: '{year}/..\\..' }, 'strategy.sourcePattern', '"2025/..\\\\.."'],
    [{ type: 'DateFolder', format: "'..'" }, 'strategy.format', '".."'],
    [{ type: 'DateFolder', format: "yyyy/'..'/dd" }, 'strategy.format', '"2025/../15"'],
  ])('refuses %j: a pattern that leaves its base is a ConfigError naming the field and what it renders to', (block, field, rendered) => {
    let caught: unknown;
    try {
      // The definition's own resolve, as a run would reach it even if validation were skipped.
      const { type, ...settings } = block as { type: string } & Record<string, unknown>;
      resolver.get(type).resolve({ format: 'yyyy-MM-dd', appendToTarget: true, sourcePattern: '', targetPattern: '', ...settings }, input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).field).toBe(field);
    expect((caught as ConfigError).message).toContain(`renders to ${rendered}`);
    expect((caught as ConfigError).message).toMatch(/"\.\." segment/);
    // Refused when the block is validated too, before any run.
    expect(() => resolver.parse(block as { type: string })).toThrow(z.ZodError);
    const issues = (() => {
      try {
        resolver.parse(block as { type: string });
        return [];
      } catch (error) {
        return (error as z.ZodError).issues;
      }
    })();
    expect(issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([[field.replace('strategy.', ''), expect.stringMatching(/"\.\." segment/)]]);
  });

  it('takes strategies registered by library users', () => {
    const weekly: StrategyDefinition<{ weekday: number }> = {
      type: 'Weekly',
      description: 'the ISO week folder',
      settings: z.object({ weekday: z.number().int().min(0).max(6) }).strict(),
      example: { type: 'Weekly', weekday: 1 },
      resolve: (settings, job) => ({ source: `${job.source}/w${settings.weekday}`, target: job.target }),
    };
    const custom = new StrategyResolver([weekly as StrategyDefinition<never>]);
    expect(custom.list().map((s) => s.type)).toEqual(['DateFolder', 'FullDirectory', 'DateRange', 'CustomPattern', 'Weekly']);
    expect(custom.resolve({ type: 'Weekly', weekday: 3 }, input).source).toBe('/data/camera/w3');
  });
});

describe('renderPattern', () => {
  it('renders and refuses unknown placeholders with a ConfigError', () => {
    expect(renderPattern('{date:yyyyMMdd}-{name}', { date, name: 'n' }, 'f')).toBe('20250115-n');
    expect(() => renderPattern('{date:}', { date, name: 'n' }, 'f')).toThrow(ConfigError);
  });
});

describe('parseDay', () => {
  it.each([
    ['2024-02-29', new Date(2024, 1, 29)],
    ['2024-02-30', undefined],
    ['2023-02-29', undefined],
    ['2024-2-1', undefined],
    ['2024-02-01T10:00', undefined],
    ['yesterday', undefined],
  ])('parses %j as %j (the CLI flag and DateRange strategies alike)', (text, day) => {
    expect(parseDay(text)).toEqual(day);
  });
});
