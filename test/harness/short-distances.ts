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

/** One pair of a crystal compressed from 1.1 to 0.6 of the data's shortest distance; energies (eV) relative to 1.1. */
export interface CompressionCurve {
  pair: string;
  points: { fraction: number; distance: number; reference: number; potential: number }[];
}

export interface ShortDistances {
  shortest: Record<string, number>;
  near: ShortDistanceBand;
  inside: ShortDistanceBand;
  /** One curve per pair type of the data. */
  compressions: CompressionCurve[];
}

/**
 * Where a compression curve fails to stay repulsive at or below `below` (a share of the shortest distance):
 * each step closer whose potential energy does not rise, as "pair 0.80→0.75: -0.12 eV". Empty: repulsive.
 */
export function notRepulsive(curve: CompressionCurve, below: number): string[] {
  const inside = curve.points
    .filter((p) => p.fraction <= below + 1e-9)
    .sort((a, b) => b.fraction - a.fraction);
  return inside.slice(1).flatMap((closer, i) => {
    const rise = closer.potential - inside[i]!.potential;
    return rise > 0 ? [] : [`${curve.pair} ${inside[i]!.fraction}→${closer.fraction}: ${rise.toFixed(3)} eV`];
  });
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
