/**
 * What `mlip-train potentials --show` says about a potential's energies, and `--absolute NAME@vK --out
 * FILE`: a copy of a .yace published before the reference energies were folded into E0, with them folded
 * in (the published file stays as it is: the registry's sha256 vouches for it).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PotentialRecord } from '../../registry';
import { fittedReferenceEnergies, ReferenceEnergyError, withReferenceEnergies } from '../../pacemaker';

const formatEnergies = (e: Record<string, number>) =>
  Object.entries(e)
    .map(([el, v]) => `${el} ${v.toFixed(4)}`)
    .join(', ');

/**
 * The reference energies a version's .yace leaves out (published before they were folded in), from its
 * output_potential.yaml's metadata or its trainer settings. Throws ReferenceEnergyError.
 */
export function missingReferenceEnergies(record: PotentialRecord): Record<string, number> {
  const yaml = record.files.potentialYaml?.path;
  const yace = record.files.yace?.path;
  if (!yaml || !yace) throw new ReferenceEnergyError(`${record._id} lists no .yace or output_potential.yaml`);
  return fittedReferenceEnergies(
    fs.readFileSync(yace, 'utf8'),
    fs.readFileSync(yaml, 'utf8'),
    record.trainer.referenceEnergy,
  );
}

/** One line for --show: are this version's energies absolute, and if not, by how much they are off. */
export function energiesLine(record: PotentialRecord): string {
  if (record.referenceEnergies)
    return `absolute (E0 per atom, eV: ${formatEnergies(record.referenceEnergies)})`;
  let off: string;
  try {
    off = `add per atom, eV: ${formatEnergies(missingReferenceEnergies(record))}`;
  } catch (err) {
    if (!(err instanceof ReferenceEnergyError)) throw err;
    off = `its reference energies cannot be told: ${err.message}`;
  }
  return (
    `RELATIVE: published before reference energies were folded in, its .yace returns the total energy ` +
    `minus each atom's reference energy (${off}); an absolute copy: mlip-train potentials --absolute ` +
    `${record._id} --out FILE.yace`
  );
}

/**
 * Writes the absolute copy of `record`'s .yace to `out` (never over an existing file) and returns the
 * energies folded in. Throws ReferenceEnergyError, or Error for a file that exists.
 */
export function writeAbsoluteCopy(record: PotentialRecord, out: string): Record<string, number> {
  const target = path.resolve(out);
  if (fs.existsSync(target)) throw new Error(`${target} exists: name a new file (nothing was overwritten)`);
  const energies = record.referenceEnergies ?? missingReferenceEnergies(record);
  const yace = fs.readFileSync(record.files.yace!.path, 'utf8');
  fs.writeFileSync(target, withReferenceEnergies(yace, energies), { flag: 'wx' });
  return energies;
}
