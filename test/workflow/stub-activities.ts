/**
 * Test doubles of every activity the workflows call, for the workflow tests on Temporal's time-skipping
 * test server. Each stub answers like the real activity would (same types, workspace-relative paths,
 * plausible numbers) without touching a disk, MongoDB or pacemaker, and records every call in a log the
 * tests inspect: which activity ran, on which simulated host and task queue, with which input, on which
 * attempt, and how it ended (completed, failed, or cancelled — i.e. whether cancellation reached it).
 *
 * A test changes one stub by passing an override (`hang`, `fail`, or any function of the input); an
 * override may call `ctx.proceed()` to get the default answer and add behaviour around it.
 *
 * Adding an activity to the package: once its type is part of StubbedActivities, tsc refuses this file
 * until DEFAULT_STUBS has its one-line entry. An activity the workflows call that is not (yet) in
 * StubbedActivities reaches the workers' `default` activity instead, which fails it non-retryably with a
 * message naming it and lists it in `log.missing`, so the test fails saying what to add.
 */
import { CancelledFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { HostQueueActivities, ResolveRequestActivities, SharedQueueActivities } from '../../activities';
import { resolveTrainerParams } from '../../src/api/trainer-params';
import { workspaceName } from '../../src/artefact-names';
import { resolveExplorationRequest } from '../../src/api/exploration';
import {
  resolveCommitteeInput,
  resolveRoundInput,
  resolveScoringRequest,
  resolveTrainingRequest,
} from '../../src/api/resolve-request';
import type { TrainingProgress } from '../../src/api/progress';
import { fitProgressSignal } from '../../src/api/training-messages';

/**
 * Every activity the workflows may call: on the shared queue, on a host's queue (acquireWorkspace and
 * scoreCandidates are on both), and the local ones the workflow's own worker runs.
 */
export type StubbedActivities = SharedQueueActivities & HostQueueActivities & ResolveRequestActivities;
export type ActivityName = keyof StubbedActivities;
export type StubInput<K extends ActivityName> = Parameters<StubbedActivities[K]>[0];
export type StubOutput<K extends ActivityName> = Awaited<ReturnType<StubbedActivities[K]>>;

/** A simulated training host: the id it reports and the queue its host worker serves. */
export interface StubHost {
  hostId: string;
  hostTaskQueue: string;
  /** Where its workspaces (would) live; only ever part of a path string. */
  workRoot: string;
  /** Where its published potentials (would) live. */
  potentialsDir: string;
  /** Its work root is one file system shared with the other hosts (MLIP_SHARED_WORK_ROOT). */
  sharedWorkRoot?: boolean;
}

export type StubOutcome = 'running' | 'completed' | 'failed' | 'cancelled';

export interface StubCall<K extends ActivityName = ActivityName> {
  /** Order of the call among all calls of the test. */
  seq: number;
  activity: K;
  /** The simulated host whose worker ran it. */
  hostId: string;
  /** The task queue it was dispatched on (from the activity's own info). */
  taskQueue: string;
  workflowId: string;
  attempt: number;
  local: boolean;
  input: StubInput<K>;
  outcome: StubOutcome;
  /** What it answered, once it completed. */
  result?: StubOutput<K>;
  /** The error it ended with, as text, when it failed or was cancelled. */
  error?: string;
}

/** An activity the stub set has no double for (see the file comment). */
export interface MissingStub {
  activity: string;
  taskQueue: string;
  workflowId: string;
}

export class StubCallLog {
  readonly calls: StubCall[] = [];
  readonly missing: MissingStub[] = [];

  record<K extends ActivityName>(call: Omit<StubCall<K>, 'seq' | 'outcome' | 'result'>): StubCall<K> {
    const entry: StubCall<K> = { ...call, seq: this.calls.length + 1, outcome: 'running' };
    // The log holds calls of every activity; each entry keeps its own activity's input type.
    this.calls.push(entry as unknown as StubCall);
    return entry;
  }

  /** Calls of one activity, in order, with that activity's input type. */
  of<K extends ActivityName>(activity: K): StubCall<K>[] {
    return this.calls.filter((c) => c.activity === activity) as unknown as StubCall<K>[];
  }

  /** Calls on one task queue, in order. */
  onQueue(taskQueue: string): StubCall[] {
    return this.calls.filter((c) => c.taskQueue === taskQueue);
  }

  /** `activity@taskQueue` for each call (or only those of `filter`): a readable sequence to compare. */
  trace(filter: (c: StubCall) => boolean = () => true): string[] {
    return this.calls.filter(filter).map((c) => `${c.activity}@${c.taskQueue}`);
  }

  /** Resolves once `predicate` holds (checked every 20 ms); fails after `timeoutMs`, saying what it waited for. */
  async waitFor(what: string, predicate: (log: StubCallLog) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}; calls so far:\n  ${this.trace().join('\n  ')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export interface StubContext<K extends ActivityName> {
  host: StubHost;
  call: StubCall<K>;
  /** The test's client, for stubs that talk to their workflow as the real ones do (fit progress). */
  client: Client;
  /** The default stub's answer, for overrides that only add behaviour around it. */
  proceed(): Promise<StubOutput<K>>;
}

export type StubImpl<K extends ActivityName> = (
  input: StubInput<K>,
  ctx: StubContext<K>,
) => Promise<StubOutput<K>>;

export type StubOverrides = { [K in ActivityName]?: StubImpl<K> };

type DefaultStubs = { [K in ActivityName]: (input: StubInput<K>, host: StubHost) => StubOutput<K> };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The train-split errors every default executeTraining reports. */
export const STUB_TRAIN_ERRORS = {
  structures: 30,
  atoms: 240,
  rmseEnergyMeVPerAtom: 4.2,
  maeEnergyMeVPerAtom: 3.1,
  rmseForcesMeVPerA: 61.5,
  maeForcesMeVPerA: 44.0,
};

/** The answers of a healthy host, one line per activity where the answer is short. */
const DEFAULT_STUBS: DefaultStubs = {
  // The request resolutions are pure and quick: their double is the real function, so that the tests
  // see the validation and defaults users get.
  resolveTrainingRequest: (input) => resolveTrainingRequest(input),
  resolveCommitteeInput: (input) => resolveCommitteeInput(input),
  resolveScoringRequest: (input) => resolveScoringRequest(input),
  resolveRoundInput: (input) => resolveRoundInput(input),
  resolveExplorationRequest: (input) => resolveExplorationRequest(input),
  acquireWorkspace: (input, host) => ({
    hostId: host.hostId,
    hostTaskQueue: host.hostTaskQueue,
    workspaceDir: path.join(host.workRoot, workspaceName(input.workflowId, input.runId, input.hostAttempt)),
    // On a shared work root the lost workspace is visible here, so its files are copied over.
    ...(host.sharedWorkRoot ? { sharedWorkRoot: true } : {}),
    ...(host.sharedWorkRoot && input.carryOver ? { carriedOver: { files: 9, bytes: 1_482_113 } } : {}),
  }),
  cleanupWorkspace: () => ({ removed: true }),
  lookupInitialPotential: ({ initialPotential }) => ({
    id: initialPotential,
    potentialYamlPath: `/potentials/${initialPotential.replace('@', '/')}/output_potential.yaml`,
    elements: ['Cu'],
    referenceEnergy: { Cu: -3.73 },
    ace: resolveTrainerParams({}).ace,
  }),
  fetchTrainingData: ({ workspaceDir, campaign }) => ({
    extxyzPath: path.join(workspaceDir, 'dataset.extxyz'),
    pacemakerDatasetPath: path.join(workspaceDir, 'dataset.pckl.gzip'),
    manifestPath: path.join(workspaceDir, 'manifest.json'),
    structures: 30,
    atoms: 240,
    elements: ['Cu'],
    sha256: sha256(`dataset of ${campaign}`),
    excluded: 0,
    duplicates: 0,
    skippedInvalid: 0,
  }),
  generatePacemakerConfig: ({ workspaceDir, trainer, dataset, initialPotential, resample }) => {
    const resolved = resolveTrainerParams(trainer ?? {});
    const structures = dataset.structures ?? 30;
    return {
      inputYamlPath: path.join(workspaceDir, 'input.yaml'),
      elements: dataset.elements,
      kappa: 0.3,
      trainer: resolved,
      ...(initialPotential ? { warmStart: { from: initialPotential.id, mode: 'continue' as const } } : {}),
      ...(resample
        ? {
            resample: {
              method: resample,
              seed: resolved.seed,
              structures,
              distinct: Math.round(structures * 0.63),
              outOfBag: structures - Math.round(structures * 0.63),
            },
          }
        : {}),
    };
  },
  executeTraining: ({ workspaceDir, maxIterations }) => ({
    yacePath: path.join(workspaceDir, 'potential.yace'),
    potentialYamlPath: path.join(workspaceDir, 'output_potential.yaml'),
    logPath: path.join(workspaceDir, 'pacemaker.log'),
    metrics: { train: STUB_TRAIN_ERRORS, test: null },
    iterations: maxIterations,
  }),
  buildActiveSet: ({ workspaceDir }) => ({
    asiPath: path.join(workspaceDir, 'potential.asi'),
    dataset: 'fitting_data_info.pckl.gzip',
    seconds: 1.8,
    elements: [{ element: 'Cu', atoms: 240, functions: 20, activeSetSize: 20, gammaMax: 1.0 }],
  }),
  publishPotential: ({ name, activeSetPath }, host) => {
    const directory = path.join(host.potentialsDir, name, 'v1');
    return {
      potentialId: `${name}@v1`,
      version: 1,
      potentialPath: path.join(directory, 'potential.yace'),
      ...(activeSetPath ? { activeSetPath: path.join(directory, 'potential.asi') } : {}),
      directory,
    };
  },
  lookupScoringPotential: ({ potentialId }, host) => {
    const directory = path.join(host.potentialsDir, potentialId.replace('@', '/'));
    return {
      scoringId: potentialId,
      kind: 'potential',
      members: [
        {
          potentialId,
          yace: path.join(directory, 'potential.yace'),
          potentialYaml: path.join(directory, 'output_potential.yaml'),
          asi: path.join(directory, 'potential.asi'),
        },
      ],
      host: { id: host.hostId, taskQueue: host.hostTaskQueue },
      elements: ['Cu'],
      rankedBy: 'gammaMax',
    };
  },
  scoreCandidates: ({ potential, campaign, generation, topK }, host) => ({
    potentialId: potential.scoringId,
    kind: potential.kind,
    campaign,
    generation: generation ?? null,
    total: 12,
    host: host.hostId,
    seconds: 2.5,
    scorerPeakRssMB: 180,
    scored: 12,
    reused: 0,
    failed: { count: 0, first: [] },
    bands: { interpolation: 9, extrapolation: 2, unreliable: 1 },
    disagreement: null,
    rankedBy: potential.rankedBy,
    top: [{ id: 'cand-7', gammaMax: 6.2, committeeForceStd: null }].slice(0, topK),
  }),
  exploreStructures: ({ request }, host) => ({
    potentialId: request.potentialId,
    campaign: request.candidatesCampaign ?? request.campaign,
    generation: request.generation,
    runs: 8,
    seeds: 4,
    runsDone: 8,
    runsStopped: 2,
    runsFailed: 0,
    framesSampled: 600,
    framesExtrapolative: 45,
    candidatesWritten: 30,
    candidatesExisting: 0,
    extrapolativeFraction: 0.075,
    gammaMax: 31.5,
    runErrors: [],
    host: host.hostId,
    seconds: 95,
  }),
};

export const STUBBED_ACTIVITY_NAMES = Object.keys(DEFAULT_STUBS) as ActivityName[];

/**
 * The activity set of one worker of a simulated host: every stubbed activity, recording into `log`, plus a
 * `default` that catches activities the set lacks (see the file comment).
 */
export function createStubActivities(options: {
  host: StubHost;
  log: StubCallLog;
  client: Client;
  overrides?: StubOverrides;
}): Record<string, (input: never) => Promise<unknown>> {
  const { host, log, client, overrides = {} } = options;

  function stub<K extends ActivityName>(activity: K) {
    const answer: DefaultStubs[K] = DEFAULT_STUBS[activity];
    return async (input: StubInput<K>): Promise<StubOutput<K>> => {
      const { info } = Context.current();
      const call = log.record<K>({
        activity,
        hostId: host.hostId,
        taskQueue: info.taskQueue,
        workflowId: info.workflowExecution?.workflowId ?? '(none)',
        attempt: info.attempt,
        local: info.isLocal,
        input,
      });
      const ctx: StubContext<K> = {
        host,
        call,
        client,
        proceed: async (): Promise<StubOutput<K>> => answer(input, host),
      };
      const override = overrides[activity] as StubImpl<K> | undefined;
      try {
        const result = override ? await override(input, ctx) : await ctx.proceed();
        call.outcome = 'completed';
        call.result = result;
        return result;
      } catch (err) {
        call.outcome = err instanceof CancelledFailure ? 'cancelled' : 'failed';
        call.error = String(err);
        throw err;
      }
    };
  }

  const activities: Record<string, (input: never) => Promise<unknown>> = {};
  for (const name of STUBBED_ACTIVITY_NAMES) activities[name] = stub(name);
  // The worker calls `default` for any activity type it has no function for.
  activities.default = async () => {
    const { info } = Context.current();
    log.missing.push({
      activity: info.activityType,
      taskQueue: info.taskQueue,
      workflowId: info.workflowExecution?.workflowId ?? '(none)',
    });
    throw ApplicationFailure.create({
      type: 'MissingTestDouble',
      message:
        `the workflow called activity "${info.activityType}" (${info.isLocal ? 'local, ' : ''}queue ${info.taskQueue}), ` +
        'which has no test double: add it to StubbedActivities and DEFAULT_STUBS in test/workflow/stub-activities.ts',
      nonRetryable: true,
    });
  };
  return activities;
}

/**
 * Override: heartbeat until the activity is cancelled, then end with the cancellation (as the real
 * activities do). Heartbeats are what carry a cancellation to an activity, hence the short interval (the
 * test workers' heartbeat throttle is short too).
 */
export async function hang(): Promise<never> {
  const activity = Context.current();
  activity.heartbeat();
  const beat = setInterval(() => activity.heartbeat(), 50);
  try {
    return await activity.cancelled;
  } finally {
    clearInterval(beat);
  }
}

/** Override: fail every attempt with an ApplicationFailure of this type. */
export function fail(type: string, options: { nonRetryable: boolean; message?: string }) {
  return async (): Promise<never> => {
    throw ApplicationFailure.create({
      type,
      message: options.message ?? `${type} (injected by a test double)`,
      nonRetryable: options.nonRetryable,
    });
  };
}

/**
 * Override for executeTraining: report that the fit is running, as the real activity does through the
 * fitProgress signal, then hang until cancelled.
 */
export const fitThenHang: StubImpl<'executeTraining'> = async (input, ctx) => {
  const progress: TrainingProgress = {
    phase: 'fitting',
    maxIterations: input.maxIterations,
    latest: { iteration: 3, loss: 1.2e-3, rmseEnergyMeVPerAtom: 17.9, rmseForcesMeVPerA: 78.1 },
  };
  if (input.reportTo) {
    await ctx.client.workflow
      .getHandle(input.reportTo.workflowId, input.reportTo.runId)
      .signal(fitProgressSignal, progress);
  }
  return hang();
};
