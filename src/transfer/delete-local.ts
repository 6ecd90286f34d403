import { unlink } from 'node:fs/promises';
import type { Entry } from '../core/entry.js';
import { TransferError } from '../core/errors.js';
import { localPathForKey } from './local-key-path.js';
import { checkPathBelowRoot } from './local-destination.js';

/**
 * Deletes one local file of a sync target; a file already gone counts as deleted. `root` is the
 * destination's real path. A symbolic link anywhere below it on the key's path (the file itself
 * included) fails with `SymlinkInPath` and nothing is deleted: the target walk never lists
 * through links, so a link there now was put there since.
 */
export async function deleteLocalFile(root: string, entry: Entry): Promise<void> {
  const path = localPathForKey(root, entry.key);
  // Residual race: a directory swapped for a link between this check and unlink() (see
  // local-destination.ts).
  await checkPathBelowRoot(root, path, { operation: 'delete', key: entry.key, create: false });
  try {
    await unlink(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new TransferError('delete', entry.key, `cannot delete ${path} (${code ?? String(error)}).`, { code, cause: error });
  }
}
