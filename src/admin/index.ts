/**
 * s3kit/admin: bucket administration as library code. Validators for lifecycle configurations and
 * bucket policies (AWS's documented rules; every problem names its JSON path, the value and the
 * fix), templates that render documents which pass them, merges of policy statements by Sid and
 * lifecycle rules by ID (pure), and the calls that read a bucket's settings and set it up
 * idempotently (describeBucket, planBucketSetup, applyBucketSetup; they take an S3Client, e.g.
 * from the root's createS3Client).
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
export { mergeLifecycleRules } from './merge-lifecycle.js';
export type { MergedLifecycle } from './merge-lifecycle.js';
export { describeBucket, readBucketSetting } from './describe-bucket.js';
export type { BucketRequestOptions } from './describe-bucket.js';
export type {
  BucketDescription,
  BucketSetting,
  BucketSettingName,
  BucketEncryption,
  PublicAccessBlock,
  BucketLogging,
  ObjectOwnership,
} from './bucket-description.js';
export { planBucketSetup, applyBucketSetup, planBucketPolicy, planBucketLifecycle } from './bucket-setup.js';
export type {
  BucketSetupWanted,
  BucketSetupPlan,
  BucketChangeBase,
  BucketChange,
  VersioningChange,
  EncryptionChange,
  PublicAccessBlockChange,
  PolicyChange,
  LifecycleChange,
  LoggingChange,
  DocumentPlan,
  ApplyBucketSetupOptions,
  BucketChangeResult,
} from './bucket-setup.js';
export { BucketRequestError } from './bucket-request-error.js';

// The root's types that this entry point's signatures name, re-exported (the same types, not
// copies) so that its API is complete on its own.
export type { S3kitError, S3Location } from '../index.js';
export { estimateStorageCost } from './cost-estimate.js';
export type { CostEstimateInput, CostEstimate } from './cost-estimate.js';
export { estimateBucketCost, BucketCostAggregator } from './bucket-cost.js';
export type { BucketCost, BucketCostOptions, ClassCost, LifecycleSaving } from './bucket-cost.js';
export { DEFAULT_PRICE_TABLE, validatePriceTable } from './price-table.js';
export type { PriceTable, ClassPrices, PricedStorageClass } from './price-table.js';
export { UsageAggregator, reportUsage, usageCsv, prefixAtDepth, ageBandOf, AGE_BANDS } from './usage-report.js';
export type { AgeBand, UsageCount, PrefixUsage, UsageCell, UsageReport, UsageOptions } from './usage-report.js';
export { batchManifestLine, batchSourceObject, batchTargetKeyPrefix } from './batch-manifest.js';
export { submitCopyJob, describeBatchJob, readBatchReport } from './batch-jobs.js';
export type {
  SubmitCopyJobOptions,
  SubmittedJob,
  BatchJobStatus,
  DescribeBatchJobOptions,
  BatchTaskFailure,
  BatchReportSummary,
} from './batch-jobs.js';
