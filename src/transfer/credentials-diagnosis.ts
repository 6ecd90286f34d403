import { S3Client } from '@aws-sdk/client-s3';
import type { S3ConnectionOptions } from './s3-client.js';

/**
 * Says why the SDK's default credential chain found no credentials: a profile that does not
 * exist, a `credential_process` that failed or returned expired credentials. The chain itself
 * reports only "Could not load credentials from any providers"; each provider's reason is in
 * its debug log, so the chain is run once more with a logger that keeps those lines.
 * Returns one sentence without secrets (the process's command line is never repeated).
 * @public
 */
export async function diagnoseCredentials(options: Pick<S3ConnectionOptions, 'profile' | 'region'> = {}): Promise<string> {
  const reasons: string[] = [];
  const keep = (...parts: unknown[]): void => {
    const line = parts.map(String).join(' ');
    // "@smithy/property-provider -> <reason>": one line per provider that passed.
    const match = /@smithy\/property-provider (?:->|\(!\)) ([\s\S]*)/.exec(line);
    if (match !== null) reasons.push(match[1]!);
  };
  const logger = { trace: () => {}, debug: keep, info: () => {}, warn: () => {}, error: () => {} };
  const client = new S3Client({ profile: options.profile, region: options.region ?? 'us-east-1', logger });
  try {
    await client.config.credentials();
    return 'the credentials were found on a second look; try again.';
  } catch {
    return credentialsSentence(reasons, options.profile !== undefined);
  } finally {
    client.destroy();
  }
}

/** The sentence for the reasons the credential providers gave, most specific first. */
export function credentialsSentence(reasons: readonly string[], profileGiven = false): string {
  // Without a profile asked for (option or AWS_PROFILE), the SDK looks for "default" anyway;
  // its absence then is no news.
  const chosen = profileGiven || reasons.some((reason) => reason.startsWith('AWS_PROFILE is set'));
  for (const reason of reasons) {
    const missing = /^Profile (.+) could not be found/.exec(reason);
    if (missing !== null && (chosen || missing[1] !== 'default')) {
      return `the profile "${missing[1]}" is not in ~/.aws/config or ~/.aws/credentials (or the files AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name): check its name (the profile option, or AWS_PROFILE).`;
    }
    const expired = /^Profile (.+) credential_process returned expired credentials/.exec(reason);
    if (expired !== null) {
      return `the credential_process of profile "${expired[1]}" returned expired credentials: renew them (log in again) and retry.`;
    }
    const unusable = /^Profile (.+) credential_process (returned invalid JSON|did not return Version 1|returned invalid credentials)/.exec(reason);
    if (unusable !== null) return `the credential_process of profile "${unusable[1]}" ${unusable[2]}: run it by hand to see what it prints.`;
    const failed = /^Command failed: [^\n]*\n?([\s\S]*)$/.exec(reason);
    if (failed !== null) {
      const said = failed[1]!.trim().split('\n')[0]?.slice(0, 200) ?? '';
      return `the profile's credential_process failed${said === '' ? '' : ` and said: ${said}`}; run it by hand to see why.`;
    }
  }
  return 'no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, choose a profile, or pass credentials.';
}
