import { stat } from 'node:fs/promises';
import { ConfigError } from '../core/errors.js';
import type { LocalLocation } from '../core/location.js';

// Here rather than beside parseLocation: core/ does no I/O, and the local walk is what needs
// the directory to exist.

/**
 * Throws a {@link ConfigError} naming `field` unless `location` is an existing directory.
 * @public
 */
export async function assertLocalDirectory(location: LocalLocation, field: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(location.path)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`;
    throw new ConfigError(field, `${field} directory ${location.path} ${what}: check the path.`, { cause: error });
  }
  if (!isDirectory) {
    throw new ConfigError(field, `${field} ${location.path} is a file, not a directory: give the directory that holds it.`);
  }
}
