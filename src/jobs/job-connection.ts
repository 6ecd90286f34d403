import type { JobConfig } from '../config/config-schema.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { S3ConnectionOptions } from '../index.js';

/**
 * The connection a job uses: its own `connection` block over the config's defaults, over the
 * caller's base (command-line flags, environment, credentials for tests).
 */
export function jobConnection(job: JobConfig, config: LoadedConfig, base: S3ConnectionOptions | undefined): S3ConnectionOptions {
  const connection = { ...config.defaults.connection, ...job.connection };
  return {
    ...base,
    endpoint: connection.endpoint ?? base?.endpoint,
    region: connection.region ?? base?.region,
    profile: connection.profile ?? base?.profile,
    forcePathStyle: connection.pathStyle ?? base?.forcePathStyle,
    transport: connection.transport ?? base?.transport,
  };
}
