import { describe, expectTypeOf, it } from 'vitest';
import {
  ConfigError,
  createChecker,
  createSyncer,
  isS3kitError,
  KeyFilter,
  jsonFileStore,
  ListingError,
  ListingOrderError,
  memoryStore,
  PlanMismatchError,
  S3kitError,
  TransferError,
  updateState,
  type Action,
  type CheckDifference,
  type Checker,
  type CheckOptions,
  type CheckSummary,
  type Entry,
  type LocalLocation,
  type Location,
  type PlanOptions,
  type RunOptions,
  type S3Location,
  type StateStore,
  type Syncer,
  type SyncerEvents,
  type SyncOptions,
  type SyncSummary,
} from 's3kit';
import { readJobHistory, runJobs, type JobConfig, type JobHistory, type ParsedConfig, type StateStore as JobsStateStore } from 's3kit/jobs';

/*
 * The public API's types as users write against them (checked by tsc through vitest's
 * typecheck mode, in the unit project). Only what the README promises: a change here is a
 * breaking change for users and belongs in the CHANGELOG.
 */

describe('createSyncer', () => {
  it('takes SyncOptions and returns a Syncer', () => {
    expectTypeOf(createSyncer).parameters.toEqualTypeOf<[SyncOptions]>();
    expectTypeOf(createSyncer).returns.toEqualTypeOf<Syncer>();
  });

  it('needs source and target, and takes the documented options', () => {
    expectTypeOf<{ source: string; target: string }>().toExtend<SyncOptions>();
    expectTypeOf<{ source: string }>().not.toExtend<SyncOptions>();
    expectTypeOf<{
      source: string;
      target: string;
      delete: boolean;
      maxDelete: number;
      dryRun: boolean;
      concurrency: number;
      endpoint: string;
      region: string;
      state: StateStore;
    }>().toExtend<SyncOptions>();
    expectTypeOf<{ source: string; target: string; maxDelete: '10%' }>().toExtend<SyncOptions>();
    expectTypeOf<{ source: string; target: string; compare: 'fuzzy' }>().not.toExtend<SyncOptions>();
    expectTypeOf<'size-mtime' | 'size-only' | 'checksum'>().toExtend<NonNullable<SyncOptions['compare']>>();
  });

  it('a Syncer plans, runs, and names its locations', () => {
    expectTypeOf<Syncer['run']>().returns.toEqualTypeOf<Promise<SyncSummary>>();
    expectTypeOf<Syncer['plan']>().returns.toEqualTypeOf<AsyncGenerator<Action>>();
    expectTypeOf<Parameters<Syncer['run']>[0]>().toExtend<{ signal?: AbortSignal } | undefined>();
    // plan() takes only what it uses: a saved plan or planFirst mean nothing to it.
    expectTypeOf<Parameters<Syncer['plan']>[0]>().toEqualTypeOf<PlanOptions | undefined>();
    expectTypeOf<PlanOptions>().not.toHaveProperty('expectedPlan');
    expectTypeOf<RunOptions>().toHaveProperty('expectedPlan');
    expectTypeOf<Syncer['source']>().toEqualTypeOf<Location>();
    expectTypeOf<Syncer['target']>().toEqualTypeOf<Location>();
  });
});

describe('SyncSummary', () => {
  it('has the counts, failures and timing a caller reports', () => {
    expectTypeOf<SyncSummary['copied']>().toExtend<{ readonly count: number; readonly bytes: number }>();
    expectTypeOf<SyncSummary['updated']>().toExtend<{ readonly count: number; readonly bytes: number }>();
    expectTypeOf<SyncSummary['deleted']>().toExtend<{ readonly count: number; readonly bytes: number }>();
    expectTypeOf<SyncSummary['skipped']>().toExtend<{ readonly count: number; readonly bytes: number }>();
    expectTypeOf<SyncSummary['failedCount']>().toEqualTypeOf<number>();
    expectTypeOf<SyncSummary['failures'][number]>().toHaveProperty('key');
    expectTypeOf<SyncSummary['dryRun']>().toEqualTypeOf<boolean>();
    expectTypeOf<SyncSummary['aborted']>().toEqualTypeOf<boolean>();
    expectTypeOf<SyncSummary['source']>().toEqualTypeOf<string>();
    expectTypeOf<SyncSummary['target']>().toEqualTypeOf<string>();
    expectTypeOf<SyncSummary['startedAt']>().toEqualTypeOf<Date>();
    expectTypeOf<SyncSummary['durationMs']>().toEqualTypeOf<number>();
    expectTypeOf<SyncSummary['deletesSkipped']>().toExtend<object | undefined>();
  });

  it('is read-only', () => {
    // @ts-expect-error fields are readonly
    ((summary: SyncSummary) => (summary.failedCount = 0))(undefined as never);
  });
});

