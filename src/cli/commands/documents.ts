import { Command, InvalidArgumentError } from 'commander';
import { createS3Client, escapeText } from 's3kit';
import {
  applyBucketSetup,
  planBucketLifecycle,
  planBucketPolicy,
  readBucketSetting,
  renderLifecycleTemplate,
  renderPolicyTemplate,
  validateBucketPolicy,
  validateLifecycle,
  type BucketChange,
  type BucketPolicyDocument,
  type BucketSetting,
  type DocumentPlan,
  type LifecycleConfigurationDocument,
  type ValidationProblem,
} from 's3kit/admin';
import { bucketOf, collectSet, jsonText, printProblems, readJsonFile } from '../admin-values.js';
import type { CliContext } from '../context.js';
import { reportCommandError } from '../describe-error.js';
import { ExitCode } from '../exit-codes.js';
import { addConnectionFlags, addDryRunFlags, connectionOptions, type ConnectionFlags } from '../sync-flags.js';

/*
 * `s3kit lifecycle validate|show|apply` and `s3kit policy validate|show|apply`: the same three
 * commands over two kinds of document, described by a Kind.
 */

type S3Client = ReturnType<typeof createS3Client>;

interface Kind<D> {
  readonly name: 'lifecycle' | 'policy';
  /** As sentences name it: `lifecycle configuration`, `bucket policy`. */
  readonly noun: string;
  /** What the merge matches on: `rule ID`, `statement Sid`. */
  readonly key: string;
  readonly setting: 'lifecycle' | 'policy';
  validate(document: unknown, bucket: string | undefined): ValidationProblem[];
  render(template: string, values: Record<string, string>, bucket: string): { document: D; warnings: readonly ValidationProblem[] };
  plan(client: S3Client, bucket: string, document: D, signal: AbortSignal | undefined): Promise<DocumentPlan<BucketChange>>;
  examples: string;
}

const LIFECYCLE: Kind<LifecycleConfigurationDocument> = {
  name: 'lifecycle',
  noun: 'lifecycle configuration',
  key: 'rule ID',
  setting: 'lifecycle',
  validate: (document) => validateLifecycle(document),
  render: (template, values) => renderLifecycleTemplate(template, values),
  plan: (client, bucket, document, signal) => planBucketLifecycle(client, bucket, document, { signal }),
  examples: `
Examples:
  s3kit lifecycle validate rules.json
  s3kit lifecycle show s3://my-bucket > rules.json
  s3kit lifecycle apply s3://my-bucket rules.json --dryrun
  s3kit lifecycle apply s3://my-bucket --template transition-to-standard-ia --set days=45 --set prefix=logs/

apply merges the rules into the bucket's configuration by ID: a rule of the same ID is replaced,
the others are kept (S3 would otherwise replace the whole configuration).`,
};

const POLICY: Kind<BucketPolicyDocument> = {
  name: 'policy',
  noun: 'bucket policy',
  key: 'statement Sid',
  setting: 'policy',
  validate: (document, bucket) => validateBucketPolicy(document, { bucket: bucket ?? bucketOfPolicy(document) }),
  render: (template, values, bucket) => renderPolicyTemplate(template, values, { bucket }),
  plan: (client, bucket, document, signal) => planBucketPolicy(client, bucket, document, { signal }),
  examples: `
Examples:
  s3kit policy validate policy.json --bucket my-bucket
  s3kit policy show s3://my-bucket
  s3kit policy apply s3://my-bucket --template tls-only --dryrun
  s3kit policy apply s3://my-bucket --template read-only --set principals=111122223333
  s3kit policy apply s3://my-bucket policy.json

apply merges the statements into the bucket's policy by Sid: a statement of the same Sid is
replaced, the others are kept. Every statement applied needs a Sid.`,
};

/** `s3kit lifecycle validate|show|apply`. */
export function lifecycleCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  return documentCommand(LIFECYCLE, "validate, show or apply a bucket's lifecycle rules (merged by ID, never replaced)", context, setExitCode);
}

/** `s3kit policy validate|show|apply`. */
export function policyCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  return documentCommand(POLICY, "validate, show or apply a bucket policy (statements merged by Sid, never replaced)", context, setExitCode);
}

type Flags = ConnectionFlags & { template?: string; set?: Record<string, string>; bucket?: string; dryrun?: boolean; debug?: boolean };

