import { createHash } from 'node:crypto';
import { ConfigError } from './errors.js';

/*
 * Shards: N processes that together do exactly one sync's work, each on its own part of the key
 * space. A key's part is a hash of the key (relative to the source and target prefixes, the same
 * on both sides), so every process decides alone, with no coordination and no shared listing,
 * and a key is in exactly one part whatever the others list or when. Key ranges from a
 * delimiter pass would let each process list only its range, but every process would have to
 * see the same boundaries: a bucket that changes between their passes would shift keys between
 * parts, done twice or not at all (README, "Shards").
 */

/**
 * One part of a sharded sync: `index` (0-based, as Kubernetes Indexed Jobs and AWS Batch array
 * jobs number them) of `count`.
 * @public
 */
export interface Shard {
  /** This process's part, from 0 to `count - 1`. */
  readonly index: number;
  /** How many parts the key space is split into. */
  readonly count: number;
}

/** Most parts a key space is split into: far more processes than any run uses, far fewer than keys. */
export const MAX_SHARDS = 10_000;

/**
 * The part a key belongs to: the first 32 bits of the MD5 of its UTF-8 bytes, modulo `count`.
 * Stable across runs, machines and s3kit versions (a change here would be a breaking one).
 * @public
 */
export function shardOfKey(key: string, count: number): number {
  return createHash('md5').update(key, 'utf8').digest().readUInt32BE(0) % count;
}

/** Checks a shard given as an option (`name` is the option, for the message). */
export function validateShard(shard: unknown, name: string): Shard {
  const value = shard as Partial<Shard> | null;
  const count = value?.count;
  const index = value?.index;
  if (typeof value !== 'object' || value === null || !Number.isInteger(count) || count! < 1 || count! > MAX_SHARDS) {
    throw new ConfigError(name, `${name}.count must be a whole number from 1 to ${MAX_SHARDS}, got ${JSON.stringify(count)}.`);
  }
  if (!Number.isInteger(index) || index! < 0 || index! >= count!) {
    throw new ConfigError(name, `${name}.index must be a whole number from 0 to ${count! - 1} (shards are numbered from 0), got ${JSON.stringify(index)}.`);
  }
  return { index: index!, count: count! };
}

/**
 * Reads `i/n` (0-based), `auto` or `auto/n`. `auto` takes the index from the orchestrator:
 * `JOB_COMPLETION_INDEX` (Kubernetes Indexed Job; the count from `/n` or `S3KIT_SHARD_COUNT`,
 * since Kubernetes does not pass it) or `AWS_BATCH_JOB_ARRAY_INDEX` with
 * `AWS_BATCH_JOB_ARRAY_SIZE` (AWS Batch array job). `name` names the flag or option in messages.
 * @public
 */
export function parseShard(text: string, env: Readonly<Record<string, string | undefined>>, name = 'shard'): Shard {
  const auto = /^auto(?:\/(\d+))?$/.exec(text.trim());
  if (auto !== null) {
    const fromKubernetes = nonEmpty(env.JOB_COMPLETION_INDEX);
    const fromBatch = nonEmpty(env.AWS_BATCH_JOB_ARRAY_INDEX);
    const given = auto[1] ?? nonEmpty(env.S3KIT_SHARD_COUNT);
    if (fromKubernetes !== undefined) {
      if (given === undefined) {
        throw new ConfigError(name, `${name} auto: JOB_COMPLETION_INDEX is ${fromKubernetes} but the number of shards is unknown: write ${name} auto/N (N = the Job's completions) or set S3KIT_SHARD_COUNT.`);
      }
      return fromText(`${fromKubernetes}/${given}`, name, 'JOB_COMPLETION_INDEX');
    }
    if (fromBatch !== undefined) {
      const size = auto[1] ?? nonEmpty(env.AWS_BATCH_JOB_ARRAY_SIZE);
      if (size === undefined) throw new ConfigError(name, `${name} auto: AWS_BATCH_JOB_ARRAY_INDEX is set but AWS_BATCH_JOB_ARRAY_SIZE is not: write ${name} auto/N.`);
      return fromText(`${fromBatch}/${size}`, name, 'AWS_BATCH_JOB_ARRAY_INDEX');
    }
    throw new ConfigError(
      name,
      `${name} auto: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job) is set; give the shard as INDEX/COUNT, e.g. 0/4.`,
    );
  }
  return fromText(text, name, undefined);
}

function fromText(text: string, name: string, variable: string | undefined): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const from = variable === undefined ? '' : ` (from ${variable})`;
  if (match === null) throw new ConfigError(name, `${name} ${JSON.stringify(text)}${from} must be INDEX/COUNT with INDEX from 0, e.g. 0/4, or auto.`);
  return validateShard({ index: Number(match[1]), count: Number(match[2]) }, name);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
