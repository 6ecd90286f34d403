/** Removes the quotes S3 puts around ETags (radosgw omits them in some responses). */
export function stripEtagQuotes(etag: string | undefined): string | undefined {
  if (etag === undefined) return undefined;
  return etag.replace(/^"+|"+$/g, '') || undefined;
}
