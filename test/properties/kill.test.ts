import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/files.js';
import { createTestBucket, getObjectBytes, listObjects, testClient } from '../helpers/s3.js';
import { propertyBudget } from './parameters.js';

/*
 * kill -9 at a random moment of a real `s3kit sync` (upload or download, small files and one
 * uploaded in parts), then a plain re-run. After the kill: no partial file at a destination path,
 * no multipart upload the state file does not record. After the re-run: both sides equal, and
 * no upload left at all.
 */

const budget = propertyBudget();
const MiB = 1024 * 1024;

function runCli(args: readonly string[], killAfterMs: number | undefined): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(), stdio: 'ignore' });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(guard);
      resolve(code);
    });
  });
}

async function localFiles(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.set(relative(root, path), createHash('sha256').update(await readFile(path)).digest('hex'));
    }
  };
  await walk(root).catch(() => undefined);
  return files;
}

const caseArbitrary = fc.record({
  direction: fc.constantFrom('upload', 'download'),
  files: fc.uniqueArray(fc.record({ name: fc.constantFrom('a.txt', 'b/c.txt', 'b/d e.txt', 'z.bin', 'é.txt'), size: fc.integer({ min: 0, max: 40_000 }) }), {
    minLength: 1,
    maxLength: 4,
    selector: (file) => file.name,
  }),
  big: fc.boolean(),
  killAfterMs: fc.integer({ min: 150, max: 1_800 }),
});

describe('kill -9 at a random moment', () => {
  it(
    'leaves no partial file and no unrecorded multipart upload, and a re-run converges',
    async () => {
      console.log(`[properties] kill: seed ${budget.seed} (replay: S3KIT_PROPERTY_SEED=${budget.seed})`);
      await fc.assert(
        fc.asyncProperty(caseArbitrary, async ({ direction, files, big, killAfterMs }) => {
          const bucket = await createTestBucket('prop-kill');
          const local = await tempDir('prop-kill');
          const stateFile = join(await tempDir('prop-kill-state'), 'state.json');
          const tree: Record<string, Buffer> = {};
          for (const [index, file] of files.entries()) tree[file.name] = Buffer.alloc(file.size, index + 1);
          if (big) tree['big.bin'] = Buffer.alloc(12 * MiB, 7);
          const partFlags = ['--multipart-threshold', '5MB', '--part-size', '5MB', '--state-file', stateFile];
          let args: string[];
          let destination: string;
          if (direction === 'upload') {
            await writeTree(local, tree);
            args = ['sync', local, `s3://${bucket}/p`, ...partFlags];
            destination = '';
          } else {
            const seed = await tempDir('prop-kill-seed');
            await writeTree(seed, tree);
            expect(await runCli(['sync', seed, `s3://${bucket}/p`, ...partFlags], undefined)).toBe(0);
            args = ['sync', `s3://${bucket}/p`, local, ...partFlags];
            destination = local;
          }

          await runCli(args, killAfterMs);
          const expected = new Map(Object.entries(tree).map(([name, body]) => [name, createHash('sha256').update(body).digest('hex')]));
          if (direction === 'download') {
            // Every file at a destination path is whole; temp files are not destination paths.
            for (const [path, hash] of await localFiles(destination)) {
              if (/(^|\/)\.s3kit-[0-9a-f]{12}\.part$/.test(path)) continue;
              expect(hash, `partial file at ${path}`).toBe(expected.get(path));
            }
          } else {
            const recorded = await readFile(stateFile, 'utf8').catch(() => '');
            const open = (await testClient().send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];
            for (const upload of open) expect(recorded, `unrecorded upload of ${upload.Key}`).toContain(upload.UploadId!);
            for (const [key] of await listObjects(bucket, 'p/')) {
              const hash = createHash('sha256').update(await getObjectBytes(bucket, key)).digest('hex');
              expect(hash, `partial object ${key}`).toBe(expected.get(key.slice(2)));
            }
          }

          expect(await runCli(args, undefined)).toBe(0);
          if (direction === 'download') {
            const after = await localFiles(destination);
            for (const [path] of after) expect(path).not.toMatch(/\.s3kit-[0-9a-f]{12}\.part$/);
            expect(after).toEqual(expected);
          } else {
            const objects = new Map<string, string>();
            for (const [key] of await listObjects(bucket, 'p/')) objects.set(key.slice(2), createHash('sha256').update(await getObjectBytes(bucket, key)).digest('hex'));
            expect(objects).toEqual(expected);
            expect((await testClient().send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);
          }
        }),
        budget.parameters(4),
      );
    },
    budget.testTimeoutMs + 120_000,
  );
});
