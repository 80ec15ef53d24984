/**
 * generatePacemakerConfig: TrainerParams (as the user wrote them) + the fetched dataset → `input.yaml` in the
 * workspace, checked by the real `pacemaker --dry-run`. Wrong settings are refused here, non-retryably
 * (InvalidTrainerConfig), instead of after hours of training. Returns only paths and small values: the
 * result goes into workflow history.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { FailureType, nonRetryable } from '../src/errors';
import type { DatasetSummary } from '../src/dataset/dataset-summary';
import { basisShortfalls, countFunctionsPerElement } from '../src/pacemaker/basis-size';
import { pacemakerDryRun } from '../src/pacemaker/dry-run';
import { buildPacemakerDocument, renderPacemakerYaml, unsplitNote } from '../src/trainer/pacemaker-config';
import {
  resolveTrainerParams,
  toInvalidTrainerConfig,
  TrainerParamsError,
  type TrainerParams,
  type TrainerParamsInput,
} from '../src/trainer/trainer-params';

export const INPUT_YAML = 'input.yaml';
/** pacemaker --dry-run writes log.txt, target_potential.yaml, ...: kept out of the training's own files. */
export const DRY_RUN_DIR = 'dry-run';
/** The basis pacemaker built, written by --dry-run: its function count is checked against the request. */
const TARGET_POTENTIAL = 'target_potential.yaml';

export interface GeneratePacemakerConfigInput {
  workspaceDir: string;
  /** As the user wrote it; omitted = every default. */
  trainer?: TrainerParamsInput;
  dataset: Pick<DatasetSummary, 'elements' | 'pacemakerDatasetPath'> &
    Partial<Pick<DatasetSummary, 'structures'>>;
}

export interface GeneratePacemakerConfigResult {
  inputYamlPath: string;
  elements: string[];
  kappa: number | 'auto';
  /** The resolved TrainerParams (every default applied): what the training uses. */
  trainer: TrainerParams;
}

export interface GeneratePacemakerConfigDeps {
  pacemakerBin: string;
  /** Limit for pacemaker --dry-run (it builds neighbour lists of the whole dataset). Default 15 min. */
  dryRunTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // not running inside an activity (direct call in a test or the CLI)
  }
}

/**
 * pacemaker fits fewer functions than asked when the shapes cannot hold them, and says so only in its log:
 * refuse such a request with the most that can be asked for.
 */
async function refuseTruncatedBasis(targetPotentialPath: string, trainer: TrainerParams, elements: string[]) {
  let built: string;
  try {
    built = await fs.readFile(targetPotentialPath, 'utf8');
  } catch {
    return; // this pacemaker writes no basis on --dry-run: nothing to check against
  }
  const { functionsPerElement, nradmaxByOrder, lmaxByOrder } = trainer.ace;
  const short = basisShortfalls(functionsPerElement, countFunctionsPerElement(built), elements);
  if (short.length === 0) return;
  const most = Math.min(...short.map((s) => s.available));
  throw nonRetryable(
    FailureType.InvalidTrainerConfig,
    `ace.functionsPerElement asks for ${functionsPerElement} functions per element, but the shapes ` +
      `ace.nradmaxByOrder [${nradmaxByOrder.join(', ')}] and ace.lmaxByOrder [${lmaxByOrder.join(', ')}] hold only ` +
      `${short.map((s) => `${s.available} for ${s.element}`).join(', ')} (pacemaker would fit that many without ` +
      `saying so): ask for at most ${most}, or widen the shapes`,
    { fields: ['ace.functionsPerElement'], maxFunctionsPerElement: most },
  );
}

export function createGeneratePacemakerConfigActivity(deps: GeneratePacemakerConfigDeps) {
  return {
    async generatePacemakerConfig(
      input: GeneratePacemakerConfigInput,
    ): Promise<GeneratePacemakerConfigResult> {
      let trainer: TrainerParams;
      let yamlText: string;
      let elements: string[];
      const workspaceDir = path.resolve(input.workspaceDir);
      try {
        trainer = resolveTrainerParams(input.trainer);
        const doc = buildPacemakerDocument(trainer, {
          elements: input.dataset.elements,
          pacemakerDatasetPath: path.resolve(workspaceDir, input.dataset.pacemakerDatasetPath),
          structures: input.dataset.structures,
        });
        elements = doc.potential.elements;
        yamlText = renderPacemakerYaml(doc, unsplitNote(trainer.testSize, input.dataset.structures));
      } catch (err) {
        if (err instanceof TrainerParamsError) throw toInvalidTrainerConfig(err);
        throw err;
      }

      const inputYamlPath = path.join(workspaceDir, INPUT_YAML);
      const tmp = `${inputYamlPath}.${process.pid}.tmp`;
      await fs.writeFile(tmp, yamlText, 'utf8');
      await fs.rename(tmp, inputYamlPath);

      const dryRunDir = path.join(workspaceDir, DRY_RUN_DIR);
      await fs.rm(dryRunDir, { recursive: true, force: true });
      await fs.mkdir(dryRunDir, { recursive: true });
      const ticker = setInterval(heartbeat, deps.heartbeatIntervalMs ?? 10_000);
      let result;
      try {
        result = await pacemakerDryRun({
          pacemakerBin: deps.pacemakerBin,
          inputYamlPath,
          cwd: dryRunDir,
          timeoutMs: deps.dryRunTimeoutMs,
        });
      } finally {
        clearInterval(ticker);
      }
      if (!result.ok) {
        if (result.reason === 'rejected')
          throw nonRetryable(
            FailureType.InvalidTrainerConfig,
            `pacemaker --dry-run rejected the generated ${INPUT_YAML}: ${result.message}`,
            { inputYamlPath },
          );
        if (result.reason === 'not-found')
          throw nonRetryable(FailureType.WorkerMisconfigured, result.message);
        throw new Error(result.message); // a timeout: the host may just have been busy; retry
      }
      // pacemaker --dry-run does not need the tensorpot backend, so it exits 0 even where tensorpotential
      // (TensorFlow) is missing; the fit would then fail at its first step. Refuse it now.
      const backendMissing = result.errorLines.find((l) =>
        /No module named '(tensorpotential|tensorflow)/.test(l),
      );
      if (trainer.backend.evaluator === 'tensorpot' && backendMissing)
        throw nonRetryable(
          FailureType.WorkerMisconfigured,
          `backend.evaluator is "tensorpot" but this worker's pacemaker cannot use it (${backendMissing}); ` +
            `install tensorpotential with TensorFlow on the worker, or use backend.evaluator "pyace"`,
          { field: 'backend.evaluator' },
        );
      await refuseTruncatedBasis(path.join(dryRunDir, TARGET_POTENTIAL), trainer, elements);
      await fs.rm(dryRunDir, { recursive: true, force: true });
      return { inputYamlPath, elements, kappa: trainer.kappa, trainer };
    },
  };
}
