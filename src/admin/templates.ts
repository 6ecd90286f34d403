import { ConfigError } from '../core/errors.js';
import { LIFECYCLE_TEMPLATES } from './lifecycle-templates.js';
import { POLICY_TEMPLATES } from './policy-templates.js';
import { nearest, show, throwIfErrors } from './problems.js';
import type {
  DefinedParameter,
  RenderedLifecycleTemplate,
  RenderedPolicyTemplate,
  RenderedTemplate,
  RenderTemplateOptions,
  TemplateDefinition,
  TemplateInfo,
  TemplateParameter,
  TemplateValue,
} from './template-types.js';
import { validateBucketPolicy } from './validate-bucket-policy.js';
import { validateLifecycle } from './validate-lifecycle.js';

const TEMPLATES: readonly TemplateDefinition[] = [...LIFECYCLE_TEMPLATES, ...POLICY_TEMPLATES];

/**
 * The lifecycle and bucket-policy templates shipped with the package, lifecycle ones first.
 * @public
 */
export function listTemplates(): TemplateInfo[] {
  return TEMPLATES.map(describe);
}

/**
 * The template of this name; a ConfigError (with the nearest name) when there is none.
 * @public
 */
export function getTemplate(name: string): TemplateInfo {
  return describe(definition(name));
}

/**
 * Renders a template with parameter values into a lifecycle configuration or bucket policy that
 * passes its validator. Values may be strings as a command line gives them (`--set days=30`,
 * `--set cidrs=203.0.113.0/24,198.51.100.7`): numbers are parsed and lists split at commas.
 *
 * Throws a ConfigError for an unknown template or parameter, a missing required value (naming the
 * parameter and `--set name=value`), a value of the wrong type or out of range, and a policy
 * template without `options.bucket`.
 * @public
 */
