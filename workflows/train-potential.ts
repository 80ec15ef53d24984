/**
 * trainPotential: completed DFT calculations of a campaign → a published ACE potential (.yace).
 *
 *   resolveTrainingRequest (local activity) → the request with its defaults, recorded once per run
 *   acquireWorkspace (shared queue) → this host's queue + a workspace directory
 *   [lookupInitialPotential, warm starts only] → fetchTrainingData → generatePacemakerConfig →
 *   executeTraining → buildActiveSet → publishPotential   (host queue)
 *   finally: cleanupWorkspace (host queue, not cancellable)
 *
 * If the host stops serving its queue (a step waits longer than limits.hostStartTimeout to start), the
 * sequence starts again on another host, up to limits.maxHostAttempts; when the hosts share their work
 * root, the next host takes the workspace over and continues with the step that was lost (a fit from its
 * checkpoint). Only paths, ids, hashes and a few numbers enter history, and a fit adds a bounded number
 * of events however long it runs (src/training/progress-reports.ts).
 *
 * Commands must stay in the order recorded histories have them (test/replay): a new behaviour either only
 * happens where old runs never went (a workspace taken over), or sits behind patched() (workflows/patches.ts).
 */
import {
  type TrainingResult,
  type CommitteeMembership,
  MlipCampaign,
  MlipDatasetSize,
  MlipPhase,
  FIT_PHASES,
  type TrainingPhase,
  type TrainingProgress,
  checkedTrainingRequest,
  type TrainingRequestInput,
  fitProgressSignal,
  progressQuery,
} from '../src/api';
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  AcquiredWorkspace,
  BuildActiveSetResult,
  ExecuteTrainingResult,
  GeneratePacemakerConfigResult,
} from '../activities';
import type { DatasetSummary } from '../src/api';
import { rebasePaths } from './carry-over';
import { anyHostWithRoom, hostActivities, hostLost, resolveOnce, transientRetry } from './activity-options';
import { PATCHES } from './patches';

/** What the steps in one workspace have produced: a host that takes the workspace over keeps it. */
interface StepsDone {
  dataset: DatasetSummary;
  config: GeneratePacemakerConfigResult;
  training?: ExecuteTrainingResult;
  activeSet?: BuildActiveSetResult;
}

