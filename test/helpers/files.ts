import { mkdir, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A fresh temporary directory. */
export function tempDir(label = 'tree'): Promise<string> {
  return mkdtemp(join(tmpdir(), `s3kit-${label}-`));
}

/** Writes files (relative path → content) under `root`, creating directories. */
export async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const absolute = join(root, path);
    await mkdir(dirname(absolute), { recursive: true });
    await writeFile(absolute, content);
  }
}

/** Sets a file's mtime (and atime) to `date`. */
export async function setMtime(path: string, date: Date): Promise<void> {
  await utimes(path, date, date);
}
