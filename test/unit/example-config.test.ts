import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';

describe('examples/s3kit.yaml', () => {
  it('is a valid config', async () => {
    const config = await loadConfig(join(import.meta.dirname, '..', '..', 'examples', 's3kit.yaml'), { env: { AWS_REGION: 'eu-west-1' } });
    expect(config.jobs.map((job) => job.name)).toEqual(['camera', 'reports', 'recent-logs', 'monthly', 'minio-mirror']);
  });
});
