/**
 * The fitted potential made ready for its users: the switch to core repulsion moved below the data's
 * shortest distances (src/pacemaker/inner-cutoff.ts), the conversion to .yace, and the reference energies
 * pacemaker subtracted put back into the .yace's E0 (src/pacemaker/reference-energy.ts), so that pyace and
 * LAMMPS return the data's total energies.
 */
import type { Context } from '@temporalio/activity';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TRAINER_FILES } from '../../src/artefact-names';
import { FailureType, nonRetryable } from '../../src/api';
import {
  fittedReferenceEnergies,
  moveInnerCutoff,
  readableTail,
  ReferenceEnergyError,
  withReferenceEnergies,
} from '../../src/pacemaker';
import type { FitFiles } from './fit-workspace';
import { runHelper } from './helper-run';
import type { FitSettings } from './settings';

export async function makeYace(ctx: Context, settings: FitSettings, files: FitFiles): Promise<void> {
  moveCoreRepulsionSwitch(files.potentialYaml);
  await convertToYace(ctx, settings, files);
  foldReferenceEnergies(files);
}

/**
 * Moves the switch to ZBL core repulsion just below the data's shortest distances and spreads it over a
 * third of them instead of pacemaker's 0.1 Å, in output_potential.yaml itself, so that the .yace, the
 * active set and warm starts all read the same potential. Predictions on the data do not change.
 * Idempotent, so a retried conversion leaves the file as the first made it.
 */
function moveCoreRepulsionSwitch(potentialYamlPath: string) {
  const { text, changes } = moveInnerCutoff(fs.readFileSync(potentialYamlPath, 'utf8'));
  if (changes.length === 0) return;
  fs.writeFileSync(`${potentialYamlPath}.tmp`, text);
  fs.renameSync(`${potentialYamlPath}.tmp`, potentialYamlPath);
  const what = changes
    .map(
      (c) =>
        `${c.block}: shortest ${c.shortest.toFixed(3)} Å, r_in ${c.rIn.toFixed(3)} Å, delta_in ${c.deltaIn.toFixed(3)} Å`,
    )
    .join('; ');
  fs.appendFileSync(
    path.join(path.dirname(potentialYamlPath), TRAINER_FILES.log),
    `\n[mlip-autopipe] core-repulsion switch moved below the data's shortest distances (${what})\n`,
  );
}

async function convertToYace(ctx: Context, settings: FitSettings, files: FitFiles) {
  const { potentialYaml, yace } = files;
  const r = await runHelper(ctx, settings, {
    command: settings.paceYaml2YaceBin,
    args: [potentialYaml, '-o', yace],
    cwd: files.dir,
    what: 'pace_yaml2yace',
  });
  if (r.code !== 0) {
    throw nonRetryable(
      FailureType.InvalidTrainerOutput,
      `pace_yaml2yace could not convert ${path.basename(potentialYaml)}: ${readableTail(r.stderrTail || r.stdoutTail || `exit ${r.code ?? r.signal}`, 10, 1500)}`,
    );
  }
  if (!fs.existsSync(yace)) {
    throw nonRetryable(
      FailureType.InvalidTrainerOutput,
      `pace_yaml2yace exited 0 but wrote no ${path.basename(yace)}`,
    );
  }
}

function foldReferenceEnergies({ potentialYaml, inputYaml, yace }: FitFiles) {
  const configured = (
    parseYaml(fs.readFileSync(inputYaml, 'utf8')) as { data?: { reference_energy?: unknown } }
  )?.data?.reference_energy;
  // No data.reference_energy: pacemaker fitted the dataset's energy_corrected as it was and subtracted
  // nothing, so there is nothing to put back.
  if (configured === undefined || configured === null) return;
  try {
    const text = fs.readFileSync(yace, 'utf8');
    const energies = fittedReferenceEnergies(text, fs.readFileSync(potentialYaml, 'utf8'), configured);
    fs.writeFileSync(`${yace}.tmp`, withReferenceEnergies(text, energies));
    fs.renameSync(`${yace}.tmp`, yace);
  } catch (err) {
    if (!(err instanceof ReferenceEnergyError)) throw err;
    throw nonRetryable(
      FailureType.InvalidTrainerOutput,
      `cannot make ${path.basename(yace)} return absolute energies: ${err.message}`,
    );
  }
}
