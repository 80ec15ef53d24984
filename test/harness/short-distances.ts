/**
 * A published .yace just inside its data's shortest distances
 * (python/mlip_autopipe/analysis/short_distance.py): one pair of a structure the data never had pushed to
 * 85-100 % of the campaign's shortest distance for that pair.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { INSTALLED, PYTHON_ANALYSIS_DIR } from '../../src/config/paths';

export interface ShortDistanceBand {
  structures: number;
  medianForceRmse: number;
  worstForceRmse: number;
  above1: number;
  pushedApart: number;
}

export interface ShortDistances {
  shortest: Record<string, number>;
  near: ShortDistanceBand;
  inside: ShortDistanceBand;
}

export function shortDistances(
  yacePath: string,
  labeller: 'emt' | 'kumagai-si' | 'erhart-albe-sic',
  trainCount: number,
  count = 20,
): ShortDistances {
  const args = [
    path.join(PYTHON_ANALYSIS_DIR, 'short_distance.py'),
    yacePath,
    '--labeller',
    labeller,
    '--train-count',
    String(trainCount),
    '--count',
    String(count),
  ];
  return JSON.parse(
    execFileSync(INSTALLED.python, args, { encoding: 'utf8', timeout: 300_000 }),
  ) as ShortDistances;
}
