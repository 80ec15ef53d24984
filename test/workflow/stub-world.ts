/**
 * A simulated fleet for the workflow tests: Temporal's time-skipping test server (the Java one, from the
 * project's venv: never downloaded), one worker that runs the workflows, and training hosts whose
 * activities are the test doubles of stub-activities.ts.
 *
 * Each host is two activity workers, as in production (worker/create-workers.ts): one on the shared
 * queue (acquireWorkspace: whichever host takes it makes the workspace) and one on its own queue
 * `<shared>@<hostId>`. The workflows run on a worker of their own that never stops, so that stopping a
 * host loses that host's steps and nothing else (a host that also held the workflow cache would leave
 * sticky workflow tasks to time out as well, which is not what these tests are about).
 *
 * What the time-skipping server does and does not skip (sdk-java's TestWorkflowMutableStateImpl): time is
 * skipped only while the test awaits a workflow result and nothing is in flight; a scheduled activity
 * holds the clock until it is started and ends, so a SCHEDULE_TO_START timeout (a lost host) takes its
 * full real duration — the tests give limits.hostStartTimeout a second or less — while retry backoffs
 * and workflow timers are skipped.
 */
import { WorkflowFailedError, type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import { defaultPayloadConverter, type Workflow } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { hostTaskQueue } from '../../src/config/env';
import { INSTALLED } from '../../src/config/paths';
import { workflowBundle } from '../harness/workflow-bundle';
import { MlipPhase, SEARCH_ATTRIBUTES } from '../../src/api/search-attributes';
import {
  createStubActivities,
  StubCallLog,
  type ActivityName,
  type StubHost,
  type StubOverrides,
} from './stub-activities';

/** IndexedValueType numbers of temporal.api.enums.v1 (the operator service takes the enum's numbers). */
const INDEXED_VALUE_TYPE = { Keyword: 2, Int: 3 } as const;

/**
 * The time-skipping environment, with the search attributes the workflows upsert registered: the Java test
 * server knows only its CustomXxxField attributes and fails a workflow task that upserts any other, but its
 * operator service registers new ones (there is no start-up flag for them, unlike `temporal server
 * start-dev --search-attribute`).
 */
export async function startTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: INSTALLED.testServer } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, INDEXED_VALUE_TYPE[type]]),
    ),
  });
  return env;
}

/**
 * Options of every test worker. Heartbeats are what carry a cancellation to an activity, and the worker
 * sends them at most every 30-60 s by default: far too slow for tests of cancellation.
 */
const WORKER_TUNING = {
  maxHeartbeatThrottleInterval: '50ms',
  defaultHeartbeatThrottleInterval: '50ms',
  // A test's last hanging stubs are cancelled this soon when the world closes.
  shutdownGraceTime: '500ms',
} as const;

interface RunningWorker {
  worker: Worker;
  done: Promise<void>;
}

interface SimulatedHost {
  stub: StubHost;
  connection: NativeConnection;
  workers: RunningWorker[];
}

export interface HostOptions {
  /** Which queues the host serves: both (a healthy host), or only one (its other worker is gone). */
  serves?: 'both' | 'shared' | 'host';
  overrides?: StubOverrides;
  /** The host's work root is shared with the other hosts that share theirs (MLIP_SHARED_WORK_ROOT). */
  sharedWorkRoot?: boolean;
  /** Activities this host's workers lack (to check that a missing test double fails loudly). */
  without?: ActivityName[];
}

export class StubWorld {
  readonly log = new StubCallLog();
  /** The shared queue of this world: unique per test, so that nothing left from another test reaches it. */
  readonly sharedQueue = `wf-${randomUUID().slice(0, 8)}`;
  private readonly hosts = new Map<string, SimulatedHost>();
  private workflowWorker?: RunningWorker;
  private readonly workflowIds: string[] = [];

  private constructor(readonly env: TestWorkflowEnvironment) {}

  /** A world with its workflow worker running and no host yet. */
  static async create(env: TestWorkflowEnvironment): Promise<StubWorld> {
    const world = new StubWorld(env);
    // Local activities run on the workflow's own worker; it polls no activity queue itself.
    world.workflowWorker = await world.runWorker({
      connection: env.nativeConnection,
      taskQueue: world.sharedQueue,
      workflowBundle: await workflowBundle(),
      enableNonLocalActivities: false,
      activities: createStubActivities({
        host: world.stubHost('workflow-worker'),
        log: world.log,
        client: env.client,
      }),
    });
    return world;
  }

  hostQueue(hostId: string): string {
    return hostTaskQueue(this.sharedQueue, hostId);
  }

  private stubHost(hostId: string, sharedWorkRoot = false): StubHost {
    return {
      hostId,
      hostTaskQueue: this.hostQueue(hostId),
      workRoot: sharedWorkRoot ? '/shared/mlip-work' : `/srv/${hostId}/mlip-work`,
      potentialsDir: '/shared/potentials',
      ...(sharedWorkRoot ? { sharedWorkRoot } : {}),
    };
  }

  private async runWorker(options: WorkerOptions): Promise<RunningWorker> {
    const worker = await Worker.create({ ...WORKER_TUNING, ...options });
    return { worker, done: worker.run() };
  }

