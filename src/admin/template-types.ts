import type { LifecycleConfigurationDocument } from './lifecycle-document.js';
import type { BucketPolicyDocument } from './policy-document.js';
import type { ValidationProblem } from './problems.js';

/**
 * What a template produces: a lifecycle configuration or a bucket policy.
 * @public
 */
export type TemplateKind = 'lifecycle' | 'policy';

/**
 * A parameter value: a string, a whole number, or a list of strings. From a command line every
 * value is a string: numbers are parsed and a list is split at commas.
 * @public
 */
export type TemplateValue = string | number | readonly string[];

/**
 * One parameter of a template.
 * @public
 */
export interface TemplateParameter {
  /** The name, as given to `--set name=value`. */
  readonly name: string;
  /** What it means, for `s3kit templates show`. */
  readonly description: string;
  /** `number` parameters are whole numbers; `string[]` is a list (comma-separated on a command line). */
  readonly type: 'string' | 'number' | 'string[]';
  /** True when there is no default and rendering needs a value. */
  readonly required: boolean;
  /**
   * The value used when none is given.
   * @defaultValue `undefined` (the element it fills is left out, or the parameter is required)
   */
  readonly default?: TemplateValue;
  /** The smallest value a `number` parameter takes. */
  readonly minimum?: number;
  /** The largest value a `number` parameter takes. */
  readonly maximum?: number;
  /** The values a `string` parameter may take, when they are few. */
  readonly choices?: readonly string[];
}

/**
 * A template as {@link listTemplates} describes it.
 * @public
 */
export interface TemplateInfo {
  /** The name, e.g. `transition-to-glacier` or `tls-only`. */
  readonly name: string;
  readonly kind: TemplateKind;
  /** What it does, in a sentence or two. */
  readonly description: string;
  readonly parameters: readonly TemplateParameter[];
}

/**
 * Options of {@link renderTemplate}.
 * @public
 */
export interface RenderTemplateOptions {
  /**
   * The bucket the document is for. Policy templates need it (their resources are the bucket's ARNs).
   * @defaultValue `undefined` (enough for lifecycle templates)
   */
  readonly bucket?: string;
}

/**
 * A rendered lifecycle template.
 * @public
 */
export interface RenderedLifecycleTemplate {
  readonly name: string;
  readonly kind: 'lifecycle';
  /** The configuration, ready for PutBucketLifecycleConfiguration (`LifecycleConfiguration`). */
  readonly document: LifecycleConfigurationDocument;
  /** The parameter values used, defaults included. */
  readonly values: Readonly<Record<string, TemplateValue>>;
  /** The validator's warnings about the document (never errors: those throw). */
  readonly warnings: readonly ValidationProblem[];
}

/**
 * A rendered policy template.
 * @public
 */
export interface RenderedPolicyTemplate {
  readonly name: string;
  readonly kind: 'policy';
  /** The policy statements, ready to merge into the bucket's policy ({@link mergeBucketPolicy}). */
  readonly document: BucketPolicyDocument;
  /** The parameter values used, defaults included. */
  readonly values: Readonly<Record<string, TemplateValue>>;
  /** The validator's warnings about the document (never errors: those throw). */
  readonly warnings: readonly ValidationProblem[];
}

/**
 * What {@link renderTemplate} returns.
 * @public
 */
export type RenderedTemplate = RenderedLifecycleTemplate | RenderedPolicyTemplate;

/**
 * A parameter as a template defines it: with a check of its value beyond type and range, which
 * returns what is wrong (for a ConfigError naming the parameter) or undefined.
 */
export interface DefinedParameter extends TemplateParameter {
  check?(value: TemplateValue): string | undefined;
}

interface DefinedTemplate extends TemplateInfo {
  readonly parameters: readonly DefinedParameter[];
}

/** A template as the registry holds it: its description and how it renders (values complete and checked). */
export type TemplateDefinition =
  | (DefinedTemplate & { readonly kind: 'lifecycle'; render(values: Readonly<Record<string, TemplateValue>>): LifecycleConfigurationDocument })
  | (DefinedTemplate & { readonly kind: 'policy'; render(values: Readonly<Record<string, TemplateValue>>, bucket: string): BucketPolicyDocument });
