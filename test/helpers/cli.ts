import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 's3kit.js');

const STATE_HOME = mkdtempSync(join(tmpdir(), 's3kit-state-home-'));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Every output of every run, so a test can assert that no secret was ever printed. */
export const allOutput: string[] = [];

/**
 * The environment of a spawned s3kit: credentials and endpoint of the test server, a HOME with
 * no AWS config, and instance metadata disabled so the SDK's credential chain never leaves
 * loopback.
 */
export function cliEnv(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const s3 = inject('s3');
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: '/nonexistent-s3kit-home',
    // Resume records of CLI runs go to a directory of the test run's own.
    XDG_STATE_HOME: STATE_HOME,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_ENDPOINT_URL: s3.endpoint,
    AWS_REGION: s3.region,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Runs the built `s3kit` bin and collects its exit code and output. */
export function s3kit(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: options.env ?? cliEnv(), cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      allOutput.push(stdout, stderr);
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Starts `s3kit` and sends `signal` (SIGINT: Ctrl-C) once `when(stdoutSoFar)` holds; resolves
 * with the outcome.
 */
export function s3kitInterrupted(
  args: readonly string[],
  when: (stdout: string) => boolean,
  env = cliEnv(),
  signal: NodeJS.Signals = 'SIGINT',
  /** Also check `when` every this many ms, for conditions outside stdout. */
  pollMs?: number,
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!sent && when(stdout)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const poll =
      pollMs === undefined
        ? undefined
        : setInterval(() => {
            if (!sent && when(stdout)) {
              sent = true;
              child.kill(signal);
            }
          }, pollMs);
    child.on('close', (code) => {
      if (poll !== undefined) clearInterval(poll);
      allOutput.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}
