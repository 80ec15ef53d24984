/**
 * Errors of a published .yace as a user meets them: pyace on structures of a demo labeller's sequence,
 * compared with the labeller's total energies as they are
 * (python/mlip_autopipe/analysis/raw_energy_errors.py).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { INSTALLED, PYTHON_ANALYSIS_DIR } from '../../src/config/paths';

export interface RawErrors {
  structures: number;
  rmseEnergyMeVPerAtom: number;
  meanEnergyErrorMeVPerAtom: number;
  rmseForcesMeVPerA: number;
  /** Per composition class ("Si", "Si-rich", "mixed", ...: those of the training metrics). */
  byComposition: Record<
    string,
    { structures: number; rmseEnergyMeVPerAtom: number; rmseForcesMeVPerA: number }
  >;
}

export function rawErrors(
  yacePath: string,
  labeller: 'emt' | 'kumagai-si' | 'erhart-albe-sic',
  range: { start: number; count: number; seed?: number; elements?: string[] },
): RawErrors {
  const args = [
    path.join(PYTHON_ANALYSIS_DIR, 'raw_energy_errors.py'),
    yacePath,
    '--labeller',
    labeller,
    '--start',
    String(range.start),
    '--count',
    String(range.count),
    '--seed',
    String(range.seed ?? 0),
    ...(range.elements ? ['--elements', range.elements.join(',')] : []),
  ];
  return JSON.parse(
    execFileSync(INSTALLED.python, args, { encoding: 'utf8', timeout: 120_000 }),
  ) as RawErrors;
}
