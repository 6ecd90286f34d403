import { main } from './main.js';
import { ExitCode } from './exit-codes.js';

/**
 * The process wrapper of the command line: wires Ctrl-C to an AbortSignal (a second Ctrl-C
 * quits at once) and sets the exit code.
 */
export async function runCli(): Promise<void> {
  // s3kit supports Node 20; the SDK's notice that its future releases will not is noise on
  // every command. Users who want it back set the variable to anything but "true".
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const interrupt = new AbortController();
  const onSigint = (): void => {
    if (interrupt.signal.aborted) process.exit(ExitCode.interrupted);
    interrupt.abort(new Error('interrupted'));
  };
  // `s3kit plan … | head`: a reader that stops early is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    process.exitCode = await main(process.argv.slice(2), {
      streams: { stdout: process.stdout, stderr: process.stderr },
      env: process.env,
      signal: interrupt.signal,
    });
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