describe('events', () => {
  type Payload<E extends keyof SyncerEvents> = Parameters<SyncerEvents[E]>[0];

  it('names every event the README lists', () => {
    expectTypeOf<keyof SyncerEvents>().toEqualTypeOf<
      'planned' | 'planComplete' | 'warning' | 'transferStart' | 'progress' | 'transferEnd' | 'skipped' | 'failed' | 'deleted' | 'deletesSkipped' | 'done'
    >();
  });

  it('carries typed payloads', () => {
    expectTypeOf<Payload<'planned'>['action']>().toEqualTypeOf<Action>();
    expectTypeOf<Payload<'progress'>>().toExtend<{ key: string; bytes: number; loaded: number; total: number }>();
    expectTypeOf<Payload<'transferEnd'>['durationMs']>().toEqualTypeOf<number>();
    expectTypeOf<Payload<'failed'>['error']>().toEqualTypeOf<S3kitError>();
    expectTypeOf<Payload<'failed'>['key']>().toEqualTypeOf<string>();
    expectTypeOf<Payload<'deleted'>['target']>().toEqualTypeOf<Entry>();
    expectTypeOf<Payload<'done'>['summary']>().toEqualTypeOf<SyncSummary>();
    expectTypeOf<Payload<'skipped'>['action']['type']>().toEqualTypeOf<'skip'>();
  });

  it('a listener gets the payload of its event, and unknown events are refused', () => {
    const syncer = createSyncer({ source: '.', target: 's3://bucket' });
    syncer.on('progress', (event) => expectTypeOf(event.loaded).toEqualTypeOf<number>());
    syncer.on('failed', (event) => expectTypeOf(event.error).toEqualTypeOf<S3kitError>());
    // @ts-expect-error no such event: the failure event is `failed`
    syncer.on('error', () => {});
  });
});

describe('errors', () => {
  it('every error class extends S3kitError and Error, with its context fields', () => {
    expectTypeOf<ConfigError>().toExtend<S3kitError>();
    expectTypeOf<ListingError>().toExtend<S3kitError>();
    expectTypeOf<ListingOrderError>().toExtend<S3kitError>();
    expectTypeOf<TransferError>().toExtend<S3kitError>();
    expectTypeOf<PlanMismatchError>().toExtend<S3kitError>();
    expectTypeOf<S3kitError>().toExtend<Error>();
    expectTypeOf<ConfigError['field']>().toEqualTypeOf<string>();
    expectTypeOf<ListingError['side']>().toEqualTypeOf<'source' | 'target'>();
    expectTypeOf<ListingError['retryable']>().toEqualTypeOf<boolean>();
    expectTypeOf<ListingOrderError['previousKey']>().toEqualTypeOf<string>();
    expectTypeOf<TransferError['operation']>().toEqualTypeOf<string>();
    expectTypeOf<TransferError['key']>().toEqualTypeOf<string>();
    expectTypeOf<TransferError['retryable']>().toEqualTypeOf<boolean>();
    expectTypeOf<TransferError['code']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<PlanMismatchError['key']>().toEqualTypeOf<string>();
  });

  it('isS3kitError narrows', () => {
    const error: unknown = new Error('x');
    if (isS3kitError(error)) expectTypeOf(error).toEqualTypeOf<S3kitError>();
    expectTypeOf(isS3kitError).parameters.toEqualTypeOf<[unknown]>();
  });
});

