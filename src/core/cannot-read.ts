/**
 * The sentence for a file s3kit could not read: `cannot read the config file s3kit.yaml (ENOENT)`.
 * The system code says why (missing, denied, a directory) without the stack of the fs error.
 */
export function cannotRead(what: string, error: unknown): string {
  return `cannot read ${what} (${(error as NodeJS.ErrnoException | undefined)?.code ?? String(error)})`;
}
