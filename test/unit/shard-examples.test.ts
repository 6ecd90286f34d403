import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseShard } from '../../src/index.js';

const examples = join(import.meta.dirname, '..', '..', 'examples', 'shards');

/** The --shard value of an example's command line. */
function shardFlag(command: readonly string[]): string {
  return command[command.indexOf('--shard') + 1]!;
}

describe('the shard examples', () => {
  it('Kubernetes Indexed Job: every completion index gets its own part of as many as there are completions', async () => {
    const job = parse(await readFile(join(examples, 'kubernetes-indexed-job.yaml'), 'utf8')) as {
      spec: { completionMode: string; completions: number; template: { spec: { containers: { command: string[] }[] } } };
    };
    expect(job.spec.completionMode).toBe('Indexed');
    const flag = shardFlag(job.spec.template.spec.containers[0]!.command);
    const parts = Array.from({ length: job.spec.completions }, (_, index) => parseShard(flag, { JOB_COMPLETION_INDEX: String(index) }));
    expect(parts).toEqual(Array.from({ length: job.spec.completions }, (_, index) => ({ index, count: job.spec.completions })));
  });

  it('AWS Batch array job: every child index gets its own part of the array size', async () => {
    const job = JSON.parse(await readFile(join(examples, 'aws-batch-array-job.json'), 'utf8')) as {
      arrayProperties: { size: number };
      containerOverrides: { command: string[] };
    };
    const size = job.arrayProperties.size;
    const flag = shardFlag(job.containerOverrides.command);
    const parts = Array.from({ length: size }, (_, index) => parseShard(flag, { AWS_BATCH_JOB_ARRAY_INDEX: String(index), AWS_BATCH_JOB_ARRAY_SIZE: String(size) }));
    expect(parts).toEqual(Array.from({ length: size }, (_, index) => ({ index, count: size })));
  });

  it('the AWS Batch job definition that the array job names runs s3kit sync with --shard auto', async () => {
    const definition = JSON.parse(await readFile(join(examples, 'aws-batch-job-definition.json'), 'utf8')) as {
      jobDefinitionName: string;
      containerProperties: { command: string[] };
      parameters: Record<string, string>;
    };
    const submit = JSON.parse(await readFile(join(examples, 'aws-batch-array-job.json'), 'utf8')) as { jobDefinition: string };
    expect(definition.jobDefinitionName).toBe(submit.jobDefinition);
    const command = definition.containerProperties.command;
    expect(command.slice(2, 4)).toEqual(['s3kit', 'sync']);
    expect(shardFlag(command)).toBe('auto');
    // Every Ref:: placeholder has a default parameter, so the definition registers as it is.
    for (const word of command.filter((part) => part.startsWith('Ref::'))) expect(definition.parameters[word.slice(5)]).toMatch(/^s3:\/\//);
  });
});
