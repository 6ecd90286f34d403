import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { ConfigError } from '../../src/core/errors.js';
import { jobConnection } from '../../src/jobs/job-connection.js';

const valid = `
defaults:
  logDirectory: logs
  stateFile: state/s3kit.json
  exclude: ['*.tmp']
  connection:
    endpoint: \${S3_ENDPOINT}
jobs:
  - name: camera
    description: yesterday's camera folder
    source: ./camera
    target: s3://archive/camera
    strategy: { type: DateFolder, format: yyyy-MM-dd }
  - name: reports
    source: /srv/reports
    target: s3://reports/all
    delete: true
    maxDelete: 10%
    upload: { storageClass: STANDARD_IA }
`;

function errorOf(text: string, env: Record<string, string> = { S3_ENDPOINT: 'http://127.0.0.1:7480' }): ConfigError {
  try {
    parseConfig(text, '/etc/s3kit/s3kit.yaml', { env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('validates, applies defaults, interpolates ${VAR} and resolves paths against the file', () => {
    const config = parseConfig(valid, '/etc/s3kit/s3kit.yaml', { env: { S3_ENDPOINT: 'http://127.0.0.1:7480' } });
    expect(config.stateFile).toBe('/etc/s3kit/state/s3kit.json');
    expect(config.logDirectory).toBe('/etc/s3kit/logs');
    expect(config.logRetentionMonths).toBe(12);
    expect(config.defaults.connection?.endpoint).toBe('http://127.0.0.1:7480');
    expect(config.jobs.map((job) => [job.name, job.enabled, job.source])).toEqual([
      ['camera', true, '/etc/s3kit/camera'],
      ['reports', true, '/srv/reports'],
    ]);
    expect(config.jobs[1]!.strategy).toEqual({ type: 'FullDirectory' });
  });

  it.each([
    [valid.replace('yyyy-MM-dd }', 'yyyy-MM-dd, fromat: x }'), /job "camera" › strategy: Unrecognized key: "fromat"/],
    [valid.replace('compare', 'x').replace('    delete: true', '    compare: fastest'), /job "reports" › compare: Invalid option: expected one of "size-mtime"\|"size-only"\|"exact-timestamps"\|"checksum"/],
    [valid.replace('maxDelete: 10%', 'maxDelete: lots'), /job "reports" › maxDelete: /],
    [valid.replace('name: reports', 'name: camera'), /job "camera" › name: the name is used by another job/],
    [valid.replace('target: s3://reports/all', ''), /job "reports" › target: Invalid input: expected string/],
    [valid.replace('strategy: { type: DateFolder, format: yyyy-MM-dd }', 'strategy: { type: Hourly }'), /job "camera" › strategy.type: unknown strategy "Hourly"/],
    [valid.replace('stateFile: state/s3kit.json', 'stateFile: state/s3kit.json\n  retention: 3'), /defaults: Unrecognized key: "retention"/],
    [valid.replace('target: s3://reports/all', 'destination: s3://reports/all'), /job "reports": Unrecognized key: "destination" \(did you mean "target"\?\)/],
    [valid.replace('source: /srv/reports', 'src: /srv/reports'), /job "reports": Unrecognized key: "src" \(did you mean "source"\?\)/],
    [valid.replace('source: /srv/reports', 'source: /srv/reports\n    constructor: 1'), /job "reports": Unrecognized key: "constructor"$/m],
    ['jobs: []', /jobs: at least one job/],
    ['jobs: [', /not valid YAML/],
  ])('names the job, the field and what is allowed (%#)', (text, message) => {
    expect(errorOf(text).message).toMatch(message);
  });

  it('reads the request lane (connection.transport) in defaults and per job, the job over the defaults over the flag', () => {
    const text = valid.replace('    endpoint: ${S3_ENDPOINT}', '    endpoint: ${S3_ENDPOINT}\n    transport: lean').replace('    delete: true', '    connection: { transport: sdk }\n    delete: true');
    const config = parseConfig(text, '/etc/s3kit/s3kit.yaml', { env: { S3_ENDPOINT: 'http://127.0.0.1:7480' } });
    expect(config.defaults.connection?.transport).toBe('lean');
    expect(jobConnection(config.jobs[0]!, config, { transport: 'sdk' }).transport).toBe('lean');
    expect(jobConnection(config.jobs[1]!, config, { transport: 'lean' }).transport).toBe('sdk');
    const plain = parseConfig(valid, '/etc/s3kit/s3kit.yaml', { env: { S3_ENDPOINT: 'http://127.0.0.1:7480' } });
    expect(jobConnection(plain.jobs[0]!, plain, { transport: 'lean' }).transport).toBe('lean');
    expect(errorOf(valid.replace('    endpoint: ${S3_ENDPOINT}', '    endpoint: ${S3_ENDPOINT}\n    transport: fast')).message).toMatch(/defaults\.connection\.transport: Invalid option: expected one of "sdk"\|"lean"/);
  });

  it('reads bandwidthLimit as a rate (10MiB/s, 1M) or a number of bytes per second, in defaults and per job', () => {
    const text = valid.replace("exclude: ['*.tmp']", "exclude: ['*.tmp']\n  bandwidthLimit: 10MiB/s").replace('    delete: true', '    bandwidthLimit: 1048576\n    delete: true');
    const config = parseConfig(text, '/etc/s3kit/s3kit.yaml', { env: { S3_ENDPOINT: 'http://127.0.0.1:7480' } });
    expect(config.defaults.bandwidthLimit).toBe(10 * 1024 * 1024);
    expect(config.jobs.map((job) => job.bandwidthLimit)).toEqual([undefined, 1048576]);
    const short = parseConfig(text.replace('10MiB/s', '1M'), '/etc/s3kit/s3kit.yaml', { env: { S3_ENDPOINT: 'http://127.0.0.1:7480' } });
    expect(short.defaults.bandwidthLimit).toBe(1024 * 1024);
  });

  it.each([
    ['10Mb/s', /job "reports" › bandwidthLimit: .*bytes per second, e\.g\. 10MiB\/s/],
    ['fast', /job "reports" › bandwidthLimit: .*bytes per second/],
    ['0', /job "reports" › bandwidthLimit: /],
    ['-5', /job "reports" › bandwidthLimit: /],
  ])('refuses bandwidthLimit %j naming the job and the field', (value, message) => {
    expect(errorOf(valid.replace('    delete: true', `    bandwidthLimit: ${value}\n    delete: true`)).message).toMatch(message);
  });

  it('refuses a missing environment variable', () => {
    expect(errorOf(valid, {}).message).toMatch(/defaults\.connection\.endpoint: the environment variable S3_ENDPOINT is not set/);
  });

  it('refuses deletes with a date-range strategy', () => {
    const text = valid.replace('strategy: { type: DateFolder, format: yyyy-MM-dd }', 'strategy: { type: DateRange, daysBack: 3 }\n    delete: true');
    expect(errorOf(text).message).toMatch(/job "camera" › delete: a DateRange job selects files by date and cannot delete/);
  });
});

describe('configJsonSchema', () => {
  it('describes jobs and spells out every strategy', () => {
    const schema = configJsonSchema() as { properties: { jobs: { items: { properties: { strategy: { oneOf: { properties: { type: { const: string } } }[] }; compare: { enum: string[] } } } } } };
    const job = schema.properties.jobs.items.properties;
    expect(job.strategy.oneOf.map((s) => s.properties.type.const)).toEqual(['DateFolder', 'FullDirectory', 'DateRange', 'CustomPattern']);
    expect(job.compare.enum).toEqual(['size-mtime', 'size-only', 'exact-timestamps', 'checksum']);
  });
});

describe('${VAR} interpolation', () => {
  const job = (target: string) => `jobs:\n  - name: mirror\n    source: ./site\n    target: ${JSON.stringify(target)}\n    delete: true\n`;
  const targetOf = (target: string, env: Record<string, string>) => parseConfig(job(target), '/etc/s3kit/s3kit.yaml', { env }).jobs[0]!.target;

  it('refuses a variable that is set but empty, naming the variable, the job and the field', () => {
    const error = errorOf(job('s3://bkt/${PREFIX}'), { PREFIX: '' });
    expect(error.field).toBe('job "mirror" › target');
    expect(error.message).toMatch(/job "mirror" › target: the environment variable PREFIX is empty \(referenced as \$\{PREFIX\}\)/);
    expect(error.message).toMatch(/\$\{PREFIX:-default\}/);
  });

  it('${VAR:-default} uses the default when the variable is unset or empty', () => {
    expect(targetOf('s3://bkt/${PREFIX:-www}', {})).toBe('s3://bkt/www');
    expect(targetOf('s3://bkt/${PREFIX:-www}', { PREFIX: '' })).toBe('s3://bkt/www');
    expect(targetOf('s3://bkt/${PREFIX:-www}', { PREFIX: 'site' })).toBe('s3://bkt/site');
  });

  it('${VAR-default} uses the default only when the variable is unset; set but empty is then allowed', () => {
    expect(targetOf('s3://bkt/${PREFIX-www}', {})).toBe('s3://bkt/www');
    expect(targetOf('s3://bkt/x${PREFIX-www}', { PREFIX: '' })).toBe('s3://bkt/x');
    expect(targetOf('s3://bkt/x${PREFIX-}', {})).toBe('s3://bkt/x');
  });

  it('$$ is a literal $', () => {
    expect(targetOf('s3://bkt/$$${X}', { X: 'v' })).toBe('s3://bkt/$v');
    expect(targetOf('s3://bkt/$${X}', {})).toBe('s3://bkt/${X}');
    expect(targetOf('s3://bkt/a$$b', {})).toBe('s3://bkt/a$b');
    expect(targetOf('s3://bkt/a$b', {})).toBe('s3://bkt/a$b');
  });

  it('refuses a malformed reference', () => {
    expect(errorOf(job('s3://bkt/${PRE FIX}'), {}).message).toMatch(/job "mirror" › target: \$\{PRE FIX\} is not a variable reference/);
    // A nested reference in a default is not supported: refused, not half-substituted.
    expect(errorOf(job('s3://bkt/${A:-${B}}'), { B: 'b' }).message).toMatch(/job "mirror" › target: .*a default cannot contain another reference/);
  });
});

describe('strategies that would act outside their base or delete other dates', () => {
  const jobWith = (strategy: string, extra = '') =>
    `jobs:\n  - name: archive\n    source: ./archive\n    target: s3://bkt/archive\n    strategy: ${strategy}\n${extra}`;

  it('refuses a CustomPattern or DateFolder that renders ".." segments, naming the job, the field and the value', () => {
    const custom = errorOf(jobWith("{ type: CustomPattern, targetPattern: '../..' }"));
    expect(custom.field).toBe('job "archive" › strategy.targetPattern');
    expect(custom.message).toMatch(/job "archive" › strategy\.targetPattern: "\.\.\/\.\." renders to "\.\.\/\.\." which has a "\.\." segment/);
    const dated = errorOf(jobWith(`{ type: DateFolder, format: "yyyy/'..'" }`));
    expect(dated.message).toMatch(/job "archive" › strategy\.format: .* has a "\.\." segment/);
  });

  it('refuses delete with DateFolder and appendToTarget: false (each day would delete the days before)', () => {
    const error = errorOf(jobWith('{ type: DateFolder, appendToTarget: false }', '    delete: true\n'));
    expect(error.field).toBe('job "archive" › delete');
    expect(error.message).toMatch(/job "archive" › delete: .*appendToTarget: false.* delete would remove the files of the other dates/);
    // Either alone is fine.
    expect(() => parseConfig(jobWith('{ type: DateFolder, appendToTarget: false }'), '/etc/s3kit.yaml')).not.toThrow();
    expect(() => parseConfig(jobWith('{ type: DateFolder }', '    delete: true\n'), '/etc/s3kit.yaml')).not.toThrow();
  });

  it('refuses delete when a CustomPattern source changes with the date but its target does not', () => {
    const error = errorOf(jobWith("{ type: CustomPattern, sourcePattern: '{year}/{month}', targetPattern: '{year}' }", '    delete: true\n'));
    expect(error.message).toMatch(/job "archive" › delete: the source changes with the date .* but the target does not/);
    expect(() => parseConfig(jobWith("{ type: CustomPattern, sourcePattern: '{year}/{month}', targetPattern: '{year}/{month}' }", '    delete: true\n'), '/etc/s3kit.yaml')).not.toThrow();
  });
});

describe('secrets of a config', () => {
  it('collects the secret variables of the environment, values under credential-named fields and URL passwords', () => {
    const config = parseConfig(
      `
defaults:
  connection: { endpoint: 'http://user:\${ENDPOINT_PASSWORD}@127.0.0.1:7480' }
jobs:
  - name: site
    source: ./site
    target: s3://bkt/site
    upload: { metadata: { sessionToken: literal-token-1234, owner: alice } }
`,
      '/etc/s3kit/s3kit.yaml',
      { env: { ENDPOINT_PASSWORD: 'pw-from-env', AWS_SECRET_ACCESS_KEY: 'aws-secret-value', AWS_REGION: 'eu-west-1' } },
    );
    expect([...config.secrets].sort()).toEqual(['aws-secret-value', 'literal-token-1234', 'pw-from-env']);
  });

  it('masks secrets in the messages of config errors', () => {
    const error = errorOf(
      "jobs:\n  - name: a\n    source: ./exports-${API_TOKEN}\n    target: s3://bkt/x\n    strategy: { type: CustomPattern, sourcePattern: '{year}' }\n    delete: true\n",
      { API_TOKEN: 'tok-5f4e3d2c' },
    );
    expect(error.message).toMatch(/job "a" › delete: the source changes with the date \(\.\/exports-\*\*\*\/2000 → /);
    expect(error.message).not.toContain('tok-5f4e3d2c');
  });
});

describe('overlapping S3 locations in a job', () => {
  const job = (source: string, target: string, extra = ''): string => `
jobs:
  - name: mirror
    source: ${source}
    target: ${target}
    strategy: { type: FullDirectory }${extra}
`;
  it('refuses an S3 → S3 job whose prefixes contain one another, naming the job and both locations', () => {
    for (const [source, target] of [
      ['s3://b-x/q/sub', 's3://b-x/q'],
      ['s3://b-x/p', 's3://b-x/p/sub'],
      ['s3://b-x/p', 's3://b-x/p'],
    ]) {
      const error = errorOf(job(source!, target!));
      expect(error.message).toContain('job "mirror" › target');
      expect(error.message).toMatch(/overlap|same location/);
      expect(error.message).toContain(`${source!.replace(/\/?$/, '/')}`);
    }
  });

  it('allows it when the job excludes the overlap, and allows other buckets and sibling prefixes', () => {
    expect(() => parseConfig(job('s3://b-x/p', 's3://b-x/p/sub', "\n    filters: { exclude: ['sub/*'] }"), '/etc/s3kit.yaml', { env: {} })).not.toThrow();
    expect(() => parseConfig(job('s3://b-x/p', 's3://b-y/p/sub'), '/etc/s3kit.yaml', { env: {} })).not.toThrow();
    expect(() => parseConfig(job('s3://b-x/p', 's3://b-x/p2'), '/etc/s3kit.yaml', { env: {} })).not.toThrow();
  });

  it('checks the paths a strategy renders (a CustomPattern writing into its own source)', () => {
    const error = errorOf(
      job('s3://b-x/in', 's3://b-x', '\n    strategy: { type: CustomPattern, sourcePattern: "{year}", targetPattern: "in/{year}/copy" }').replace(
        '    strategy: { type: FullDirectory }',
        '',
      ),
    );
    expect(error.message).toMatch(/overlap/);
  });
});

describe('a YAML bomb', () => {
  it('is a ConfigError (exit 2 on the command line), not a crash or a hang', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [name, previous] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e'], ['g', 'f']]) {
      levels.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(',')}]`);
    }
    const error = errorOf(`${levels.join('\n')}\njobs: *g\n`);
    expect(error.message).toMatch(/cannot be read as a config: Excessive alias count/);
  });
});
