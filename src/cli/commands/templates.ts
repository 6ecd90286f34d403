import { Command, InvalidArgumentError } from 'commander';
import { getTemplate, listTemplates, renderTemplate, type TemplateInfo } from 's3kit/admin';
import { collectSet, jsonText, printProblems } from '../admin-values.js';
import type { CliContext } from '../context.js';
import { describeError } from '../describe-error.js';
import { exitCodeForError, ExitCode } from '../exit-codes.js';

const SHOW_EXAMPLES = `
Examples:
  s3kit templates show transition-to-standard-ia --set days=45 --set prefix=logs/
  s3kit templates show tls-only --bucket my-bucket > tls-only.json
  s3kit templates show restrict-to-ip --bucket my-bucket --set cidrs=203.0.113.0/24,198.51.100.7

The JSON printed is what lifecycle apply and policy apply take as FILE (or use --template there).`;

/** `s3kit templates list|show`: the lifecycle and bucket-policy templates shipped with s3kit. */
export function templatesCommand(context: CliContext, setExitCode: (code: number) => void): Command {
  const { stdout, stderr } = context.streams;
  const templates = new Command('templates').description('lifecycle and bucket-policy templates shipped with s3kit: list them, or render one as JSON');
  const list = new Command('list').description('every template with its parameters').action(() => {
    for (const template of listTemplates()) stdout.write(templateText(template));
    setExitCode(ExitCode.ok);
  });
  const show = new Command('show')
    .description('print a template rendered as JSON (policy templates need --bucket)')
    .argument('<name>', 'the template, e.g. tls-only or transition-to-glacier')
    .option('--set <key=value>', 'a parameter value (repeatable; lists comma-separated)', collectSet)
    .option('--bucket <bucket>', 'the bucket a policy template is for (its resources name it)')
    .option('--debug', 'print stack traces of errors')
    .addHelpText('after', SHOW_EXAMPLES)
    .action((name: string, flags: { set?: Record<string, string>; bucket?: string; debug?: boolean }) => {
      try {
        const template = getTemplate(name);
        if (template.kind === 'policy' && flags.bucket === undefined) {
          throw new InvalidArgumentError(`the policy template "${name}" needs --bucket BUCKET: its statements name the bucket's ARNs.`);
        }
        const rendered = renderTemplate(name, flags.set ?? {}, flags.bucket === undefined ? {} : { bucket: flags.bucket.replace(/^s3:\/\//, '').replace(/\/$/, '') });
        printProblems(rendered.warnings, context.streams, `template ${name}`);
        stdout.write(jsonText(rendered.document));
        setExitCode(ExitCode.ok);
      } catch (error) {
        if (error instanceof InvalidArgumentError) throw error;
        stderr.write(`s3kit: ${describeError(error, flags.debug === true).replace(/options\.bucket; on the command line, the s3:\/\/bucket argument/, '--bucket')}\n`);
        setExitCode(exitCodeForError(error));
      }
    });
  return templates.addCommand(list).addCommand(show);
}

function templateText(template: TemplateInfo): string {
  const lines = [`${template.name}  (${template.kind})`, `  ${template.description}`];
  for (const parameter of template.parameters) {
    const fallback = parameter.required ? 'required' : parameter.default === undefined ? 'optional' : `default ${JSON.stringify(parameter.default)}`;
    lines.push(`    --set ${parameter.name}=…  ${parameter.description} (${fallback})`);
  }
  return `${lines.join('\n')}\n\n`;
}
