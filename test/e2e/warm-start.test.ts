/**
 * Warm starts end to end (real Temporal, MongoDB-wire server and pacemaker): generation 0 trained from
 * zero, generation 1 trained with `initialPotential` from it, and the ways a warm start is refused.
 */
import type { TrainingResult } from '../../src/api';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { parse } from 'yaml';
import { main as cli } from '../../src/cli/main';
import type { Env } from '../../src/config/env';
import { potentialsCollection, type PotentialRecord } from '../../src/registry/potentials';
import { countFunctionsPerElement } from '../../src/pacemaker/basis-size';
import { parseMetricsTable, type MetricsRow } from '../../src/pacemaker/metrics-table';
import type { TrainingRequestInput } from '../../src/api/training-request';
import { trainPotential } from '../../workflows/train-potential';
import {
  seedCampaign,
  startWorkers,
  testEnv,
  TINY_TRAINER,
  type RunningWorkers,
} from '../harness/training-env';
import { rawErrors } from '../harness/raw-errors';

let env: Env;
let running: RunningWorkers;
let mongo: MongoClient;
let parent: TrainingResult;

/**
 * The children fit on pyace, as the parent does: what a warm start reads and writes (the parent's file,
 * its reference energies, the grown basis) is the evaluator's business only once the fit starts, and
 * tensorpot would add TensorFlow's start-up (about 12 s of CPU) to each. The default evaluator's warm
 * starts run in test/e2e/active-learning-loop.test.ts, every generation after the first.
 */
const WARM_BACKEND = { evaluator: 'pyace', displayStep: 5 } as const;

/** Tiny fits take seconds alone, but other test files' fits share the cores. */
const FIT_TIMEOUT_MS = 300_000;

const train = (request: TrainingRequestInput) =>
  running.client.workflow.execute(trainPotential, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `warm-${randomUUID()}`,
    args: [request],
  });

const registry = (id: string) => potentialsCollection(mongo.db(env.MLIP_DB)).findOne({ _id: id });
const published = (result: TrainingResult, file: string) =>
  fs.readFileSync(path.join(path.dirname(result.potentialPath), file), 'utf8');
const fitMetrics = (result: TrainingResult): MetricsRow[] =>
  parseMetricsTable(published(result, 'fit-metrics.txt'));

/** pacemaker's metadata reference_energy of a published potential, per element (its shift folded in). */
function referenceEnergyOf(result: TrainingResult): Record<string, number> {
  const meta = (parse(published(result, 'output_potential.yaml')) as { metadata: Record<string, string> })
    .metadata;
  const stored = JSON.parse(meta.reference_energy!) as Record<string, number>;
  const { shift = 0, ...perElement } = stored;
  return Object.fromEntries(Object.entries(perElement).map(([el, e]) => [el, e - shift]));
}

async function failureOf(request: TrainingRequestInput) {
  const workflowId = `warm-fail-${randomUUID()}`;
  const err = await running.client.workflow
    .execute(trainPotential, { taskQueue: env.MLIP_TASK_QUEUE, workflowId, args: [request] })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(ActivityFailure);
  const cause = (err as WorkflowFailedError).cause?.cause as ApplicationFailure;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const history = await running.client.workflow.getHandle(workflowId).fetchHistory();
  const steps = (history.events ?? []).flatMap((e) =>
    e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : [],
  );
  return { cause, steps };
}

beforeAll(async () => {
  env = testEnv();
  mongo = await MongoClient.connect(env.MONGODB_URI);
  // Generation 0: 10 structures; generation 1 adds 6 more of the same sequence.
  await seedCampaign(env, 'cu-gen', 10);
  await seedCampaign(env, 'cu-gen', 6, ['--start', '10', '--generation', '1', '--append']);
  running = await startWorkers(env);
  parent = await train({
    campaign: 'cu-gen',
    selection: { maxGeneration: 0 },
    trainer: { ...TINY_TRAINER, optimizer: { maxIterations: 15 } },
  });
}, FIT_TIMEOUT_MS);
afterAll(async () => {
  await running?.stop();
  await mongo?.close();
});

