/*
 * The endpoint a plan file records, and how `apply` compares it with the one it would use: a
 * plan reviewed against one service must not be applied to another. Shared by sync plans and
 * restore plans.
 */

/** A plan file is shared and reviewed: an endpoint's URL password (which S3 signing never uses) stays out of it. */
export function withoutPassword(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  try {
    const url = new URL(endpoint);
    if (url.password === '') return endpoint;
    url.password = '';
    return url.toString().replace(/\/$/, endpoint.endsWith('/') ? '/' : '');
  } catch {
    return endpoint;
  }
}

/** An endpoint without its user part (plan files keep no URL password), for comparing two. */
export function endpointHost(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`;
  } catch {
    return endpoint;
  }
}

/** The refusal when `apply` would run against another endpoint than the plan's, or undefined when they agree. */
export function endpointMismatch(planned: string | undefined, current: string | undefined): string | undefined {
  if (current === undefined || endpointHost(current) === endpointHost(planned)) return undefined;
  return (
    `the plan was made against ${planned ?? 'the AWS endpoint of the region'}, but this apply would run against ${current} ` +
    '(--endpoint-url or AWS_ENDPOINT_URL): apply it with the same endpoint, or make a new plan.'
  );
}
