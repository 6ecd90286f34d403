/**
 * The one rule for keeping credentials out of logs, state files and the console. A value is a
 * secret when it comes from an environment variable or a config field whose name says so
 * ({@link isSecretName}), or when it is the password of a URL (`http://user:password@host`).
 */

/** What a secret is replaced with. */
export const REDACTED = '***';

/**
 * Names (environment variables, config fields) whose values are credentials:
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `secretAccessKey`, `sessionToken`, `*_PASSWORD`,
 * `*_API_KEY`, `*_PRIVATE_KEY`, `*_CREDENTIALS`, SSE-C keys (`sseCustomerKey`, `SSE_C_KEY`)… Matching is by substring, case-insensitive, with
 * no word boundary so that camelCase (`sessionToken`) and snake_case (`SESSION_TOKEN`) both match.
 */
const SECRET_NAME = /secret|token|passw(?:or)?d|passphrase|credential|private_?key|api_?key|customer_?key|sse_?c_?key/i;

/**
 * Values shorter than this are not treated as secrets: masking `1` or `on` everywhere would
 * make every log line unreadable, and no credential is that short.
 */
const MIN_SECRET_LENGTH = 4;

/** `scheme://userinfo@`, up to the first `/`, `?`, `#`, whitespace or quote. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]+)@/gi;

/**
 * True when a variable or field named `name` holds a credential.
 * @public
 */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * The values of an environment's variables that hold credentials ({@link isSecretName}).
 * @public
 */
export function secretValuesOf(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value !== undefined && isSecretName(name))
    .map(([, value]) => value!);
}

/** The password of every URL in `text` (the whole userinfo when it has no password). */
export function urlPasswordsIn(text: string): string[] {
  return [...text.matchAll(URL_USERINFO)].map(([, , userinfo]) => {
    const colon = userinfo!.indexOf(':');
    return colon === -1 ? userinfo! : userinfo!.slice(colon + 1);
  });
}

/**
 * A function that returns `text` with every one of `secrets` replaced by `***`, and the password
 * of every URL masked (`http://user:***@host`; a userinfo without a password becomes `***@`).
 * Apply it to every string bound for a log, a state file or the console.
 * @public
 */
export function createRedactor(secrets: Iterable<string | undefined>): (text: string) => string {
  // Longest first, so a secret that contains another is masked whole.
  const values = [...new Set([...secrets].filter((value): value is string => value !== undefined && value.length >= MIN_SECRET_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => {
    let result = text;
    for (const value of values) result = result.split(value).join(REDACTED);
    return result.replace(URL_USERINFO, (_whole, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon === -1 ? `${scheme}${REDACTED}@` : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
    });
  };
}
