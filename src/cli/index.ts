import { main } from './main.js';
import { ExitCode } from './exit-code-table.js';

/** How long a command may take to wind down after SIGINT or SIGTERM before s3kit exits anyway. */
const SIGNAL_GRACE_MS = 5_000;

/**
 * The process wrapper of the command line: wires Ctrl-C to an AbortSignal (a second Ctrl-C
 * quits at once) and sets the exit code.
 */
export async function runCli(): Promise<void> {
  // s3kit supports Node 20; the SDK's notice that its future releases will not is noise on
  // every command. Users who want it back set the variable to anything but "true".
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const interrupt = new AbortController();
  let signalCode: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    signalCode = signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
    if (interrupt.signal.aborted) process.exit(signalCode);
    interrupt.abort(new Error(`interrupted by ${signal}`));
    // Commands stop on the signal; one that waits on a silent endpoint (a request past its
    // abort, a credential provider) must not keep the user waiting: what sync keeps for the
    // next run (resume records, no partial files) is already on disk. Unref'd: a command that
    // finishes sooner exits as usual.
    setTimeout(() => process.exit(signalCode), SIGNAL_GRACE_MS).unref();
  };
  // `s3kit plan … | head`: a reader that stops early is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const code = await main(process.argv.slice(2), {
      streams: { stdout: process.stdout, stderr: process.stderr },
      env: process.env,
      signal: interrupt.signal,
    });
    // A command cut short by a signal exits with the signal's code (128 + its number).
    process.exitCode = signalCode !== undefined && code !== ExitCode.ok ? signalCode : code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
