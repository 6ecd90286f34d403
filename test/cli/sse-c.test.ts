import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { s3kit, type CliResult } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { createTestBucket, testClient } from '../helpers/s3.js';

/*
 * The key must never be printed or saved: every output and plan file of these runs is searched
 * for it in every form it could take (raw bytes, base64, hex). A key of printable ASCII is used
 * so that its raw form is a string a log could hold.
 */

const KEY_TEXT = `k3y-${randomBytes(14).toString('hex')}`; // 32 ASCII characters: a valid AES-256 key as aws-cli takes it
const KEY = Buffer.from(KEY_TEXT, 'utf8');
const OTHER = randomBytes(32);
const FORMS = [KEY_TEXT, KEY.toString('base64'), KEY.toString('hex'), OTHER.toString('base64'), OTHER.toString('hex'), OTHER.toString('latin1')];

function expectNoKey(...texts: string[]): void {
  for (const text of texts) for (const form of FORMS) expect(text.includes(form), `output holds a form of the key: ${form.slice(0, 6)}…`).toBe(false);
}

function outputOf(result: CliResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

describe('s3kit --sse-c', () => {
  let bucket: string;
  let root: string;
  let dir: string;
  let keyFile: string;
  let otherKeyFile: string;

  beforeAll(async () => {
    bucket = await createTestBucket('cli-ssec');
    root = await tempDir('cli-ssec');
    dir = await tempDir('cli-ssec-files');
    await writeTree(root, { 'a.txt': 'secret content a', 'b/c.txt': 'secret content c' });
    keyFile = join(dir, 'key.bin');
    otherKeyFile = join(dir, 'other.bin');
    await writeFile(keyFile, KEY);
    await writeFile(otherKeyFile, OTHER);
  });

  it('sync --sse-c AES256 --sse-c-key fileb:// encrypts the uploads; --json and text output never hold the key', async () => {
    const result = await s3kit(['sync', root, `s3://${bucket}/enc/`, '--sse-c', 'AES256', '--sse-c-key', `fileb://${keyFile}`, '--json', '--debug']);
    expect(result.code, result.stderr).toBe(0);
    expectNoKey(outputOf(result));
    await expect(testClient().send(new GetObjectCommand({ Bucket: bucket, Key: 'enc/a.txt' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    const again = await s3kit(['sync', root, `s3://${bucket}/enc/`, '--sse-c', '--sse-c-key', KEY_TEXT]);
    expect(again.code, again.stderr).toBe(0);
    expectNoKey(outputOf(again));
  });

  it('a download with the wrong key fails per file (exit 1) without printing either key; with the right one it writes the plaintext', async () => {
    const target = await tempDir('cli-ssec-down');
    const wrong = await s3kit(['sync', `s3://${bucket}/enc/`, target, '--sse-c', '--sse-c-key', `fileb://${otherKeyFile}`, '--json', '--debug']);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/"event":"failed"/);
    expectNoKey(outputOf(wrong));
    const right = await s3kit(['sync', `s3://${bucket}/enc/`, target, '--sse-c', '--sse-c-key', `fileb://${keyFile}`]);
    expect(right.code, right.stderr).toBe(0);
    expect(await readFile(join(target, 'b/c.txt'), 'utf8')).toBe('secret content c');
    expectNoKey(outputOf(right));
  });

  it('a plan file records the key’s MD5, never the key; apply insists on the same key', async () => {
    await writeFile(join(root, 'new.txt'), 'new');
    const planned = await s3kit(['plan', root, `s3://${bucket}/enc/`, '--sse-c', '--sse-c-key', `fileb://${keyFile}`, '--json']);
    expect(planned.code, planned.stderr).toBe(0);
    expectNoKey(outputOf(planned));
    expect(JSON.parse(planned.stdout.split('\n')[0]!).settings.sseCustomerKeyMd5).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    const planFile = join(dir, 'plan.ndjson');
    await writeFile(planFile, planned.stdout);
    const without = await s3kit(['apply', planFile]);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/plan was made with an SSE-C key: give it again/);
    const other = await s3kit(['apply', planFile, '--sse-c', '--sse-c-key', `fileb://${otherKeyFile}`]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/not the one the plan was made with/);
    expectNoKey(outputOf(without), outputOf(other));
    const applied = await s3kit(['apply', planFile, '--sse-c', '--sse-c-key', `fileb://${keyFile}`, '--json']);
    expect(applied.code, applied.stderr).toBe(0);
    expectNoKey(outputOf(applied));
    await expect(testClient().send(new GetObjectCommand({ Bucket: bucket, Key: 'enc/new.txt' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('refuses a key of the wrong length (exit 2), naming the length, not the key; and --sse-c without a key', async () => {
    const short = await s3kit(['sync', root, `s3://${bucket}/short/`, '--sse-c', '--sse-c-key', 'abcdefghijklmnop']);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/32 bytes.*got 16 bytes/);
    expect(short.stderr).not.toContain('abcdefghijklmnop');
    const missing = await s3kit(['sync', root, `s3://${bucket}/short/`, '--sse-c']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--sse-c needs the key/);
  });
});
