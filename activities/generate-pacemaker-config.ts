/**
 * generatePacemakerConfig: TrainerParams (as the user wrote them) + the fetched dataset → `input.yaml` in the
 * workspace, checked by the real `pacemaker --dry-run` (on the pyace evaluator: src/pacemaker/dry-run.ts,
 * dryRunDocument) and, for tensorpot, by asking whether its packages are installed. Wrong settings are
 * refused here, non-retryably (InvalidTrainerConfig), instead of after hours of training. Returns only
 * paths and small values: the result goes into workflow history.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_FILES } from '../src/artefact-names';
import { activityContext } from './context';
import {
  bootstrapResample,
  stratifiedSplit,
  stratifiedSplitNote,
  type BootstrapResampleResult,
  type StratifiedSplitResult,
} from '../src/training-set';
import {
  basisShortfalls,
  countFunctionsPerElement,
  dryRunDocument,
  pacemakerDryRun,
  tensorpotInstalled,
  buildPacemakerDocument,
  renderPacemakerYaml,
  unsplitNote,
  effectiveTestSize,
  planWarmStart,
  warmStartDocument,
  WarmStartError,
  warmStartNote,
  warmStartTrainerInput,
  type ParentPotential,
  type WarmStartMode,
  type WarmStartPlan,
} from '../src/pacemaker';
import {
  FailureType,
  nonRetryable,
  retryable,
  resolveTrainerParams,
  type DatasetSummary,
  toInvalidTrainerConfig,
  TrainerParamsError,
  type TrainerParams,
  type TrainerParamsInput,
  resampleNote,
  type CommitteeResample,
  type ResampleSummary,
} from '../src/api';

export interface GeneratePacemakerConfigInput {
  workspaceDir: string;
  /** As the user wrote it; omitted = every default. */
  trainer?: TrainerParamsInput;
  dataset: Pick<DatasetSummary, 'elements' | 'pacemakerDatasetPath'> &
    Partial<Pick<DatasetSummary, 'structures'>>;
  /** A warm start's parent (lookupInitialPotential's answer): the fit continues from it. */
  initialPotential?: ParentPotential;
  /**
   * Committee members only: fit a resample of the dataset drawn with trainer.seed, written into this
   * workspace, and test on the structures it left out (trainer.testSize does not apply).
   */
  resample?: CommitteeResample;
}

export interface GeneratePacemakerConfigResult {
  inputYamlPath: string;
  elements: string[];
  kappa: number | 'auto';
  /** The resolved TrainerParams (every default applied): what the training uses. */
  trainer: TrainerParams;
  /** Set for a warm start: the parent and whether its basis is continued or grown. */
  warmStart?: { from: string; mode: WarmStartMode };
  /** Set for a committee member: the resample it is fitted to. */
  resample?: ResampleSummary;
}