  /**
   * Starts a host's workers; resolves once they run. Each host has a connection of its own, as a host's
   * worker process would: the SDK refuses two workers of one connection on the same queue, which is what
   * two hosts on the shared queue are.
   */
  async startHost(hostId: string, options: HostOptions = {}): Promise<void> {
    if (this.hosts.has(hostId)) throw new Error(`host ${hostId} is already running`);
    const { serves = 'both', overrides, without = [], sharedWorkRoot } = options;
    const stub = this.stubHost(hostId, sharedWorkRoot);
    const activities = createStubActivities({
      host: stub,
      log: this.log,
      client: this.env.client,
      overrides,
    });
    for (const name of without) delete activities[name];
    const connection = await NativeConnection.connect({ address: this.env.address });
    const queues = [
      ...(serves !== 'host' ? [this.sharedQueue] : []),
      ...(serves !== 'shared' ? [stub.hostTaskQueue] : []),
    ];
    const workers = await Promise.all(
      queues.map((taskQueue) => this.runWorker({ connection, taskQueue, activities })),
    );
    this.hosts.set(hostId, { stub, connection, workers });
  }

  /**
   * The host stops serving its queues: polling stops now (Worker.shutdown), while the activities it is
   * running still finish and report; the promise resolves once its workers have stopped. Safe to call
   * from one of that host's own stubs, as long as the stub does not await it (shutdown waits for it).
   */
  stopHost(hostId: string): Promise<void> {
    const host = this.hosts.get(hostId);
    if (!host) throw new Error(`no host ${hostId}`);
    for (const w of host.workers) if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
    return Promise.all(host.workers.map((w) => w.done)).then(() => undefined);
  }

  /** Starts a workflow on the shared queue; the world terminates it on close if it is still running. */
  async start<W extends Workflow>(
    workflow: W,
    args: Parameters<W>,
    workflowId = `${workflow.name}-${randomUUID().slice(0, 8)}`,
  ): Promise<WorkflowHandle<W>> {
    this.workflowIds.push(workflowId);
    const options = { taskQueue: this.sharedQueue, workflowId, args };
    // WorkflowStartOptions<W> picks the shape of `args` with a conditional type that tsc cannot resolve
    // for a generic W; `args` is Parameters<W>, which is what either branch holds.
    return this.env.client.workflow.start(workflow, options as unknown as WorkflowStartOptions<W>);
  }

  /**
   * Ends the test: terminates what is still running (its pending activities would hold the test server's
   * clock for the next test; children go with their parent), then stops every worker.
   */
  async close(): Promise<void> {
    for (const workflowId of this.workflowIds) {
      await this.env.client.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    }
    await Promise.all([...this.hosts.keys()].map((hostId) => this.stopHost(hostId)));
    await Promise.all([...this.hosts.values()].map((h) => h.connection.close()));
    if (this.workflowWorker) {
      this.workflowWorker.worker.shutdown();
      await this.workflowWorker.done;
    }
  }
}

/** An activity the workflow scheduled, as its history records it (including those no worker ever ran). */
export interface ScheduledActivity {
  activity: string;
  taskQueue: string;
  input: unknown;
}

export async function scheduledActivities(handle: WorkflowHandle): Promise<ScheduledActivity[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    if (!a) return [];
    const payload = a.input?.payloads?.[0];
    return [
      {
        activity: a.activityType?.name ?? '',
        taskQueue: a.taskQueue?.name ?? '',
        input: payload ? defaultPayloadConverter.fromPayload(payload) : undefined,
      },
    ];
  });
}

/** What a user sees of a training after the fact: its MlipPhase search attribute and the memo's notebook. */
export async function visibleState(handle: WorkflowHandle) {
  const description = await handle.describe();
  return {
    status: description.status.name,
    phase: description.typedSearchAttributes.get(MlipPhase),
    notebook: (description.memo?.notebook as string | undefined) ?? '',
  };
}

/** The error a workflow run ended with; fails the test if it succeeded or ended otherwise. */
export async function workflowFailure(promise: Promise<unknown>): Promise<WorkflowFailedError> {
  const outcome = await promise.then(
    (value: unknown) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome))
    throw new Error(`expected the workflow to fail; it returned ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(WorkflowFailedError);
  return outcome.error as WorkflowFailedError;
}

/** The local activities that resolve a workflow's input: the only activities a bad input may reach. */
const REQUEST_RESOLUTIONS: ReadonlySet<ActivityName> = new Set<ActivityName>([
  'resolveTrainingRequest',
  'resolveCommitteeInput',
  'resolveScoringRequest',
  'resolveRoundInput',
  'resolveExplorationRequest',
]);

export function isRequestResolution(activity: ActivityName): boolean {
  return REQUEST_RESOLUTIONS.has(activity);
}

/**
 * The set-up every file here shares: one time-skipping server and bundle per file, a fresh StubWorld per
 * test (closed after it, and failing the test if a workflow called an activity without a double). The
 * returned object stands for the current test's world (a proxy, so tests read `world.log` as before).
 */
export function stubWorldPerTest(): StubWorld {
  // Every test here takes a second or two alone, but five to six times that beside two real fits on 2 busy
  // cores (31 s measured for one host hand-over): a hang still fails well before the suite's 2 minutes.
  jest.setTimeout(90_000);
  let env: TestWorkflowEnvironment | undefined;
  let current: StubWorld | undefined;
  beforeAll(async () => {
    [env] = await Promise.all([startTimeSkippingEnvironment(), workflowBundle()]);
  });
  afterAll(async () => {
    await env?.teardown();
  });
  beforeEach(async () => {
    current = await StubWorld.create(env!);
  });
  afterEach(async () => {
    await current?.close();
    expect(current?.log.missing).toEqual([]);
  });
  return new Proxy({} as StubWorld, {
    get(_target, key) {
      if (!current) throw new Error('the stub world exists only inside a test');
      const value: unknown = Reflect.get(current, key, current);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
}