export function renderTemplate(name: string, values: Readonly<Record<string, TemplateValue>> = {}, options: RenderTemplateOptions = {}): RenderedTemplate {
  const template = definition(name);
  const resolved = resolveValues(template, values);
  if (template.kind === 'lifecycle') {
    const document = template.render(resolved);
    const problems = validateLifecycle(document);
    throwIfErrors(problems, `lifecycle configuration rendered from template "${name}"`);
    return { name, kind: 'lifecycle', document, values: resolved, warnings: problems };
  }
  const bucket = options.bucket;
  if (typeof bucket !== 'string' || !/^[^\s/*?:]+$/.test(bucket)) {
    throw new ConfigError('bucket', `The policy template "${name}" needs the bucket the policy is for (options.bucket; on the command line, the s3://bucket argument), got ${show(bucket)}.`);
  }
  const document = template.render(resolved, bucket);
  const problems = validateBucketPolicy(document, { bucket });
  throwIfErrors(problems, `bucket policy rendered from template "${name}"`);
  return { name, kind: 'policy', document, values: resolved, warnings: problems };
}

/**
 * {@link renderTemplate} for a lifecycle template: what `lifecycle apply --template NAME` needs.
 * A ConfigError when the template is a policy template.
 * @public
 */
export function renderLifecycleTemplate(name: string, values: Readonly<Record<string, TemplateValue>> = {}): RenderedLifecycleTemplate {
  const rendered = renderTemplate(expectKind(name, 'lifecycle'), values);
  return rendered as RenderedLifecycleTemplate;
}

/**
 * {@link renderTemplate} for a policy template: what `policy apply s3://bucket --template NAME`
 * needs. A ConfigError when the template is a lifecycle template.
 * @public
 */
export function renderPolicyTemplate(name: string, values: Readonly<Record<string, TemplateValue>>, options: RenderTemplateOptions & { readonly bucket: string }): RenderedPolicyTemplate {
  const rendered = renderTemplate(expectKind(name, 'policy'), values, options);
  return rendered as RenderedPolicyTemplate;
}

function expectKind(name: string, kind: TemplateDefinition['kind']): string {
  const template = definition(name);
  if (template.kind !== kind) {
    const others = TEMPLATES.filter((candidate) => candidate.kind === kind).map((candidate) => candidate.name);
    throw new ConfigError('template', `The template ${JSON.stringify(name)} makes a ${template.kind === 'policy' ? 'bucket policy' : 'lifecycle configuration'}, not a ${kind === 'policy' ? 'bucket policy' : 'lifecycle configuration'}; the ${kind} templates are ${others.join(', ')}.`);
  }
  return name;
}

function definition(name: string): TemplateDefinition {
  const found = TEMPLATES.find((template) => template.name === name);
  if (found !== undefined) return found;
  const close = nearest(name, TEMPLATES.map((template) => template.name));
  throw new ConfigError(
    'template',
    `There is no template ${JSON.stringify(name)}${close === undefined ? '' : ` (did you mean ${JSON.stringify(close)}?)`}; the templates are ${TEMPLATES.map((template) => template.name).join(', ')}.`,
  );
}

/** The public description: the definition without its render function and parameter checks. */
function describe(template: TemplateDefinition): TemplateInfo {
  return {
    name: template.name,
    kind: template.kind,
    description: template.description,
    parameters: template.parameters.map(({ check: _check, ...parameter }): TemplateParameter => parameter),
  };
}

/** Every parameter's value: given (coerced and checked) or its default; unknown names refused. */
function resolveValues(template: TemplateDefinition, values: Readonly<Record<string, TemplateValue>>): Record<string, TemplateValue> {
  const names = template.parameters.map((parameter) => parameter.name);
  for (const given of Object.keys(values)) {
    if (names.includes(given)) continue;
    const close = nearest(given, names);
    throw new ConfigError(
      given,
      `The template "${template.name}" has no parameter ${JSON.stringify(given)}${close === undefined ? '' : ` (did you mean ${JSON.stringify(close)}?)`}; its parameters are ${names.length === 0 ? 'none' : names.join(', ')}.`,
    );
  }
  const resolved: Record<string, TemplateValue> = {};
  for (const parameter of template.parameters) {
    const given = Object.hasOwn(values, parameter.name) ? values[parameter.name] : undefined;
    if (given === undefined) {
      if (parameter.required) {
        throw new ConfigError(
          parameter.name,
          `The template "${template.name}" needs the parameter "${parameter.name}" (${parameter.description.replace(/\.$/, '')}); give it with --set ${parameter.name}=value (in code: renderTemplate("${template.name}", { ${parameter.name}: ... })).`,
        );
      }
      if (parameter.default !== undefined) resolved[parameter.name] = parameter.default;
      continue;
    }
    resolved[parameter.name] = coerce(template.name, parameter, given);
  }
  return resolved;
}

function coerce(templateName: string, parameter: DefinedParameter, given: TemplateValue): TemplateValue {
  const fail = (what: string): never => {
    throw new ConfigError(parameter.name, `The parameter "${parameter.name}" of template "${templateName}" ${what}, got ${show(given)}.`);
  };
  let value: TemplateValue;
  if (parameter.type === 'number') {
    const number = typeof given === 'number' ? given : typeof given === 'string' && /^\s*\d+\s*$/.test(given) ? Number(given) : NaN;
    if (!Number.isSafeInteger(number)) fail('must be a whole number');
    if (parameter.minimum !== undefined && number < parameter.minimum) fail(`must be at least ${parameter.minimum}`);
    if (parameter.maximum !== undefined && number > parameter.maximum) fail(`must be at most ${parameter.maximum}`);
    value = number;
  } else if (parameter.type === 'string[]') {
    if (typeof given === 'string') value = given.split(',').map((part) => part.trim()).filter((part) => part !== '');
    else if (Array.isArray(given) && given.every((part) => typeof part === 'string')) value = given.map((part: string) => part.trim()).filter((part: string) => part !== '');
    else value = fail('must be a list of strings (comma-separated on a command line)');
  } else {
    if (typeof given !== 'string') fail('must be a string');
    value = given;
    if (parameter.choices !== undefined && !parameter.choices.includes(given as string)) fail(`must be one of ${parameter.choices.join(', ')}`);
  }
  const problem = parameter.check?.(value);
  if (problem !== undefined) fail(problem);
  return value;
}
