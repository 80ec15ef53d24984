/**
 * The steps of a training on one host, in its workspace: [lookupInitialPotential] → fetchTrainingData →
 * generatePacemakerConfig → executeTraining → buildActiveSet → publishPotential. A step whose result the
 * workspace already holds (taken over from a lost host on a shared work root) is not run again. Workflow
 * code only.
 */
import { ActivityCancellationType, upsertSearchAttributes } from '@temporalio/workflow';
import {
  MlipDatasetSize,
  type CommitteeMembership,
  type DatasetSummary,
  type TrainingRequest,
  type TrainingResult,
} from '../src/api';
import type {
  AcquiredWorkspace,
  BuildActiveSetResult,
  ExecuteTrainingResult,
  GeneratePacemakerConfigResult,
} from '../activities';
import { type OnHost, transientRetry } from './activity-options';
import type { TrainingNotebook } from './training-notebook';

/** What the steps in one workspace have produced: a host that takes the workspace over keeps it. */
export interface StepsDone {
  dataset: DatasetSummary;
  config: GeneratePacemakerConfigResult;
  training?: ExecuteTrainingResult;
  activeSet?: BuildActiveSetResult;
}

/** Another host can continue in a workspace once its data are configured (the fit reads nothing else). */
export function readyToHandOver(done: Partial<StepsDone>): done is StepsDone {
  return done.dataset !== undefined && done.config !== undefined;
}

/** One training on one host: what every step needs to know. */
export interface HostTraining {
  request: TrainingRequest;
  name: string;
  membership?: CommitteeMembership;
  notebook: TrainingNotebook;
  ws: AcquiredWorkspace;
  onHost: OnHost;
  reportTo: { workflowId: string; runId: string };
}

/** Runs the steps not yet done, recording each result in `done` as it comes (the failover reads it). */
export async function runStepsOnHost(t: HostTraining, done: Partial<StepsDone>): Promise<TrainingResult> {
  if (!readyToHandOver(done)) await configure(t, done);
  const { dataset, config } = done as StepsDone;
  done.training ??= await fit(t, config);
  done.activeSet ??= await buildActiveSet(t, dataset, done.training);
  return publish(t, { dataset, config, training: done.training, activeSet: done.activeSet });
}

/** [the warm start's parent] → the dataset → input.yaml checked by pacemaker --dry-run. */
async function configure(t: HostTraining, done: Partial<StepsDone>) {
  const { request, membership, notebook, onHost, ws } = t;
  // A warm start's parent is looked up first, on this host: an unknown id, or a parent whose files this
  // host cannot read, fails before any data is fetched.
  const initialPotential = request.initialPotential
    ? await onHost(`look up the initial potential ${request.initialPotential}`, {
        startToCloseTimeout: '2m',
      }).lookupInitialPotential({ initialPotential: request.initialPotential })
    : undefined;
  notebook.phase('fetching-data');
  // Committee members train from the dataset their committee fetched once.
  const dataset =
    membership?.sharedDataset?.summary ??
    (await fetchDataset(
      onHost,
      request,
      ws.workspaceDir,
      'fetch completed calculations → extxyz + pacemaker dataset',
    ));
  done.dataset = dataset;
  upsertSearchAttributes([{ key: MlipDatasetSize, value: dataset.structures }]);

  notebook.phase(
    'generating-config',
    `**Dataset** ${dataset.structures} structures, ${dataset.atoms} atoms, ${dataset.elements.join('-')}, sha256 \`${dataset.sha256.slice(0, 12)}\``,
  );
  done.config = await onHost('TrainerParams → input.yaml, checked by pacemaker --dry-run', {
    startToCloseTimeout: '20m',
    heartbeatTimeout: '2m',
  }).generatePacemakerConfig({
    workspaceDir: ws.workspaceDir,
    trainer: request.trainer,
    dataset,
    initialPotential,
    resample: membership?.resample,
  });
}

/** The campaign's selected calculations → the dataset in `workspaceDir` (a training's, or a committee's). */
export function fetchDataset(
  onHost: OnHost,
  request: TrainingRequest,
  workspaceDir: string,
  summary: string,
): Promise<DatasetSummary> {
  return onHost(summary, { heartbeatTimeout: '2m' }).fetchTrainingData({
    workspaceDir,
    campaign: request.campaign,
    selection: request.selection,
    invalidRecords: request.invalidRecords,
  });
}

