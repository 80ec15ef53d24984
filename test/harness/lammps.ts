/**
 * LAMMPS as users run it on a published potential: the inputs the docs show, made runnable on a structure
 * of the test's own, and run with bin/lmp-pace (the venv's LAMMPS with the ML-PACE plugin of the set-up).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { INSTALLED, PROJECT_ROOT } from '../../src/config/paths';
import { fencedBlocks, loadDocs } from './docs';

export const LMP_PACE = path.join(PROJECT_ROOT, 'bin', 'lmp-pace');

/** Every LAMMPS input of README.md and docs/*.md: an unlabelled fenced block with a pair_style line. */
export function documentedLammpsInputs(): { where: string; code: string }[] {
  return loadDocs().flatMap((doc) =>
    fencedBlocks(doc)
      .filter((b) => b.lang === '' && /^pair_style/m.test(b.code))
      .map((b) => ({ where: `${b.file}:${b.line}`, code: b.code })),
  );
}

/**
 * A fcc Cu supercell (2×2×2 cubic, 32 atoms) with its lattice scaled by `scale`, as a LAMMPS data file:
 * 1.0 is where EMT's training structures lie, 0.8 far outside them.
 */
export function writeCuStructure(file: string, scale: number): void {
  execFileSync(INSTALLED.python, [
    '-c',
    `
import sys
from ase.build import bulk
from ase.io.lammpsdata import write_lammps_data
atoms = bulk("Cu", cubic=True) * (2, 2, 2)
atoms.set_cell(atoms.cell * float(sys.argv[2]), scale_atoms=True)
with open(sys.argv[1], "w") as fd:
    write_lammps_data(fd, atoms, specorder=["Cu"], masses=True)
`,
    file,
    String(scale),
  ]);
}

/**
 * Runs a documented input in `dir` as its MD part: the structure of structure.data, velocities at
 * `temperature`, NVE, then the documented lines (its element names replaced by `element`), then `steps`.
 */
export function runDocumentedInput(
  dir: string,
  code: string,
  element: string,
  temperature: number,
  steps: number,
): { status: number | null; output: string } {
  const documented = code.replace(
    /^(pair_coeff\s+\*\s+\*\s+\S+(?:\s+\S+\.asi)?)\s+[A-Z][a-z]?(\s+[A-Z][a-z]?)*\s*$/m,
    `$1 ${element}`,
  );
  const input = [
    'units metal',
    'atom_style atomic',
    'boundary p p p',
    'read_data structure.data',
    `velocity all create ${temperature} 4928459 mom yes rot yes`,
    'fix md all nve',
    documented,
    'thermo 10',
    `run ${steps}`,
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'in.lammps'), input + '\n');
  const run = spawnSync(LMP_PACE, ['-in', 'in.lammps', '-log', 'none'], { cwd: dir, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Frames of a LAMMPS custom dump whose last column is the per-atom γ: each frame's largest γ. */
export function dumpedGammaMaxima(file: string): number[] {
  if (!fs.existsSync(file)) return [];
  const frames = fs.readFileSync(file, 'utf8').split('ITEM: TIMESTEP').slice(1);
  return frames.map((frame) => {
    const atoms = frame.split(/ITEM: ATOMS[^\n]*\n/)[1] ?? '';
    return Math.max(
      ...atoms
        .trim()
        .split('\n')
        .map((line) => Number(line.trim().split(/\s+/).at(-1))),
    );
  });
}