function documentCommand<D>(kind: Kind<D>, description: string, context: CliContext, setExitCode: (code: number) => void): Command {
  const { stdout, stderr } = context.streams;
  const fail = async (error: unknown, flags: Flags): Promise<void> => {
    if (error instanceof InvalidArgumentError) throw error;
    if (context.signal?.aborted === true) return setExitCode(ExitCode.interrupted);
    setExitCode((await reportCommandError(stderr, error, connectionOptions(flags, context.env), flags.debug === true)).code);
  };
  /** Prints every problem; true when there is an error (then the exit code is set to 2). */
  const refused = (problems: readonly ValidationProblem[], source: string): boolean => {
    const errors = printProblems(problems, context.streams, source);
    if (errors === 0) return false;
    stderr.write(`s3kit: ${escapeText(source)}: ${errors} error(s) in the ${kind.noun}; nothing was sent.\n`);
    setExitCode(ExitCode.usage);
    return true;
  };

  const validate = new Command('validate')
    .description(`check a ${kind.noun} file against AWS's documented rules: every problem with its JSON path, value and fix; exit 2 on errors`)
    .argument('<file>', `the ${kind.noun} as JSON`)
    .option('--debug', 'print stack traces of errors');
  if (kind.name === 'policy') validate.option('--bucket <bucket>', "the bucket the policy is for (default: the bucket of the policy's first Resource ARN)");
  validate.action(async (file: string, flags: Flags) => {
    try {
      const document = await readJsonFile(file);
      const problems = kind.validate(document, flags.bucket?.replace(/^s3:\/\//, '').replace(/\/$/, ''));
      if (refused(problems, file)) return;
      const warnings = problems.length;
      stdout.write(`${escapeText(file)}: a valid ${kind.noun}${warnings > 0 ? ` (${warnings} warning(s), above)` : ''}.\n`);
      setExitCode(ExitCode.ok);
    } catch (error) {
      await fail(error, flags);
    }
  });

  const show = new Command('show')
    .description(`print the bucket's ${kind.noun} as JSON (what apply takes as FILE)`)
    .argument('<s3-url>', 's3://bucket')
    .option('--debug', 'print stack traces of errors');
  addConnectionFlags(show).action(async (url: string, flags: Flags) => {
    try {
      const bucket = bucketOf(url);
      const setting = (await readBucketSetting(createS3Client(connectionOptions(flags, context.env)), bucket, kind.setting, { signal: context.signal })) as BucketSetting<unknown>;
      if (setting.status === 'set') {
        stdout.write(jsonText(setting.value));
        setExitCode(ExitCode.ok);
      } else if (setting.status === 'not-set') {
        stderr.write(`s3://${bucket} has no ${kind.noun}.\n`);
        setExitCode(ExitCode.ok);
      } else {
        stderr.write(`s3kit: ${kind.noun}: not supported by this server (${setting.reason})\n`);
        setExitCode(ExitCode.failures);
      }
    } catch (error) {
      await fail(error, flags);
    }
  });

  const apply = new Command('apply')
    .description(`validate, then merge into the bucket's ${kind.noun} (by ${kind.key}) and apply; prints what is added, replaced and unchanged`)
    .argument('<s3-url>', 's3://bucket')
    .argument('[file]', `the ${kind.noun} as JSON (or --template)`)
    .option('--template <name>', 'a template instead of a file (s3kit templates list)')
    .option('--set <key=value>', 'a template parameter (repeatable)', collectSet);
  addDryRunFlags(apply, 'validate and print what would change; change nothing');
  apply.option('--debug', 'print stack traces of errors');
  addConnectionFlags(apply)
    .addHelpText('after', kind.examples)
    .action(async (url: string, file: string | undefined, flags: Flags) => {
      try {
        if ((file === undefined) === (flags.template === undefined)) throw new InvalidArgumentError(`give a ${kind.noun} FILE or --template NAME (one of them).`);
        if (flags.set !== undefined && flags.template === undefined) throw new InvalidArgumentError('--set gives template parameters: use it with --template.');
        const bucket = bucketOf(url);
        let document: D;
        let source: string;
        if (file !== undefined) {
          source = file;
          const parsed = await readJsonFile(file);
          if (refused(kind.validate(parsed, bucket), source)) return;
          document = parsed as D;
        } else {
          source = `template ${flags.template!}`;
          const rendered = kind.render(flags.template!, flags.set ?? {}, bucket);
          printProblems(rendered.warnings, context.streams, source);
          document = rendered.document;
        }
        const client = createS3Client(connectionOptions(flags, context.env));
        const plan = await kind.plan(client, bucket, document, context.signal);
        const ids = (list: readonly string[]): string => (list.length === 0 ? 'none' : list.map((id) => escapeText(id)).join(', '));
        stdout.write(`${kind.noun} of s3://${bucket}: added ${ids(plan.added)}; replaced ${ids(plan.replaced)}; unchanged ${ids(plan.unchanged)}.\n`);
        if (plan.change === undefined) {
          stdout.write('Nothing to change.\n');
          setExitCode(ExitCode.ok);
          return;
        }
        if (flags.dryrun === true) {
          stdout.write('(dry run: nothing was changed)\n');
          setExitCode(ExitCode.ok);
          return;
        }
        const [result] = await applyBucketSetup(client, bucket, [plan.change], { signal: context.signal });
        if (result!.outcome === 'applied') {
          stdout.write(`Applied.\n`);
          setExitCode(ExitCode.ok);
        } else if (result!.outcome === 'not-supported') {
          stderr.write(`s3kit: ${kind.noun}: ${result!.reason ?? 'not supported by this server.'}\n`);
          setExitCode(ExitCode.failures);
        } else {
          await fail(result!.error, flags);
        }
      } catch (error) {
        await fail(error, flags);
      }
    });
  return new Command(kind.name).description(description).addCommand(validate).addCommand(show).addCommand(apply);
}

/** The bucket of a policy's first `arn:aws:s3:::bucket…` Resource, for `policy validate` without --bucket. */
function bucketOfPolicy(document: unknown): string {
  const statements = (document as { Statement?: unknown } | null)?.Statement;
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    const resource = (statement as { Resource?: unknown } | null)?.Resource;
    for (const arn of Array.isArray(resource) ? resource : [resource]) {
      const match = typeof arn === 'string' ? /^arn:aws[\w-]*:s3:::([^/*?]+)/.exec(arn) : null;
      if (match !== null) return match[1]!;
    }
  }
  throw new InvalidArgumentError('give --bucket BUCKET: the policy names no arn:aws:s3:::bucket resource to take it from.');
}