test(
  "generation 1 warm-started from generation 0 continues the parent's coefficients with its reference energies, and the registry names the parent",
  async () => {
    expect(parent.potentialId).toBe('cu-gen@v1');
    expect(parent.dataset.structures).toBe(10);
    const child = await train({
      campaign: 'cu-gen',
      initialPotential: parent.potentialId,
      trainer: { optimizer: { maxIterations: 5 }, backend: WARM_BACKEND },
    });
    expect(child.potentialId).toBe('cu-gen@v2');
    expect(child.dataset.structures).toBe(16);

    const record = (await registry(child.potentialId)) as PotentialRecord;
    expect(record.parent).toBe('cu-gen@v1');
    expect((await registry(parent.potentialId))?.parent).toBeUndefined();
    // Unset basis fields are the parent's (TINY_TRAINER's), not the 300-function default.
    expect(record.trainer).toMatchObject({ ace: { functionsPerElement: 6, correlationOrder: 2 } });

    // The child's input.yaml continues the parent's file and subtracts the parent's reference energies,
    // per element (never "auto", which would recompute them from generation 1's data).
    const input = parse(published(child, 'input.yaml')) as {
      potential: unknown;
      data: { reference_energy: Record<string, number> };
    };
    const parentRecord = (await registry(parent.potentialId)) as PotentialRecord;
    expect(input.potential).toBe(parentRecord.files.potentialYaml!.path);
    const parentEnergies = referenceEnergyOf(parent);
    expect(Object.keys(input.data.reference_energy)).toEqual(['Cu']);
    expect(input.data.reference_energy.Cu).toBeCloseTo(parentEnergies.Cu!, 9);
    expect(referenceEnergyOf(child).Cu).toBeCloseTo(parentEnergies.Cu!, 9);

    // The child's .yace returns the data's total energies: on its 16 structures, with no offset removed,
    // pyace's errors are pacemaker's own train and test errors combined (the references sit in its E0).
    expect(record.referenceEnergies?.Cu).toBeCloseTo(parentEnergies.Cu!, 9);
    const raw = rawErrors(child.potentialPath, 'emt', { start: 0, count: 16 });
    const { train: fitted, test: held } = child.metrics;
    const combined = Math.sqrt(
      (fitted.structures * fitted.rmseEnergyMeVPerAtom ** 2 +
        (held?.structures ?? 0) * (held?.rmseEnergyMeVPerAtom ?? 0) ** 2) /
        (fitted.structures + (held?.structures ?? 0)),
    );
    expect(fitted.structures + (held?.structures ?? 0)).toBe(16);
    expect(raw.rmseEnergyMeVPerAtom).toBeCloseTo(combined, 0);

    // It really started from the parent's coefficients: its first loss and force error are far below a
    // start from zero (the parent's own iteration 0; about 100x and 10x here).
    const cold = fitMetrics(parent);
    const warm = fitMetrics(child);
    expect(warm[0]!.iteration).toBe(0);
    expect(warm[0]!.loss).toBeLessThan(cold[0]!.loss / 10);
    expect(warm[0]!.rmseForcesMeVPerA).toBeLessThan(cold[0]!.rmseForcesMeVPerA / 3);

    // The lineage as a user reads it.
    const out: string[] = [];
    const code = await cli(['potentials', '--lineage', 'cu-gen'], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      env: { MONGODB_URI: env.MONGODB_URI, MLIP_DB: env.MLIP_DB },
    });
    expect(code).toBe(0);
    expect(out.slice(1, 3).map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual([
      ['cu-gen@v2', 'cu-gen@v1', '16'],
      ['cu-gen@v1', '-', '10'],
    ]);

    // ...and what it says of the child's energies.
    const shown: string[] = [];
    await cli(['potentials', '--show', 'cu-gen@v2'], {
      out: (l) => shown.push(l),
      err: (l) => shown.push(l),
      env: { MONGODB_URI: env.MONGODB_URI, MLIP_DB: env.MLIP_DB },
    });
    expect(shown).toContainEqual(
      expect.stringMatching(/^energies +absolute \(E0 per atom, eV: Cu -?\d+\.\d{4}\)$/),
    );
  },
  FIT_TIMEOUT_MS,
);

