import { lstat, mkdir, readdir, readFile, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobLog } from '../../src/jobs/job-log.js';
import { tempDir, writeTree } from '../helpers/files.js';

describe('JobLog.clear', () => {
  it('with removeDirectory removes only s3kit log files and keeps a directory that holds anything else', async () => {
    // logDirectory: . — the log directory is the config directory, with the user's data in it.
    const dir = await tempDir('log-shared');
    await writeTree(dir, {
      's3kit.yaml': 'jobs: []',
      's3kit-state.json': '{}',
      'data/photo.jpg': 'the only copy',
      's3kit-2025-01.log': 'old log',
      's3kit-2025-02.log': 'log',
      'notes.log': 'not ours',
      's3kit-2025-02.log.bak': 'not ours either',
    });
    await mkdir(join(dir, 's3kit-2025-03.log')); // a directory named like a log is not a log file
    const removed = await new JobLog(dir).clear({ removeDirectory: true });
    expect(removed).toEqual(['s3kit-2025-01.log', 's3kit-2025-02.log']);
    expect((await readdir(dir)).sort()).toEqual(['data', 'notes.log', 's3kit-2025-02.log.bak', 's3kit-2025-03.log', 's3kit-state.json', 's3kit.yaml']);
    expect(await readFile(join(dir, 'data/photo.jpg'), 'utf8')).toBe('the only copy');
  });

  it('with removeDirectory removes a directory that held only s3kit logs', async () => {
    const parent = await tempDir('log-own');
    const dir = join(parent, 'logs');
    await writeTree(dir, { 's3kit-2025-01.log': 'a' });
    expect(await new JobLog(dir).clear({ removeDirectory: true })).toEqual(['s3kit-2025-01.log']);
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    // A missing directory is already clear.
    expect(await new JobLog(dir).clear({ removeDirectory: true })).toEqual([]);
  });

  it('with removeDirectory keeps a log directory that is a symbolic link (and what it points to)', async () => {
    const parent = await tempDir('log-link');
    await writeTree(parent, { 'real/s3kit-2025-01.log': 'a' });
    await symlink(join(parent, 'real'), join(parent, 'logs'));
    expect(await new JobLog(join(parent, 'logs')).clear({ removeDirectory: true })).toEqual(['s3kit-2025-01.log']);
    expect((await lstat(join(parent, 'logs'))).isSymbolicLink()).toBe(true);
    expect(await readdir(join(parent, 'real'))).toEqual([]);
  });
});
