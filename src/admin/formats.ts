/** Formats the validators and the template parameters agree on. */

/** A 12-digit AWS account ID. */
export const ACCOUNT_ID = /^\d{12}$/;
/**
 * An IAM principal ARN a bucket policy may name: an account's root, user, role, assumed role or
 * federated user, or a CloudFront origin access identity (`arn:aws:iam::cloudfront:user/…`).
 */
export const IAM_PRINCIPAL_ARN = /^arn:aws(-cn|-us-gov)?:(iam::(\d{12}|cloudfront):(root|user\/.+|role\/.+|federated-user\/.+)|sts::\d{12}:(assumed-role\/.+|federated-user\/.+))$/;
/** An IPv4 address or CIDR range. */
export const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/(3[0-2]|[12]?\d))?$/;
/** An IPv6 address or CIDR range (loosely: hex groups and colons, at least one colon). */
export const IPV6_CIDR = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*(\/(12[0-8]|1[01]\d|[1-9]?\d))?$/;
/** A VPC endpoint ID. */
export const VPC_ENDPOINT = /^vpce-[0-9a-f]{8,17}$/;
