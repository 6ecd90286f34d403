import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../src/core/key-order.js';
import type { SyncWarning } from '../../src/core/events.js';
import { KeyFilter } from '../../src/listing/key-filter.js';
import { walkLocal } from '../../src/listing/walk-local.js';
import { tempDir, writeTree } from '../helpers/files.js';

async function keys(root: string, options: Parameters<typeof walkLocal>[1] = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of walkLocal(root, options)) out.push(entry.key);
  return out;
}

describe('walkLocal', () => {
  it('yields keys in UTF-8 byte order with directories sorted as name/', async () => {
    const root = await tempDir('walk');
    const files = ['a-b', 'a/x', 'a0', 'a/b/c', 'Z', 'z', '😀', '\uffff', 'é/1', 'e\u0301', 'sp ace', 'x/y/z/deep.txt'];
    await writeTree(root, Object.fromEntries(files.map((f) => [f, f])));
    const walked = await keys(root);
    expect(walked).toEqual([...files].sort(compareKeys));
    expect(walked.indexOf('a-b')).toBeLessThan(walked.indexOf('a/x'));
    expect(walked.indexOf('a/x')).toBeLessThan(walked.indexOf('a0'));
  });

  it('gives size, mtime and the absolute path of each file', async () => {
    const root = await tempDir('walk-meta');
    await writeTree(root, { 'd/f.txt': 'hello' });
    const entries = [];
    for await (const entry of walkLocal(root)) entries.push(entry);
    expect(entries).toEqual([{ key: 'd/f.txt', size: 5, mtimeMs: expect.any(Number), path: join(root, 'd/f.txt') }]);
  });

  it('prunes directories excluded by gitignore rules and never enters them', async () => {
    const root = await tempDir('walk-prune');
    await writeTree(root, { 'node_modules/x/index.js': 'x', 'src/a.ts': 'a', 'src/node_modules/y.js': 'y' });
    const filter = new KeyFilter({ ignorePatterns: ['node_modules/'] });
    expect(await keys(root, { filter })).toEqual(['src/a.ts']);
  });

  it('reports a directory it cannot read as an incomplete listing and goes on', async () => {
    const root = await tempDir('walk-unreadable');
    await writeTree(root, { 'a.txt': 'a', 'gone/inside.txt': 'x', 'z.txt': 'z' });
    const warnings: SyncWarning[] = [];
    const seen: string[] = [];
    // The walk is lazy: removing gone/ after the first file makes its readdir fail. (chmod 000
    // would not do: these tests may run as root, which reads anything.)
    for await (const entry of walkLocal(root, { onWarning: (w) => warnings.push(w) })) {
      seen.push(entry.key);
      if (entry.key === 'a.txt') await rm(join(root, 'gone'), { recursive: true });
    }
    expect(seen).toEqual(['a.txt', 'z.txt']);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'unreadable', incompleteListing: true, path: join(root, 'gone') }),
    ]);
  });
});

describe('KeyFilter', () => {
  it('applies aws-cli rules in order, the last match winning, with * crossing /', async () => {
    const filter = new KeyFilter({
      rules: [
        { type: 'exclude', pattern: '*' },
        { type: 'include', pattern: '*.txt' },
        { type: 'exclude', pattern: 'tmp/*' },
      ],
    });
    expect(await filter.excludesFile('a.txt')).toBe(false);
    expect(await filter.excludesFile('deep/dir/a.txt')).toBe(false);
    expect(await filter.excludesFile('a.bin')).toBe(true);
    expect(await filter.excludesFile('tmp/a.txt')).toBe(true);
  });

  it('supports ? and character classes like fnmatch', async () => {
    const filter = new KeyFilter({ rules: [{ type: 'exclude', pattern: 'log[0-9].?' }, { type: 'exclude', pattern: 'x[!a]' }] });
    expect(await filter.excludesFile('log1.a')).toBe(true);
    expect(await filter.excludesFile('logx.a')).toBe(false);
    expect(await filter.excludesFile('xb')).toBe(true);
    expect(await filter.excludesFile('xa')).toBe(false);
    expect(await filter.excludesFile('a.b+c')).toBe(false);
  });

  it('reads nested ignore files with git precedence, also for keys with no local file', async () => {
    const root = await tempDir('filter-nested');
    await writeTree(root, {
      '.gitignore': '*.tmp\nbuild/\n',
      'sub/.gitignore': '!keep.tmp\n*.cache\n',
    });
    const filter = new KeyFilter({ localRoot: root, ignoreFileName: '.gitignore' });
    expect(await filter.excludesFile('a.tmp')).toBe(true);
    expect(await filter.excludesFile('sub/keep.tmp')).toBe(false);
    expect(await filter.excludesFile('sub/other.tmp')).toBe(true);
    expect(await filter.excludesFile('sub/x.cache')).toBe(true);
    expect(await filter.excludesFile('x.cache')).toBe(false);
    expect(await filter.excludesFile('build/deep/file.js')).toBe(true);
    expect(await filter.excludesDirectory('build/')).toBe(true);
    expect(await filter.excludesDirectory('sub/')).toBe(false);
  });

  it('is inactive without patterns, rules or ignore files', () => {
    expect(new KeyFilter({}).isActive).toBe(false);
    expect(new KeyFilter({ ignorePatterns: ['x'] }).isActive).toBe(true);
  });
});