async function fit(t: HostTraining, config: GeneratePacemakerConfigResult) {
  const { maxIterations } = config.trainer.optimizer;
  t.notebook.phase('waiting-for-slot', configNote(config));
  return t
    .onHost(`pacemaker fit (${maxIterations} iterations max) → .yace`, {
      startToCloseTimeout: t.request.limits.trainingTimeout,
      heartbeatTimeout: t.request.limits.heartbeatTimeout,
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: { ...transientRetry, maximumAttempts: 5 },
    })
    .executeTraining({
      workspaceDir: t.ws.workspaceDir,
      inputYamlPath: config.inputYamlPath,
      maxIterations,
      reportTo: t.reportTo,
    });
}

async function buildActiveSet(t: HostTraining, dataset: DatasetSummary, training: ExecuteTrainingResult) {
  t.notebook.phase('building-active-set', fitNote(training));
  return t
    .onHost('pace_activeset → .asi for extrapolation grades', {
      startToCloseTimeout: '2h',
      heartbeatTimeout: '2m',
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: { ...transientRetry, maximumAttempts: 3 },
    })
    .buildActiveSet({
      workspaceDir: t.ws.workspaceDir,
      potentialYamlPath: training.potentialYamlPath,
      datasetPath: dataset.pacemakerDatasetPath,
    });
}

async function publish(t: HostTraining, done: Required<StepsDone>): Promise<TrainingResult> {
  const { dataset, config, training, activeSet } = done;
  const { membership, ws } = t;
  t.notebook.phase('publishing', activeSetNote(activeSet));
  const published = await t
    .onHost(`copy artefacts to the potentials store, register ${t.name}`)
    .publishPotential({
      workspaceDir: ws.workspaceDir,
      name: t.name,
      campaign: t.request.campaign,
      inputYamlPath: config.inputYamlPath,
      dataset,
      trainer: config.trainer,
      training,
      activeSetPath: activeSet.asiPath,
      workflowId: t.reportTo.workflowId,
      runId: t.reportTo.runId,
      committee: membership && {
        id: membership.committeeId,
        member: membership.member,
        size: membership.size,
        ...(config.resample ? { resample: config.resample.method, seed: config.resample.seed } : {}),
      },
      parent: t.request.initialPotential,
      host: { id: ws.hostId, taskQueue: ws.hostTaskQueue },
    });
  t.notebook.phase('completed', `**Published** ${published.potentialId}: \`${published.potentialPath}\``);
  return {
    potentialPath: published.potentialPath,
    potentialId: published.potentialId,
    ...(published.activeSetPath ? { activeSetPath: published.activeSetPath } : {}),
    metrics: training.metrics,
    dataset: {
      structures: dataset.structures,
      atoms: dataset.atoms,
      elements: dataset.elements,
      sha256: dataset.sha256,
    },
  };
}

function configNote(config: GeneratePacemakerConfigResult): string {
  const { warmStart, resample } = config;
  return (
    `**Config** kappa ${config.kappa}, ${config.trainer.optimizer.maxIterations} iterations max` +
    (warmStart
      ? `; warm start from ${warmStart.from} (${warmStart.mode === 'grow' ? 'basis grown' : 'basis continued'})`
      : '') +
    (resample
      ? `; bootstrap resample (seed ${resample.seed}): ${resample.distinct} distinct of ${resample.structures}, ${resample.outOfBag} out of bag as the test set`
      : '')
  );
}

function fitNote(training: ExecuteTrainingResult): string {
  const { train, test } = training.metrics;
  return (
    `**Fit** ${training.iterations} iterations${training.resumedFrom ? ` (resumed from ${training.resumedFrom})` : ''}; ` +
    `train RMSE ${train.rmseEnergyMeVPerAtom.toFixed(2)} meV/atom, ${train.rmseForcesMeVPerA.toFixed(1)} meV/Å` +
    (test
      ? `; test RMSE ${test.rmseEnergyMeVPerAtom.toFixed(2)} meV/atom, ${test.rmseForcesMeVPerA.toFixed(1)} meV/Å`
      : '')
  );
}

function activeSetNote(activeSet: BuildActiveSetResult): string {
  return activeSet.asiPath
    ? `**Active set** ${activeSet.elements.map((e) => `${e.element} ${e.activeSetSize ?? '?'} environments`).join(', ')} (${activeSet.seconds.toFixed(1)} s)`
    : `**No active set** ${activeSet.skipped ?? ''}`;
}