export async function trainPotential(
  input: TrainingRequestInput,
  membership?: CommitteeMembership,
): Promise<TrainingResult> {
  let progress: TrainingProgress = { phase: 'validating' };
  setHandler(progressQuery, () => progress);
  setHandler(fitProgressSignal, (update) => {
    // Fit progress only matters while the fit runs; a late signal must not move the phase backwards.
    if (!FIT_PHASES.includes(progress.phase)) return;
    // Keep MlipPhase current too, so that `MlipPhase = "fitting"` finds the trainings fitting right now.
    if (update.phase !== progress.phase) upsertSearchAttributes([{ key: MlipPhase, value: update.phase }]);
    progress = update;
  });

  // Runs that started before the request was resolved by a local activity still validate in workflow code.
  const resolved = patched(PATCHES.resolveRequestOnce)
    ? await resolveOnce('resolve the request and its defaults').resolveTrainingRequest(input)
    : checkedTrainingRequest(input);
  if (!resolved.ok) {
    if (patched(PATCHES.finalPhaseBeforeHost)) {
      progress = { phase: 'failed' };
      upsertSearchAttributes([{ key: MlipPhase, value: 'failed' }]);
    }
    throw ApplicationFailure.nonRetryable(resolved.message, resolved.failureType);
  }
  const request = resolved.request;
  const name = request.potentialName ?? request.campaign;
  const { workflowId, runId } = workflowInfo();

  upsertSearchAttributes([{ key: MlipCampaign, value: request.campaign }]);
  const notebook: string[] = [`**Campaign** ${request.campaign} → potential **${name}**`];
  const setPhase = (phase: TrainingPhase, note?: string) => {
    progress = { ...progress, phase };
    upsertSearchAttributes([{ key: MlipPhase, value: phase }]);
    if (note) notebook.push(note);
    const details = [...notebook, `**Phase** ${phase}`].join('\n\n');
    // Current details are answered by a worker while the run is open; the memo keeps the notebook after.
    setCurrentDetails(details);
    upsertMemo({ notebook: details });
  };

  const pinned = membership?.sharedDataset;
  if (membership)
    notebook.push(
      `**Committee** member ${membership.member + 1} of ${membership.size} (${membership.committeeId})`,
    );

  /** A lost workspace on a shared work root and what was done in it: the next host continues from there. */
  let handOver: { workspaceDir: string; done: StepsDone } | undefined;
  /** Workspaces taken over from lost hosts: the host that ends the training removes them. */
  const takenOver: string[] = [];

  for (let hostAttempt = 1; ; hostAttempt++) {
    setPhase('acquiring-workspace');
    let ws: AcquiredWorkspace;
    try {
      ws = pinned
        ? await hostActivities(
            pinned.hostTaskQueue,
            request,
          )('make a workspace next to the committee dataset').acquireWorkspace({
            workflowId,
            runId,
            hostAttempt,
            pinned: true,
          })
        : await anyHostWithRoom(
            handOver
              ? 'pick a host that shares the work root and take the lost workspace over'
              : 'pick a training host with room and make a workspace there',
          ).acquireWorkspace({
            workflowId,
            runId,
            hostAttempt,
            ...(handOver ? { carryOver: { workspaceDir: handOver.workspaceDir } } : {}),
          });
    } catch (err) {
      // No workspace yet, so nothing to clean; the phase says how the training ended.
      if (patched(PATCHES.finalPhaseBeforeHost)) setPhase(isCancellation(err) ? 'cancelled' : 'failed');
      throw err;
    }
    const onHost = hostActivities(ws.hostTaskQueue, request);
    let done: StepsDone | undefined;
    if (handOver && ws.carriedOver) {
      done = rebasePaths(handOver.done, handOver.workspaceDir, ws.workspaceDir);
      takenOver.push(handOver.workspaceDir);
      notebook.push(
        `**Host** ${ws.hostId} (attempt ${hostAttempt}) took the workspace over (shared work root): the training ` +
          `continues from ${done.training ? 'its finished fit' : "the fit's latest checkpoint"}, \`${ws.workspaceDir}\``,
      );
    } else {
      notebook.push(`**Host** ${ws.hostId} (attempt ${hostAttempt}), workspace \`${ws.workspaceDir}\``);
    }
    handOver = undefined;
    let lost = false;
    const current: Partial<StepsDone> = { ...done };
    try {
      if (!current.config) {
        // A warm start's parent is looked up first, on this host: an unknown id, or a parent whose files
        // this host cannot read, fails before any data is fetched.
        const initialPotential = request.initialPotential
          ? await onHost(`look up the initial potential ${request.initialPotential}`, {
              startToCloseTimeout: '2m',
            }).lookupInitialPotential({ initialPotential: request.initialPotential })
          : undefined;
        setPhase('fetching-data');
        // Committee members train from the dataset their committee fetched once.
        const dataset =
          pinned?.summary ??
          (await onHost('fetch completed calculations → extxyz + pacemaker dataset', {
            heartbeatTimeout: '2m',
          }).fetchTrainingData({
            workspaceDir: ws.workspaceDir,
            campaign: request.campaign,
            selection: request.selection,
            invalidRecords: request.invalidRecords,
          }));
        current.dataset = dataset;
        upsertSearchAttributes([{ key: MlipDatasetSize, value: dataset.structures }]);

        setPhase(
          'generating-config',
          `**Dataset** ${dataset.structures} structures, ${dataset.atoms} atoms, ${dataset.elements.join('-')}, sha256 \`${dataset.sha256.slice(0, 12)}\``,
        );
        current.config = await onHost('TrainerParams → input.yaml, checked by pacemaker --dry-run', {
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
      const { dataset, config } = current as StepsDone;

      if (!current.training) {
        setPhase(
          'waiting-for-slot',
          `**Config** kappa ${config.kappa}, ${config.trainer.optimizer.maxIterations} iterations max` +
            (config.warmStart
              ? `; warm start from ${config.warmStart.from} (${config.warmStart.mode === 'grow' ? 'basis grown' : 'basis continued'})`
              : '') +
            (config.resample
              ? `; bootstrap resample (seed ${config.resample.seed}): ${config.resample.distinct} distinct of ${config.resample.structures}, ${config.resample.outOfBag} out of bag as the test set`
              : ''),
        );
        current.training = await onHost(
          `pacemaker fit (${config.trainer.optimizer.maxIterations} iterations max) → .yace`,
          {
            startToCloseTimeout: request.limits.trainingTimeout,
            heartbeatTimeout: request.limits.heartbeatTimeout,
            cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
            retry: { ...transientRetry, maximumAttempts: 5 },
          },
        ).executeTraining({
          workspaceDir: ws.workspaceDir,
          inputYamlPath: config.inputYamlPath,
          maxIterations: config.trainer.optimizer.maxIterations,
          reportTo: { workflowId, runId },
        });
      }
      const training = current.training;

      if (!current.activeSet) {
        const { train, test } = training.metrics;
        setPhase(
          'building-active-set',
          `**Fit** ${training.iterations} iterations${training.resumedFrom ? ` (resumed from ${training.resumedFrom})` : ''}; ` +
            `train RMSE ${train.rmseEnergyMeVPerAtom.toFixed(2)} meV/atom, ${train.rmseForcesMeVPerA.toFixed(1)} meV/Å` +
            (test
              ? `; test RMSE ${test.rmseEnergyMeVPerAtom.toFixed(2)} meV/atom, ${test.rmseForcesMeVPerA.toFixed(1)} meV/Å`
              : ''),
        );
        current.activeSet = await onHost('pace_activeset → .asi for extrapolation grades', {
          startToCloseTimeout: '2h',
          heartbeatTimeout: '2m',
          cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
          retry: { ...transientRetry, maximumAttempts: 3 },
        }).buildActiveSet({
          workspaceDir: ws.workspaceDir,
          potentialYamlPath: training.potentialYamlPath,
          datasetPath: dataset.pacemakerDatasetPath,
        });
      }
      const activeSet = current.activeSet;

      setPhase(
        'publishing',
        activeSet.asiPath
          ? `**Active set** ${activeSet.elements.map((e) => `${e.element} ${e.activeSetSize ?? '?'} environments`).join(', ')} (${activeSet.seconds.toFixed(1)} s)`
          : `**No active set** ${activeSet.skipped ?? ''}`,
      );
      const published = await onHost(
        `copy artefacts to the potentials store, register ${name}`,
      ).publishPotential({
        workspaceDir: ws.workspaceDir,
        name,
        campaign: request.campaign,
        inputYamlPath: config.inputYamlPath,
        dataset,
        trainer: config.trainer as unknown as Record<string, unknown>,
        training,
        activeSetPath: activeSet.asiPath,
        workflowId,
        runId,
        committee: membership && {
          id: membership.committeeId,
          member: membership.member,
          size: membership.size,
          ...(config.resample ? { resample: config.resample.method, seed: config.resample.seed } : {}),
        },
        parent: request.initialPotential,
        host: { id: ws.hostId, taskQueue: ws.hostTaskQueue },
      });
      setPhase('completed', `**Published** ${published.potentialId}: \`${published.potentialPath}\``);
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
    } catch (err) {
      // A committee member cannot move: its dataset lives on its host.
      lost = !isCancellation(err) && !pinned && hostLost(err);
      if (lost && hostAttempt < request.limits.maxHostAttempts) {
        log.warn('training host stopped serving its queue; starting again on another host', {
          host: ws.hostId,
          hostAttempt,
        });
        // On a shared work root the next host can continue in this workspace, once its data are configured.
        if (ws.sharedWorkRoot && current.dataset && current.config) {
          handOver = { workspaceDir: ws.workspaceDir, done: current as StepsDone };
          notebook.push(
            `**Host lost** ${ws.hostId}: another host that shares the work root takes the training over`,
          );
        } else {
          notebook.push(`**Host lost** ${ws.hostId}: starting again on another host`);
        }
        continue;
      }
      setPhase(isCancellation(err) ? 'cancelled' : 'failed');
      throw err;
    } finally {
      // A lost host cannot clean up now; its worker removes stale workspaces when it comes back (or, on a
      // shared work root, the host that takes the training over removes it at the end).
      const remove = lost ? [] : [ws.workspaceDir, ...(handOver ? [] : takenOver)];
      if (remove.length) {
        await CancellationScope.nonCancellable(async () => {
          for (const workspaceDir of remove) {
            try {
              await onHost('remove the workspace', {
                startToCloseTimeout: '5m',
                retry: { ...transientRetry, maximumAttempts: 5 },
              }).cleanupWorkspace({ workspaceDir });
            } catch (cleanupErr) {
              log.warn('could not clean the workspace', { workspaceDir, error: String(cleanupErr) });
            }
          }
        });
      }
    }
  }
}
