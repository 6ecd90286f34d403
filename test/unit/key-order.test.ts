import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../src/core/key-order.js';

/** The reference order: compare UTF-8 bytes. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

describe('compareKeys', () => {
  it.each([
    ['a-b', 'a/x', -1],
    ['a/x', 'a0', -1],
    ['a', 'a/', -1],
    ['abc', 'abc', 0],
    ['B', 'a', -1],
    ['\uffff', '😀', -1], // U+FFFF < U+1F600, though UTF-16 code units say otherwise
    ['\ue000', '\ud83d\ude00', -1],
    ['caf\u00e9', 'cafe\u0301', 1],
  ])('orders %j against %j as %i', (a, b, expected) => {
    expect(Math.sign(compareKeys(a, b))).toBe(expected);
    expect(Math.sign(compareKeys(b, a))).toBe(expected === 0 ? 0 : -expected);
  });

  it('agrees with UTF-8 byte order on random strings drawn from every plane', () => {
    const alphabet = ['a', 'Z', '/', '-', '0', '\u00e9', '\u0301', '\u4e2d', '\ue000', '\uffff', '😀', '𐍈', ' '];
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const word = (): string => Array.from({ length: 1 + random(6) }, () => alphabet[random(alphabet.length)]).join('');
    for (let i = 0; i < 5000; i++) {
      const a = word();
      const b = word();
      expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(byteOrder(a, b)));
    }
  });
});
