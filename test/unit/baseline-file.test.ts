import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BaselineRecord } from '../../src/core/baseline.js';
import { BaselineWriter, readBaseline, readBaselineHeader } from '../../src/state/baseline-file.js';
import { tempDir } from '../helpers/files.js';

const record = (key: string, size = 1): BaselineRecord => ({ key, path1: { size, mtimeMs: 1000 }, path2: { size, mtimeMs: 2000, etag: 'e' } });
const pair = { path1: './dir', path2: 's3://bucket/p/', filters: 'none' };

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('the baseline file', () => {
  it('reads nothing and no header where there is no baseline yet (a first run)', async () => {
    const path = join(await tempDir('baseline'), 'missing.ndjson');
    expect(await readBaselineHeader(path)).toBeUndefined();
    expect(await collect(readBaseline(path))).toEqual([]);
  });

  it('writes records in key order and reads them back as a stream, with the header naming the pair', async () => {
    const path = join(await tempDir('baseline'), 'pair.ndjson');
    const writer = await BaselineWriter.create(path, pair);
    const keys = Array.from({ length: 2500 }, (_, i) => `k${String(i).padStart(5, '0')}`);
    for (const key of keys) await writer.write(record(key));
    await writer.commit();
    expect(await readBaselineHeader(path)).toMatchObject({ type: 's3kit-bisync-baseline', version: 1, ...pair });
    const read = await collect(readBaseline(path));
    expect(read.map((r) => r.key)).toEqual(keys);
    expect(read[0]).toEqual(record(keys[0]!));
  });

  it('commit keeps the previous baseline as .prev; discard leaves the current one and no temporary file', async () => {
    const dir = await tempDir('baseline');
    const path = join(dir, 'pair.ndjson');
    const first = await BaselineWriter.create(path, pair);
    await first.write(record('a'));
    await first.commit();
    const second = await BaselineWriter.create(path, pair);
    await second.write(record('b'));
    await second.commit();
    expect((await collect(readBaseline(path))).map((r) => r.key)).toEqual(['b']);
    expect((await collect(readBaseline(`${path}.prev`))).map((r) => r.key)).toEqual(['a']);
    const third = await BaselineWriter.create(path, pair);
    await third.write(record('c'));
    await third.discard();
    expect((await collect(readBaseline(path))).map((r) => r.key)).toEqual(['b']);
    expect((await readdir(dir)).sort()).toEqual(['pair.ndjson', 'pair.ndjson.prev']);
  });

  it('refuses records out of key order', async () => {
    const writer = await BaselineWriter.create(join(await tempDir('baseline'), 'pair.ndjson'), pair);
    await writer.write(record('b'));
    await expect(writer.write(record('a'))).rejects.toThrow(/out of key order/);
    await expect(writer.write(record('b'))).rejects.toThrow(/out of key order/);
    await writer.discard();
  });

  it.each([
    ['not JSON', 'nonsense\n', /first line is not JSON/],
    ['another file', '{"type":"plan"}\n', /not an s3kit bisync baseline/],
    ['a newer version', '{"type":"s3kit-bisync-baseline","version":9}\n', /version 9 is not supported/],
    ['a damaged record', '{"type":"s3kit-bisync-baseline","version":1}\n{"key":"a"}\n', /line 2 is not a baseline record/],
  ])('refuses %s, saying how to rebuild', async (_what, text, message) => {
    const path = join(await tempDir('baseline'), 'pair.ndjson');
    await writeFile(path, text);
    await expect(collect(readBaseline(path))).rejects.toThrow(message);
    await expect(collect(readBaseline(path))).rejects.toThrow(/resync/);
    expect(await readFile(path, 'utf8')).toBe(text);
  });
});
