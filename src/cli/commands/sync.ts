import { Command } from 'commander';
import type { FilterRule } from 's3kit';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit-code-table.js';
import { addSyncCommandFlags, type SyncCommandFlags } from '../sync-flags.js';

const EXAMPLES = `
Examples:
  s3kit sync ./site s3://my-bucket/www
  s3kit sync ./site s3://my-bucket/www --delete --max-delete 10%
  s3kit sync ./photos s3://archive/photos --exclude '*.tmp' --include 'keep.tmp' --storage-class STANDARD_IA
  s3kit sync . s3://my-bucket/src --ignore-file-name .gitignore --dryrun
  s3kit sync ./data s3://bucket/data --endpoint-url http://127.0.0.1:7480 --json
  s3kit sync s3://my-bucket/www ./www-backup --delete             # download
  s3kit sync s3://bucket-a/data s3://bucket-b/data                 # server-side copy
  s3kit sync s3://src/data s3://dst/data --source-endpoint-url https://minio.example:9000 --source-profile minio`;

/** `s3kit sync <source> <target>`. */
export function syncCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const rules: FilterRule[] = [];
  const command = new Command('sync')
    .description('make the target hold what the source holds: local → S3, S3 → local, S3 → S3')
    .argument('<source>', 'a local directory or s3://bucket/prefix')
    .argument('<target>', 's3://bucket/prefix or a local directory');
  addSyncCommandFlags(command, rules);
  return command.addHelpText('after', `${EXAMPLES}\n${EXIT_CODES_HELP}`).action(async (source: string, target: string, flags: SyncCommandFlags) => {
    // Loaded here, not at the top: `s3kit sync --help` need not load the reporters (cli-progress).
    const { runSync, syncRequestOf } = await import('../run-sync.js');
    setExitCode(await runSync(context, syncRequestOf(context, source, target, flags, rules)));
  });
}
