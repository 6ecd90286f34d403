import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { CliContext } from './context.js';
import { EXIT_CODES_HELP, ExitCode } from './exit-code-table.js';

/** Builds one command: its flags, help and action. */
type CommandFactory = (context: CliContext, setExitCode: (code: number) => void) => Command;

/**
 * Every command, by the name a user types, in `--help` order, each loaded only when needed: a
 * command module pulls in the library (the AWS SDK) and its own dependencies (yaml, zod,
 * date-fns, cli-progress), so `s3kit --version` loads none and `s3kit sync …` loads only sync's.
 * Adding a command is one line here; the module stays under commands/.
 */
const COMMANDS: Readonly<Record<string, () => Promise<CommandFactory>>> = {
  sync: async () => (await import('./commands/sync.js')).syncCommand,
  plan: async () => (await import('./commands/plan.js')).planCommand,
  apply: async () => (await import('./commands/apply.js')).applyCommand,
  check: async () => (await import('./commands/check.js')).checkCommand,
  presign: async () => (await import('./commands/presign.js')).presignCommand,
  run: async () => (await import('./commands/jobs.js')).runCommand,
  status: async () => (await import('./commands/jobs.js')).statusCommand,
  doctor: async () => (await import('./commands/jobs.js')).doctorCommand,
  'clear-logs': async () => (await import('./commands/jobs.js')).clearLogsCommand,
  schema: async () => (await import('./commands/jobs.js')).schemaCommand,
  strategies: async () => (await import('./commands/jobs.js')).strategiesCommand,
  uploads: async () => (await import('./commands/uploads.js')).uploadsCommand,
  bucket: async () => (await import('./commands/bucket.js')).bucketCommand,
  lifecycle: async () => (await import('./commands/documents.js')).lifecycleCommand,
  policy: async () => (await import('./commands/documents.js')).policyCommand,
  templates: async () => (await import('./commands/templates.js')).templatesCommand,
  backup: async () => (await import('./commands/backup.js')).backupCommand,
  versions: async () => (await import('./commands/versions.js')).versionsCommand,
  restore: async () => (await import('./commands/versions.js')).restoreCommand,
  bisync: async () => (await import('./commands/bisync.js')).bisyncCommand,
  batch: async () => (await import('./commands/batch.js')).batchCommand,
  cost: async () => (await import('./commands/cost.js')).costCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
};

/**
 * The commands `argv` can reach: the one it names, none for a bare `--version`, and every one
 * otherwise (the overview `--help`, `help <command>`, and a misspelt command, which commander
 * answers with the nearest name).
 */
export function commandsFor(argv: readonly string[]): readonly string[] {
  // The program itself takes no option with a value, so the first word that is not a flag is
  // the command.
  const first = argv.find((word) => !word.startsWith('-'));
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) return [first];
  if (first === undefined && argv.some((word) => word === '-V' || word === '--version')) return [];
  return Object.keys(COMMANDS);
}

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
    .addHelpText('after', `\nRun s3kit <command> --help for the flags and examples of each command.\n${EXIT_CODES_HELP}`)
    .showSuggestionAfterError(true)
    // Options belong to the command they follow: `cost s3://b --json` and `cost estimate --json`
    // are the options of two commands, which commander only tells apart with positional options
    // turned on from the top (the program's own options, -V and -h, come first anyway).
    .enablePositionalOptions();
  for (const name of commandsFor(argv)) program.addCommand((await COMMANDS[name]!())(context, setExitCode));
  const configure = (command: Command): void => {
    command
      .exitOverride()
      .configureOutput({
        writeOut: (text) => stdout.write(text),
        writeErr: (text) => stderr.write(text),
        outputError: (text, write) => write(`s3kit: ${withLongerFlagSuggested(command, text.replace(/^error: /, ''))}`),
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

/**
 * Commander suggests a flag within two edits of an unknown one; a flag typed short of a longer
 * one (`--endpoint` for `--endpoint-url`, as rclone and s5cmd users may write) is further than
 * that, so it is suggested here when exactly one of the command's flags begins with it.
 */
function withLongerFlagSuggested(command: Command, text: string): string {
  const unknown = /^unknown option '(--[^=']+)[^']*'\n$/.exec(text)?.[1];
  if (unknown === undefined) return text;
  const longer = command.options.flatMap((option) => (option.long?.startsWith(`${unknown}-`) === true ? [option.long] : []));
  return longer.length === 1 ? `${text.slice(0, -1)}\n(Did you mean ${longer[0]}?)\n` : text;
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
