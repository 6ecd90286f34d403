/**
 * s3kit/admin: bucket administration as library code. Validators for lifecycle configurations and
 * bucket policies (AWS's documented rules; every problem names its JSON path, the value and the
 * fix), templates that render documents which pass them, and a merge of policy statements by Sid.
 * Pure: nothing here makes a request.
 *
 * @packageDocumentation
 */
export { validateLifecycle, assertValidLifecycle } from './validate-lifecycle.js';
export { validateBucketPolicy, assertValidBucketPolicy } from './validate-bucket-policy.js';
export type { BucketPolicyOptions } from './validate-bucket-policy.js';
export { formatProblem } from './problems.js';
export type { ValidationProblem } from './problems.js';
export { mergeBucketPolicy } from './merge-bucket-policy.js';
export type { MergedBucketPolicy } from './merge-bucket-policy.js';
export { listTemplates, getTemplate, renderTemplate, renderLifecycleTemplate, renderPolicyTemplate } from './templates.js';
export type {
  TemplateKind,
  TemplateValue,
  TemplateParameter,
  TemplateInfo,
  RenderTemplateOptions,
  RenderedTemplate,
  RenderedLifecycleTemplate,
  RenderedPolicyTemplate,
} from './template-types.js';
export type { LifecycleConfigurationDocument, LifecycleRule, LifecycleFilter, LifecycleTag } from './lifecycle-document.js';
export type { BucketPolicyDocument, PolicyStatement, PolicyPrincipal } from './policy-document.js';
export type { TransitionStorageClass } from './storage-classes.js';
