/**
 * The dataset a training fits and tests on, when it is not pacemaker's own random split: a committee
 * member's resample, or a several-element dataset's test split by composition class. Both are written into
 * the workspace by a Python helper.
 */
import path from 'node:path';
import {
  bootstrapResample,
  stratifiedSplit,
  type BootstrapResampleResult,
  type StratifiedSplitResult,
} from '../../src/training-set';
import { effectiveTestSize } from '../../src/pacemaker';
import type { TrainerParams } from '../../src/api';
import { activityContext } from '../context';
import {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  type GeneratePacemakerConfigDeps,
  type GeneratePacemakerConfigInput,
} from './contract';

/**
 * How this activity runs a dataset helper: the worker's Python, heartbeating while it runs, stopped when
 * the activity is cancelled; and the dataset it reads.
 */
function helperRun(
  deps: GeneratePacemakerConfigDeps,
  input: GeneratePacemakerConfigInput,
  workspaceDir: string,
) {
  const ctx = activityContext();
  return {
    python: deps.python,
    signal: ctx?.cancellationSignal,
    heartbeat: () => ctx?.heartbeat(),
    heartbeatIntervalMs: deps.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    datasetPath: path.resolve(workspaceDir, input.dataset.pacemakerDatasetPath),
    workspaceDir,
  };
}

/** A committee member's resample. */
export function resample(
  deps: GeneratePacemakerConfigDeps,
  input: GeneratePacemakerConfigInput,
  workspaceDir: string,
  seed: number,
): Promise<BootstrapResampleResult> {
  return bootstrapResample({ ...helperRun(deps, input, workspaceDir), seed });
}

/**
 * A several-element dataset's test split, held out from every composition class (pacemaker's own random
 * split can miss a small class); undefined where pacemaker's split serves: one element (one class), a
 * committee member (tested on its out-of-bag structures), or no split to make.
 */
export function splitByComposition(
  deps: GeneratePacemakerConfigDeps,
  input: GeneratePacemakerConfigInput,
  workspaceDir: string,
  trainer: TrainerParams,
  elements: string[],
): Promise<StratifiedSplitResult> | undefined {
  if (input.resample || elements.length < 2) return undefined;
  if (effectiveTestSize(trainer.testSize, input.dataset.structures) === undefined) return undefined;
  return stratifiedSplit({
    ...helperRun(deps, input, workspaceDir),
    testSize: trainer.testSize,
    seed: trainer.seed,
  });
}
