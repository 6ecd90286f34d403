import { unlink } from 'node:fs/promises';
import type { Entry } from '../core/entry.js';
import { TransferError } from '../core/errors.js';
import { localPathForKey } from '../core/local-path.js';

/** Deletes one local file of a sync target; a file already gone counts as deleted. */
export async function deleteLocalFile(root: string, entry: Entry): Promise<void> {
  const path = localPathForKey(root, entry.key);
  try {
    await unlink(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new TransferError('delete', entry.key, `cannot delete ${path} (${code ?? String(error)}).`, { code, cause: error });
  }
}