test(
  "a larger functionsPerElement grows the parent's basis: the parent's functions start fitted, the new ones are added",
  async () => {
    const child = await train({
      campaign: 'cu-gen',
      potentialName: 'cu-gen-grown',
      initialPotential: parent.potentialId,
      trainer: { ace: { functionsPerElement: 10 }, optimizer: { maxIterations: 5 }, backend: WARM_BACKEND },
    });
    const input = parse(published(child, 'input.yaml')) as { potential: Record<string, unknown> };
    expect(input.potential.initial_potential).toBe(
      ((await registry(parent.potentialId)) as PotentialRecord).files.potentialYaml!.path,
    );
    expect(countFunctionsPerElement(published(child, 'output_potential.yaml')).get('Cu')).toBe(10);
    expect(countFunctionsPerElement(published(parent, 'output_potential.yaml')).get('Cu')).toBe(6);
    expect((await registry(child.potentialId))?.parent).toBe(parent.potentialId);
    expect(fitMetrics(child)[0]!.loss).toBeLessThan(fitMetrics(parent)[0]!.loss / 10);
  },
  FIT_TIMEOUT_MS,
);

test('an unknown initialPotential fails before any data is fetched, naming the field and the versions there are', async () => {
  const { cause, steps } = await failureOf({ campaign: 'cu-gen', initialPotential: 'cu-gen@v99' });
  expect(cause.type).toBe('InvalidTrainingRequest');
  expect(cause.nonRetryable).toBe(true);
  expect(cause.message).toMatch(
    /^initialPotential: no potential cu-gen@v99 in the registry \(cu-gen has versions v1/,
  );
  expect(steps).not.toContain('fetchTrainingData');
});

test('data with an element the parent lacks is refused before the fit, naming the element and what to do', async () => {
  await seedCampaign(env, 'cuni-gen', 6, ['--elements', 'Cu,Ni']);
  const { cause, steps } = await failureOf({ campaign: 'cuni-gen', initialPotential: parent.potentialId });
  expect(cause.type).toBe('InvalidTrainingRequest');
  expect(cause.nonRetryable).toBe(true);
  expect(cause.message).toContain('cannot warm-start from initialPotential cu-gen@v1');
  expect(cause.message).toMatch(
    /initialPotential: the training data has Ni, which cu-gen@v1 does not describe \(it has Cu\)/,
  );
  expect(cause.message).toContain('train without initialPotential (a cold start)');
  expect(steps).not.toContain('executeTraining');
});

test('a parent whose files this host cannot read fails, saying the potentials directory must be shared', async () => {
  const original = (await registry(parent.potentialId)) as PotentialRecord;
  const elsewhere = '/srv/other-host/potentials/cu-far/v1/output_potential.yaml';
  await potentialsCollection(mongo.db(env.MLIP_DB)).insertOne({
    ...original,
    _id: 'cu-far@v1',
    name: 'cu-far',
    publishKey: `${original.publishKey}/far`,
    directory: path.dirname(elsewhere),
    files: { ...original.files, potentialYaml: { ...original.files.potentialYaml!, path: elsewhere } },
  });
  const { cause, steps } = await failureOf({ campaign: 'cu-gen', initialPotential: 'cu-far@v1' });
  expect(cause.type).toBe('WorkerMisconfigured');
  expect(cause.nonRetryable).toBe(true);
  expect(cause.message).toContain(`${elsewhere} cannot be read on training host host-a (ENOENT)`);
  expect(cause.message).toContain('MLIP_POTENTIALS_DIR) must be shared by every training host');
  expect(steps).not.toContain('fetchTrainingData');
});
