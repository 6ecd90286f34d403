import { Writable } from 'node:stream';
import { inject, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { cliEnv } from './cli.js';

/*
 * The CLI run in this process through main(argv, context), for tests where spawning is not the
 * point (coverage sees this process only).
 */

/** A stream that keeps what is written, and says it is not a terminal. */
export class Capture extends Writable {
  text = '';
  readonly isTTY = false;
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** Exit code and output of one in-process run. */
export interface InProcessOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `s3kit argv` in this process with the test server's environment (or `env`). */
export async function runMain(
  argv: readonly string[],
  options: { readonly env?: Record<string, string | undefined>; readonly signal?: AbortSignal; readonly printed?: string[] } = {},
): Promise<InProcessOutcome> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(argv, { streams: { stdout, stderr }, env: options.env ?? cliEnv(), signal: options.signal });
  options.printed?.push(stdout.text, stderr.text);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * The SDK in this process reads process.env for credentials: the test server's keys, no AWS
 * config files, no profile, no instance metadata (traffic stays on loopback). Call in beforeAll.
 */
export function stubTestCredentials(): void {
  const s3 = inject('s3');
  vi.stubEnv('AWS_ACCESS_KEY_ID', s3.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', s3.secretAccessKey);
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent-s3kit-home/config');
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent-s3kit-home/credentials');
  vi.stubEnv('AWS_PROFILE', undefined);
}
