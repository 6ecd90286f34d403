import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { applyCommand } from './commands/apply.js';
import { backupCommand } from './commands/backup.js';
import { bisyncCommand } from './commands/bisync.js';
import { bucketCommand } from './commands/bucket.js';
import { checkCommand } from './commands/check.js';
import { lifecycleCommand, policyCommand } from './commands/documents.js';
import { planCommand } from './commands/plan.js';
import { presignCommand } from './commands/presign.js';
import { clearLogsCommand, doctorCommand, runCommand, schemaCommand, statusCommand, strategiesCommand } from './commands/jobs.js';
import { syncCommand } from './commands/sync.js';
import { templatesCommand } from './commands/templates.js';
import { uploadsCommand } from './commands/uploads.js';
import { restoreCommand, versionsCommand } from './commands/versions.js';
import type { CliContext } from './context.js';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes.js';

/**
 * Runs the `s3kit` command line with `argv` (without `node` and the script) and returns the
 * exit code; never calls `process.exit`.
 */
export async function main(argv: readonly string[], context: CliContext): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  const { stdout, stderr } = context.streams;
  const program = new Command('s3kit')
    .description('Keep local directories and S3 buckets in sync.')
    .version(packageVersion(), '-V, --version')
    .addCommand(syncCommand(context, setExitCode))
    .addCommand(planCommand(context, setExitCode))
    .addCommand(applyCommand(context, setExitCode))
    .addCommand(checkCommand(context, setExitCode))
    .addCommand(bisyncCommand(context, setExitCode))
    .addCommand(presignCommand(context, setExitCode))
    .addCommand(runCommand(context, setExitCode))
    .addCommand(statusCommand(context, setExitCode))
    .addCommand(doctorCommand(context, setExitCode))
    .addCommand(clearLogsCommand(context, setExitCode))
    .addCommand(schemaCommand(context, setExitCode))
    .addCommand(strategiesCommand(context, setExitCode))
    .addCommand(uploadsCommand(context, setExitCode))
    .addCommand(bucketCommand(context, setExitCode))
    .addCommand(lifecycleCommand(context, setExitCode))
    .addCommand(policyCommand(context, setExitCode))
    .addCommand(templatesCommand(context, setExitCode))
    .addCommand(backupCommand(context, setExitCode))
    .addCommand(versionsCommand(context, setExitCode))
    .addCommand(restoreCommand(context, setExitCode))
    .addHelpText('after', `\nRun s3kit <command> --help for the flags and examples of each command.\n${EXIT_CODES_HELP}`)
    .showSuggestionAfterError(true);
  const configure = (command: Command): void => {
    command
      .exitOverride()
      .configureOutput({
        writeOut: (text) => stdout.write(text),
        writeErr: (text) => stderr.write(text),
        outputError: (text, write) => write(`s3kit: ${text.replace(/^error: /, '')}`),
      })
      .showHelpAfterError(`(run "${commandPath(command)} --help" for usage)`);
    for (const sub of command.commands) configure(sub);
  };
  configure(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    // A value refused inside an action (flags checked together, e.g. --sse-kms-key-id without
    // --sse) arrives here unprinted; commander has printed every other CommanderError.
    if (error instanceof InvalidArgumentError) {
      stderr.write(`s3kit: ${error.message}\n`);
      return ExitCode.usage;
    }
    if (error instanceof CommanderError) {
      // Help and version exit 0; every parse error is a usage error.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    throw error;
  }
  return exitCode;
}

/** `s3kit uploads abort`: the words a user types to reach `command`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

function packageVersion(): string {
  // dist/cli.js → ../package.json, in this repository and in the published package alike; the
  // source (src/cli/main.ts, which tests run in-process) is one directory deeper.
  const require = createRequire(import.meta.url);
  try {
    return (require('../package.json') as { version: string }).version;
  } catch {
    return (require('../../package.json') as { version: string }).version;
  }
}
