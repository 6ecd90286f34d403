import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/core/action.js';
import { ConfigError, PlanMismatchError } from '../../src/core/errors.js';
import { planFileHeader, readPlanLines, verifyAgainstPlan } from '../../src/plan/plan-file.js';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function drain(actions: AsyncIterable<Action>): Promise<string[]> {
  const keys: string[] = [];
  for await (const action of actions) keys.push(action.key);
  return keys;
}

const entry = (key: string, size = 1, mtimeMs = 1000, etag?: string) => ({ key, size, mtimeMs, etag });
const copy = (key: string, size = 1): Action => ({ type: 'copy', key, reason: 'missing-in-target', source: entry(key, size) });
const skip = (key: string, etag = 'e1'): Action => ({ type: 'skip', key, reason: 'target-not-older', source: entry(key), target: entry(key, 1, 500, etag) });
const del = (key: string): Action => ({ type: 'delete', key, reason: 'missing-in-source', target: entry(key) });

describe('verifyAgainstPlan', () => {
  it('passes an identical plan through', async () => {
    const plan = [copy('a'), skip('b'), del('c')];
    expect(await drain(verifyAgainstPlan(from(plan), from(structuredClone(plan))))).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['a source size changed', [copy('a', 2)], [copy('a', 1)], /"a": the source changed since the plan was made \(1 B.* → 2 B/],
    ['a target ETag changed', [skip('b', 'e2')], [skip('b', 'e1')], /"b": the target changed since the plan was made/],
    ['the action changed', [skip('a')], [copy('a')], /"a": the plan says copy \(missing-in-target\) but it is now skip \(target-not-older\)/],
    ['a key vanished', [copy('b')], [copy('a'), copy('b')], /"a": the plan has copy "a", which is no longer there/],
    ['a key appeared', [copy('a'), copy('b')], [copy('b')], /"a": the source now has copy "a", which the plan does not/],
    ['a key appeared at the end', [copy('a'), del('z')], [copy('a')], /"z": the target now has delete "z"/],
    ['the plan has more at the end', [copy('a')], [copy('a'), copy('b')], /"b": the plan has copy "b", which is no longer there/],
  ])('refuses when %s', async (_name, fresh, saved, message) => {
    const error = await drain(verifyAgainstPlan(from(fresh as Action[]), from(saved as Action[]))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanMismatchError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('readPlanLines', () => {
  it('reads the header and the actions, ignoring the summary line', async () => {
    const header = planFileHeader('/src', 's3://b/p/', { delete: true });
    const lines = [JSON.stringify(header), JSON.stringify({ type: 'action', action: copy('a') }), '', JSON.stringify({ type: 'summary' })];
    const plan = await readPlanLines(from(lines));
    expect(plan.header).toMatchObject({ type: 'plan', version: 1, source: '/src', target: 's3://b/p/', settings: { delete: true } });
    expect(await drain(plan.actions)).toEqual(['a']);
  });

  it('reads a header whose multipartCopyThreshold is 0 (every non-empty object copied in parts), as the flag allows', async () => {
    const header = planFileHeader('s3://a/', 's3://b/', { multipartCopyThreshold: 0 });
    const plan = await readPlanLines(from([JSON.stringify(header)]));
    expect(plan.header.settings).toMatchObject({ multipartCopyThreshold: 0 });
  });

  it('keeps a bandwidth limit recorded by `plan --bwlimit`, and refuses one that is not a positive number', async () => {
    const header = planFileHeader('/src', 's3://b/p/', { bandwidthLimit: 1048576, concurrency: 2 });
    expect((await readPlanLines(from([JSON.stringify(header)]))).header.settings).toEqual({ bandwidthLimit: 1048576, concurrency: 2 });
    const bad = planFileHeader('/src', 's3://b/p/', { bandwidthLimit: '1M' });
    await expect(readPlanLines(from([JSON.stringify(bad)]))).rejects.toThrow(/setting "bandwidthLimit" is invalid/);
  });

  it.each([
    [[], /not an s3kit plan file/],
    [['{"type":"other"}'], /not an s3kit plan file/],
    [['not json'], /line 1 is not JSON/],
    [[JSON.stringify({ ...planFileHeader('a', 'b', {}), version: 99 })], /version 99 is not supported/],
  ])('rejects %j', async (lines, message) => {
    const error = await readPlanLines(from(lines as string[])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });
});
