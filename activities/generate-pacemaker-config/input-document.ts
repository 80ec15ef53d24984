/**
 * TrainerParams as the user wrote them (a warm start's parent and a member's resample folded in) → the
 * text of input.yaml and of its dry-run copy. Invalid parameters and impossible warm starts are refused
 * here, non-retryably, with the fields named.
 */
import path from 'node:path';
import { stratifiedSplitNote, type BootstrapResampleResult } from '../../src/training-set';
import {
  basisForElements,
  buildPacemakerDocument,
  dryRunDocument,
  planWarmStart,
  renderPacemakerYaml,
  unsplitNote,
  WarmStartError,
  warmStartDocument,
  warmStartNote,
  warmStartTrainerInput,
  type WarmStartPlan,
} from '../../src/pacemaker';
import {
  FailureType,
  nonRetryable,
  resampleNote,
  resolveTrainerParams,
  toInvalidTrainerConfig,
  TrainerParamsError,
  type TrainerParams,
} from '../../src/api';
import type { GeneratePacemakerConfigDeps, GeneratePacemakerConfigInput } from './contract';
import { resample, splitByComposition } from './dataset-split';

export interface InputDocument {
  trainer: TrainerParams;
  /** input.yaml, with notes on the split and the warm start. */
  yamlText: string;
  /** The same input, cut for `pacemaker --dry-run`. */
  dryRunYamlText: string;
  elements: string[];
  warm?: WarmStartPlan;
  resampled?: BootstrapResampleResult;
}

export async function inputDocument(
  deps: GeneratePacemakerConfigDeps,
  input: GeneratePacemakerConfigInput,
  workspaceDir: string,
): Promise<InputDocument> {
  try {
    return await translate(deps, input, workspaceDir);
  } catch (err) {
    if (err instanceof TrainerParamsError) throw toInvalidTrainerConfig(err);
    if (err instanceof WarmStartError)
      throw nonRetryable(FailureType.InvalidTrainingRequest, err.message, {
        fields: err.issues.map((i) => i.field),
      });
    throw err;
  }
}

async function translate(
  deps: GeneratePacemakerConfigDeps,
  input: GeneratePacemakerConfigInput,
  workspaceDir: string,
): Promise<InputDocument> {
  const parent = input.initialPotential;
  // A warm start's unset basis fields and its reference energies are the parent's.
  // A cold start's basis suits the data's element count; a warm start's is its parent's.
  const basis = parent
    ? { trainer: resolveTrainerParams(warmStartTrainerInput(input.trainer, parent)), note: undefined }
    : basisForElements(resolveTrainerParams(input.trainer), input.trainer, input.dataset.elements.length);
  const trainer = basis.trainer;
  const warm = parent ? planWarmStart(trainer, parent, input.dataset.elements) : undefined;
  const resampled = input.resample ? await resample(deps, input, workspaceDir, trainer.seed) : undefined;
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
  const notes = [
    basis.note,
    resampled
      ? resampleNote(resampled.summary)
      : split
        ? stratifiedSplitNote(split.summary)
        : unsplitNote(trainer.testSize, input.dataset.structures),
    warm && parent ? warmStartNote(warm, parent) : undefined,
  ].filter((n): n is string => n !== undefined);
  const finalDoc = warm && parent ? warmStartDocument(doc, warm, parent) : doc;
  return {
    trainer,
    yamlText: renderPacemakerYaml(finalDoc, notes.length > 0 ? notes.join('\n') : undefined),
    dryRunYamlText: renderPacemakerYaml(dryRunDocument(finalDoc)),
    elements: doc.potential.elements,
    warm,
    resampled,
  };
}