describe('StateStore', () => {
  it('has get/set/delete and optional keys/update/close', () => {
    expectTypeOf<StateStore['get']>().toBeFunction();
    expectTypeOf<StateStore['set']>().toBeFunction();
    expectTypeOf<StateStore['delete']>().parameters.toEqualTypeOf<[string]>();
    expectTypeOf<StateStore['delete']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<StateStore['keys']>().toEqualTypeOf<((prefix?: string) => Promise<string[]>) | undefined>();
    expectTypeOf<StateStore['close']>().toEqualTypeOf<(() => Promise<void>) | undefined>();
    expectTypeOf<Pick<StateStore, 'get' | 'set' | 'delete'>>().toExtend<StateStore>();
  });

  it('stores are StateStores and updateState keeps the value type', async () => {
    expectTypeOf(memoryStore()).toEqualTypeOf<StateStore>();
    expectTypeOf(jsonFileStore('state.json')).toEqualTypeOf<StateStore>();
    const store = memoryStore();
    expectTypeOf(await store.get<{ n: number }>('k')).toEqualTypeOf<{ n: number } | undefined>();
    expectTypeOf(await updateState<number>(store, 'k', (n) => (n ?? 0) + 1)).toEqualTypeOf<number>();
    expectTypeOf(await updateState<number>(store, 'k', () => undefined)).toEqualTypeOf<number | undefined>();
  });
});

describe('Location', () => {
  it('is a union discriminated by kind', () => {
    expectTypeOf<LocalLocation>().toExtend<Location>();
    expectTypeOf<S3Location>().toExtend<Location>();
    expectTypeOf<'local' | 's3'>().toExtend<Location['kind']>();
    expectTypeOf<Extract<Location, { kind: 'local' }>>().toEqualTypeOf<LocalLocation>();
    expectTypeOf<Extract<Location, { kind: 's3' }>>().toEqualTypeOf<S3Location>();
    expectTypeOf<LocalLocation['path']>().toEqualTypeOf<string>();
    expectTypeOf<S3Location>().toExtend<{ readonly bucket: string; readonly prefix: string }>();
  });
});

describe('s3kit/jobs', () => {
  it('names its own config types and reads history through readJobHistory', () => {
    expectTypeOf<JobConfig['name']>().toEqualTypeOf<string>();
    expectTypeOf<ParsedConfig['jobs']>().toEqualTypeOf<readonly JobConfig[]>();
    expectTypeOf(readJobHistory).parameters.toEqualTypeOf<[StateStore, readonly string[]]>();
    expectTypeOf(readJobHistory).returns.toEqualTypeOf<Promise<JobHistory>>();
    expectTypeOf<JobHistory['jobs']>().toEqualTypeOf<ReadonlyMap<string, import('s3kit/jobs').JobState | undefined>>();
  });

  it("re-exports the root's types, not copies of them", () => {
    expectTypeOf<JobsStateStore>().toEqualTypeOf<StateStore>();
    expectTypeOf(runJobs).toBeFunction();
  });
});

describe('KeyFilter.excludesFile', () => {
  it('takes its flag by name, not position', () => {
    expectTypeOf<Parameters<KeyFilter['excludesFile']>[1]>().toEqualTypeOf<{ readonly parentsChecked?: boolean } | undefined>();
  });
});

describe('createChecker', () => {
  it('takes CheckOptions with path1 and path2 and returns a Checker', () => {
    expectTypeOf(createChecker).parameter(0).toEqualTypeOf<CheckOptions>();
    expectTypeOf(createChecker).returns.toEqualTypeOf<Checker>();
    // @ts-expect-error path2 is required
    createChecker({ path1: './a' });
    // @ts-expect-error a check deletes nothing
    createChecker({ path1: './a', path2: 's3://b', delete: true });
  });

  it('streams differences discriminated by type, and resolves with a read-only summary', () => {
    const checker = createChecker({ path1: './a', path2: 's3://b', rules: [{ type: 'exclude', pattern: '*.tmp' }], sourceConnection: { region: 'eu-west-1' } });
    expectTypeOf(checker.differences()).toEqualTypeOf<AsyncGenerator<CheckDifference>>();
    expectTypeOf(checker.run()).resolves.toEqualTypeOf<CheckSummary>();
    checker.on('difference', (difference) => {
      if (difference.type === 'only-in-path2') expectTypeOf(difference.path2).toEqualTypeOf<Entry>();
      if (difference.type === 'cannot-compare') expectTypeOf(difference.message).toEqualTypeOf<string>();
    });
    const summary = {} as CheckSummary;
    // @ts-expect-error the summary is read-only
    summary.identical = true;
  });
});
