/**
 * `mlip-train potentials --show NAME[@vK]`: one potential's files (learning curve, .yace, active set), how
 * its energies read, its errors by composition class, and the figures pacemaker drew, each with what it shows.
 */
import type { PotentialRecord } from '../../registry';
import type { CliIo } from '../command';
import { breakdownLines } from '../trainings';
import { energiesLine } from './potentials-energies';

/** What each of pacemaker's figures shows, by the part of its name after "train_" / "test_". */
const FIGURE_SUBJECTS: Record<string, string> = {
  'E-dE-dist': 'energy error vs reference energy, with their distributions',
  'E-dE-nn': 'reference energy and energy error vs nearest-neighbour distance',
  'EF-pairplots': 'predicted vs reference energies and force components (parity plots)',
  'F-dF-dist': 'force-magnitude error vs reference force magnitude, with their distributions',
  'Fi-dFi-dist': 'force-component error vs reference force component, with their distributions',
  'ef-distributions': 'distributions of the reference energies and force magnitudes',
};

/** One line on what a figure (e.g. "report/train_E-dE-dist.png") shows, from its file name. */
export function describeFigure(file: string): string {
  const m = /^(?:.*\/)?(train|test)_(.+)\.png$/.exec(file);
  if (!m) return 'figure drawn by pacemaker';
  return `${FIGURE_SUBJECTS[m[2]!] ?? `pacemaker figure ${m[2]}`} (${m[1]})`;
}

/** Prints the potential (as JSON with `json`); returns the learning curve's path, when it has one. */
export function showPotential(r: PotentialRecord, json: boolean, io: CliIo): { learningCurve?: string } {
  const curve = r.files.learningCurve?.path;
  const yace = r.files.yace?.path;
  // The active set is read together with the B-basis YAML (LAMMPS pace/extrapolation, pyace).
  const activeSet = r.files.asi?.path;
  const bBasis = r.files.potentialYaml?.path;
  const figures = (r.figures ?? []).map((f) => ({
    ...f,
    description: describeFigure(f.file),
  }));
  if (json)
    io.out(
      JSON.stringify(
        {
          id: r._id,
          learningCurve: curve ?? null,
          yace: yace ?? null,
          activeSet: activeSet ?? null,
          bBasis: bBasis ?? null,
          directory: r.directory,
          referenceEnergies: r.referenceEnergies ?? null,
          absoluteEnergies: r.referenceEnergies !== undefined,
          figures,
        },
        null,
        2,
      ),
    );
  else {
    if (curve) io.out(`learning curve  ${curve}`);
    io.out(`potential       ${yace ?? '-'}`);
    io.out(`energies        ${energiesLine(r)}`);
    const breakdown = breakdownLines(r.metrics);
    if (breakdown.length > 0) io.out('errors by composition class and element:');
    for (const line of breakdown) io.out(line);
    if (activeSet) io.out(`active set      ${activeSet}  (γ, with ${bBasis ?? 'output_potential.yaml'})`);
    const width = Math.max(0, ...figures.map((f) => f.path.length));
    for (const f of figures) io.out(`figure          ${f.path.padEnd(width)}  ${f.description}`);
  }
  return { learningCurve: curve };
}
