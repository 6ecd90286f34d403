import { describe, expect, it } from 'vitest';
import { parseMaxDelete } from 's3kit';
import { isMaxDelete } from '../../src/core/max-delete.js';
import { parseMaxDelete as parseFlag } from '../../src/cli/values.js';
import { validateMaxDelete } from '../../src/syncer/max-delete.js';

describe('the maxDelete rule', () => {
  it.each([
    [0, true],
    [100, true],
    [-1, false],
    [1.5, false],
    ['10%', true],
    ['2.5%', true],
    ['100%', true],
    ['100.5%', false],
    ['200%', false],
    ['%', false],
    [' 10%', false],
  ])('isMaxDelete(%j) is %s, and createSyncer and the CLI flag agree', (value, valid) => {
    expect(isMaxDelete(value)).toBe(valid);
    if (valid) expect(validateMaxDelete(value)).toBe(value);
    else expect(() => validateMaxDelete(value)).toThrow(/maxDelete must be a non-negative integer or a percentage/);
    if (typeof value === 'string') expect(parseMaxDelete(value)).toBe(valid ? value : undefined);
  });

  it.each([
    ['100', 100],
    ['0', 0],
    ['10%', '10%'],
  ])('parses the text %j as %j, in the library and the CLI', (text, parsed) => {
    expect(parseMaxDelete(text)).toBe(parsed);
    expect(parseFlag(text)).toBe(parsed);
  });

  it.each(['-1', '1e3', 'ten', 'ten%'])('refuses the text %j', (text) => {
    expect(parseMaxDelete(text)).toBeUndefined();
    expect(() => parseFlag(text)).toThrow(/neither a count .* nor a percentage/);
  });

  it('says a percentage over 100% is out of range', () => {
    expect(parseMaxDelete('150%')).toBeUndefined();
    expect(() => parseFlag('150%')).toThrow(/"150%": a percentage must be between 0% and 100%/);
  });
});