export interface GeneratePacemakerConfigDeps {
  pacemakerBin: string;
  /** Python with pandas, for a committee member's resample (python/bootstrap_dataset.py). */
  python: string;
  /** Limit for pacemaker --dry-run (it builds neighbour lists of the whole dataset). Default 15 min. */
  dryRunTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;

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
function resample(
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
function splitByComposition(
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

export function createGeneratePacemakerConfigActivity(deps: GeneratePacemakerConfigDeps) {
  /** Asked once per worker (packages are not installed while it runs); asked again after a failure. */
  let tensorpot: Promise<{ installed: boolean; missing?: string }> | undefined;
  async function tensorpotMissing(): Promise<string | undefined> {
    tensorpot ??= tensorpotInstalled(deps.python).catch((err: unknown) => {
      tensorpot = undefined;
      throw err;
    });
    const answer = await tensorpot;
    return answer.installed ? undefined : (answer.missing ?? 'tensorpotential is not installed');
  }
  return {
    async generatePacemakerConfig(
      input: GeneratePacemakerConfigInput,
    ): Promise<GeneratePacemakerConfigResult> {
      const ctx = activityContext();
      let trainer: TrainerParams;
      let yamlText: string;
      let dryRunYamlText: string;
      let elements: string[];
      let warm: WarmStartPlan | undefined;
      let resampled: BootstrapResampleResult | undefined;
      const workspaceDir = path.resolve(input.workspaceDir);
      const parent = input.initialPotential;
      try {
        // A warm start's unset basis fields and its reference energies are the parent's.
        trainer = resolveTrainerParams(parent ? warmStartTrainerInput(input.trainer, parent) : input.trainer);
        if (parent) warm = planWarmStart(trainer, parent, input.dataset.elements);
        if (input.resample) resampled = await resample(deps, input, workspaceDir, trainer.seed);
        // Several elements: a test set from every composition class (the data's elements decide: a
        // warm-started potential may describe more than the data holds).
        const split = await splitByComposition(deps, input, workspaceDir, trainer, input.dataset.elements);
        const ownSplit = resampled ?? split;
        // A member with nothing out of bag has no test set: a split of its resample would test on
        // structures it also fits.
        const params = ownSplit && !ownSplit.testPath ? { ...trainer, testSize: 0 } : trainer;
        const doc = buildPacemakerDocument(params, {
          // A warm-started potential describes the parent's elements, even where the data has fewer.
          elements: warm ? warm.elements : input.dataset.elements,
          pacemakerDatasetPath:
            ownSplit?.trainPath ?? path.resolve(workspaceDir, input.dataset.pacemakerDatasetPath),
          structures: input.dataset.structures,
          testDatasetPath: ownSplit?.testPath,
        });
        elements = doc.potential.elements;
        const notes = [
          resampled
            ? resampleNote(resampled.summary)
            : split
              ? stratifiedSplitNote(split.summary)
              : unsplitNote(trainer.testSize, input.dataset.structures),
          warm && parent ? warmStartNote(warm, parent) : undefined,
        ].filter((n): n is string => n !== undefined);
        const finalDoc = warm && parent ? warmStartDocument(doc, warm, parent) : doc;
        yamlText = renderPacemakerYaml(finalDoc, notes.length > 0 ? notes.join('\n') : undefined);
        dryRunYamlText = renderPacemakerYaml(dryRunDocument(finalDoc));
      } catch (err) {
        if (err instanceof TrainerParamsError) throw toInvalidTrainerConfig(err);
        if (err instanceof WarmStartError)
          throw nonRetryable(FailureType.InvalidTrainingRequest, err.message, {
            fields: err.issues.map((i) => i.field),
          });
        throw err;
      }

      const inputYamlPath = path.join(workspaceDir, CONFIG_FILES.inputYaml);
      const tmp = `${inputYamlPath}.${process.pid}.tmp`;
      await fs.writeFile(tmp, yamlText, 'utf8');
      await fs.rename(tmp, inputYamlPath);

      const dryRunDir = path.join(workspaceDir, CONFIG_FILES.dryRunDir);
      await fs.rm(dryRunDir, { recursive: true, force: true });
      await fs.mkdir(dryRunDir, { recursive: true });
      const dryRunYamlPath = path.join(dryRunDir, CONFIG_FILES.inputYaml);
      await fs.writeFile(dryRunYamlPath, dryRunYamlText, 'utf8');
      const result = await pacemakerDryRun({
        pacemakerBin: deps.pacemakerBin,
        inputYamlPath: dryRunYamlPath,
        cwd: dryRunDir,
        timeoutMs: deps.dryRunTimeoutMs,
        signal: ctx?.cancellationSignal,
        heartbeat: () => ctx?.heartbeat(),
        heartbeatIntervalMs: deps.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      });
      if (!result.ok) {
        if (result.reason === 'rejected')
          throw nonRetryable(
            FailureType.InvalidTrainerConfig,
            `pacemaker --dry-run rejected the generated ${CONFIG_FILES.inputYaml}: ${result.message}`,
            { inputYamlPath },
          );
        if (result.reason === 'not-found')
          throw nonRetryable(FailureType.WorkerMisconfigured, result.message);
        if (result.reason === 'killed') throw retryable(FailureType.ProcessKilled, result.message);
        throw new Error(result.message); // a timeout: the host may just have been busy; retry
      }
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
      // A continued basis is the parent's file, not one built from the shapes: nothing to compare.
      if (warm?.mode !== 'continue')
        await refuseTruncatedBasis(path.join(dryRunDir, CONFIG_FILES.targetPotential), trainer, elements);
      await fs.rm(dryRunDir, { recursive: true, force: true });
      return {
        inputYamlPath,
        elements,
        kappa: trainer.kappa,
        trainer,
        ...(warm ? { warmStart: { from: warm.from, mode: warm.mode } } : {}),
        ...(resampled ? { resample: resampled.summary } : {}),
      };
    },
  };
}
