/**
 * generatePacemakerConfig: TrainerParams (as the user wrote them) + the fetched dataset → `input.yaml` in the
 * workspace, checked by the real `pacemaker --dry-run` (on the pyace evaluator: src/pacemaker/dry-run.ts,
 * dryRunDocument) and, for tensorpot, by asking whether its packages are installed. Wrong settings are
 * refused here, non-retryably (InvalidTrainerConfig), instead of after hours of training. Returns only
 * paths and small values: the result goes into workflow history.
 *
 * Its phases, in generate-pacemaker-config/: the translation into input.yaml (input-document.ts), on a
 * member's resample or a several-element split where there is one (dataset-split.ts), then the checks that
 * refuse what would fail only later (checks.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_FILES } from '../src/artefact-names';
import { pacemakerDryRun } from '../src/pacemaker';
import { activityContext } from './context';
import { dryRunFailure, refuseTruncatedBasis, tensorpotCheck } from './generate-pacemaker-config/checks';
import {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  type GeneratePacemakerConfigDeps,
  type GeneratePacemakerConfigInput,
  type GeneratePacemakerConfigResult,
} from './generate-pacemaker-config/contract';
import { inputDocument } from './generate-pacemaker-config/input-document';

export type {
  GeneratePacemakerConfigDeps,
  GeneratePacemakerConfigInput,
  GeneratePacemakerConfigResult,
} from './generate-pacemaker-config/contract';

export function createGeneratePacemakerConfigActivity(deps: GeneratePacemakerConfigDeps) {
  const refuseMissingBackend = tensorpotCheck(deps.python);
  return {
    async generatePacemakerConfig(
      input: GeneratePacemakerConfigInput,
    ): Promise<GeneratePacemakerConfigResult> {
      const workspaceDir = path.resolve(input.workspaceDir);
      const { trainer, yamlText, dryRunYamlText, elements, warm, resampled } = await inputDocument(
        deps,
        input,
        workspaceDir,
      );
      const inputYamlPath = path.join(workspaceDir, CONFIG_FILES.inputYaml);
      const tmp = `${inputYamlPath}.${process.pid}.tmp`;
      await fs.writeFile(tmp, yamlText, 'utf8');
      await fs.rename(tmp, inputYamlPath);

      const dryRunDir = path.join(workspaceDir, CONFIG_FILES.dryRunDir);
      await dryRun(deps, dryRunDir, dryRunYamlText, inputYamlPath);
      await refuseMissingBackend(trainer);
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

/** `pacemaker --dry-run` on the dry-run copy, in a folder of its own; throws what a failure stands for. */
async function dryRun(
  deps: GeneratePacemakerConfigDeps,
  dryRunDir: string,
  dryRunYamlText: string,
  inputYamlPath: string,
): Promise<void> {
  const ctx = activityContext();
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
  const failure = dryRunFailure(result, inputYamlPath);
  if (failure) throw failure;
}
