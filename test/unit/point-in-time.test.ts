import { ConfigError } from 's3kit';
import { parsePointInTime } from 's3kit/versions';
import { describe, expect, it } from 'vitest';

describe('parsePointInTime', () => {
  it.each([
    ['2026-11-01T00:00Z', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T00:00:00Z', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01t09:30:15.25z', '2026-11-01T09:30:15.250Z'],
    ['2026-11-01T09:30:15.123456789Z', '2026-11-01T09:30:15.123Z'],
    ['2026-11-01T09:30+02:00', '2026-11-01T07:30:00.000Z'],
    ['2026-11-01T09:30+0200', '2026-11-01T07:30:00.000Z'],
    ['2026-11-01T00:30-05', '2026-11-01T05:30:00.000Z'],
    ['2024-02-29T23:59:59+00:00', '2024-02-29T23:59:59.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parsePointInTime(text).toISOString()).toBe(iso);
  });

  it.each([
    ['2026-11-01T00:00', /has no zone/],
    ['2026-11-01', /has no zone/],
    ['yesterday', /not ISO 8601 date and time/],
    ['1793491200', /not ISO 8601/],
    ['2026-11-01 00:00Z', /not ISO 8601/],
    ['2026-02-30T00:00Z', /no such date or time/],
    ['2025-02-29T00:00Z', /no such date or time/],
    ['2026-11-01T24:00Z', /no such date or time/],
    ['2026-13-01T00:00Z', /no such date or time/],
    ['2026-11-01T00:00+25:00', /offset \+25:00 is out of range/],
  ])('refuses %s, naming the field', (text, why) => {
    let error: unknown;
    try {
      parsePointInTime(text, '--at');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('--at');
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).toContain('e.g. 2026-11-01T00:00Z');
  });
});
