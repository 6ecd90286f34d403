import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../helpers/files.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../scripts/check-deps.mjs', import.meta.url));

/** Runs the check on a tree of src/ files; resolves with its exit code and output. */
async function check(files: Record<string, string>): Promise<{ code: number; output: string }> {
  const root = await tempDir('check-deps');
  await writeTree(root, Object.fromEntries(Object.entries(files).map(([path, text]) => [`src/${path}`, text])));
  try {
    const { stdout, stderr } = await run(process.execPath, [script, root]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('scripts/check-deps.mjs', () => {
  it('passes imports the rooms table allows, type-only ones where only types are allowed', async () => {
    const result = await check({
      'core/errors.ts': 'export class E extends Error {}\n',
      'state/store.ts': "import { E } from '../core/errors.js';\nexport interface Store { e: E }\nexport function update() {}\n",
      'transfer/a.ts': "import type { Store } from '../state/store.js';\nimport { type Store as S } from '../state/store.js';\nexport type { Store } from '../state/store.js';\n",
      'cli/main.ts': "import {\n  thing,\n  type Other,\n} from 's3kit';\n",
      'index.ts': "export { update } from './state/store.js';\n",
    });
    expect(result).toMatchObject({ code: 0 });
  });

  it('fails, naming each import that breaks the table, multi-line ones included', async () => {
    const result = await check({
      'core/location.ts': "import { stat } from 'node:fs/promises';\nexport const x = 1;\n",
      'core/path.ts': "import { TransferError } from './errors.js';\nexport function p() {\n  throw new TransferError('get', 'k', 'no');\n}\n",
      'core/errors.ts': 'export class TransferError extends Error {}\n',
      'state/store.ts': 'export function update() {}\nexport interface Store {}\n',
      'transfer/a.ts': "import {\n  update,\n  type Store,\n} from '../state/store.js';\n",
      'jobs/run.ts': "/* import x from '../transfer/a.js'; */\nimport type { Store } from '../transfer/a.js';\n",
      'cli/main.ts': "import { update } from '../state/store.js';\n",
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain("src/core/location.ts:1  core does I/O: imports 'node:fs/promises'");
    expect(result.output).toContain('src/core/path.ts:3  core throws a TransferError');
    expect(result.output).toContain("src/transfer/a.ts:1  transfer → state (value import of '../state/store.js'): transfer may import only types from state");
    expect(result.output).toContain("src/jobs/run.ts:2  jobs → transfer (type import of '../transfer/a.js')");
    expect(result.output).toContain('src/cli/main.ts:1  cli → state');
    expect(result.output).toContain('5 import(s)');
  });
});
