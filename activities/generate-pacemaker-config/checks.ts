/**
 * What is refused before a training waits for a slot: an input `pacemaker --dry-run` rejects, a basis
 * pacemaker would silently truncate, and the tensorpot backend on a worker that cannot run it.
 */
import fs from 'node:fs/promises';
import { CONFIG_FILES } from '../../src/artefact-names';
import {
  basisShortfalls,
  countFunctionsPerElement,
  type DryRunResult,
  tensorpotInstalled,
  usableBlocksPerElement,
} from '../../src/pacemaker';
import { FailureType, nonRetryable, retryable, type TrainerParams } from '../../src/api';

/** The failure a dry run that did not pass stands for (undefined: it passed). */
export function dryRunFailure(result: DryRunResult, inputYamlPath: string): Error | undefined {
  if (result.ok) return undefined;
  if (result.reason === 'rejected')
    return nonRetryable(
      FailureType.InvalidTrainerConfig,
      `pacemaker --dry-run rejected the generated ${CONFIG_FILES.inputYaml}: ${result.message}`,
      { inputYamlPath },
    );
  if (result.reason === 'not-found') return nonRetryable(FailureType.WorkerMisconfigured, result.message);
  if (result.reason === 'killed') return retryable(FailureType.ProcessKilled, result.message);
  return new Error(result.message); // a timeout: the host may just have been busy; retry
}

/**
 * pacemaker fits fewer functions than asked when the shapes cannot hold them, and says so only in its log:
 * refuse such a request with the most that can be asked for.
 */
export async function refuseTruncatedBasis(
  targetPotentialPath: string,
  trainer: TrainerParams,
  elements: string[],
) {
  let built: string;
  try {
    built = await fs.readFile(targetPotentialPath, 'utf8');
  } catch {
    return; // this pacemaker writes no basis on --dry-run: nothing to check against
  }
  const { functionsPerElement, nradmaxByOrder, lmaxByOrder } = trainer.ace;
  const short = basisShortfalls(functionsPerElement, countFunctionsPerElement(built), elements);
  if (short.length === 0) return;
  // The most that can be asked for is also a request pacemaker builds exactly (species-blocks.ts).
  const usable = usableBlocksPerElement(elements.length, trainer.ace.correlationOrder);
  const most = Math.floor(Math.min(...short.map((s) => s.available)) / usable) * usable;
  throw nonRetryable(
    FailureType.InvalidTrainerConfig,
    `ace.functionsPerElement asks for ${functionsPerElement} functions per element, but the shapes ` +
      `ace.nradmaxByOrder [${nradmaxByOrder.join(', ')}] and ace.lmaxByOrder [${lmaxByOrder.join(', ')}] hold only ` +
      `${short.map((s) => `${s.available} for ${s.element}`).join(', ')} (pacemaker would fit that many without ` +
      `saying so): ask for at most ${most}, or widen the shapes`,
    { fields: ['ace.functionsPerElement'], maxFunctionsPerElement: most },
  );
}

/**
 * Refuses the tensorpot backend where this worker's pacemaker cannot use it. Whether it can is asked once
 * per worker (packages are not installed while it runs), and again after a failure to ask.
 */
export function tensorpotCheck(python: string): (trainer: TrainerParams) => Promise<void> {
  let tensorpot: Promise<{ installed: boolean; missing?: string }> | undefined;
  async function tensorpotMissing(): Promise<string | undefined> {
    tensorpot ??= tensorpotInstalled(python).catch((err: unknown) => {
      tensorpot = undefined;
      throw err;
    });
    const answer = await tensorpot;
    return answer.installed ? undefined : (answer.missing ?? 'tensorpotential is not installed');
  }
  return async (trainer) => {
    // The dry run ran on pyace, so it says nothing of the tensorpot backend; without tensorpotential
    // (TensorFlow) the fit would fail at its first step, perhaps after hours waiting for a slot. Refuse now.
    const backendMissing = trainer.backend.evaluator === 'tensorpot' ? await tensorpotMissing() : undefined;
    if (backendMissing)
      throw nonRetryable(
        FailureType.WorkerMisconfigured,
        `backend.evaluator is "tensorpot" but this worker's pacemaker cannot use it (${backendMissing}); ` +
          `install tensorpotential with TensorFlow on the worker, or use backend.evaluator "pyace"`,
        { field: 'backend.evaluator' },
      );
  };
}
