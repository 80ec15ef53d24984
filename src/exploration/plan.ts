/**
 * An exploration's plan, pure: which seeds, which runs (seed × temperature × pressure, in a fixed order),
 * and what each extrapolative frame becomes in the `candidates` collection. Fixed order and seeds make a
 * retried run repeat its trajectory exactly, so its frames get the same candidate ids and are not
 * written twice.
 */
import type { ExplorationRequest, ExplorationSettings } from '../api';
import type { Structure } from '../calculations';

export interface Seed {
  /** The calculation's `_id`, as text. */
  id: string;
  structure: Structure;
}

export interface PlannedRun {
  /** Position in the plan: the heartbeat's resume point counts runs in this order. */
  index: number;
  seedId: string;
  structure: Structure;
  temperatureK: number;
  /** null: NVT at the seed's volume. */
  pressureBar: number | null;
  steps: number;
  velocitySeed: number;
}

/**
 * `count` indices spread evenly over 0..total-1 (the first always included), so that seeds come from the
 * whole campaign rather than from whichever structures were written first.
 */
export function evenlySpacedIndices(total: number, count: number): number[] {
  const n = Math.min(total, count);
  return Array.from({ length: n }, (_, k) => Math.floor((k * total) / n));
}

/** Every run of the plan: for each seed, each temperature, each pressure (or NVT). */
export function planRuns(settings: ExplorationSettings, seeds: Seed[]): PlannedRun[] {
  const pressures: (number | null)[] = settings.pressuresBar ?? [null];
  const runs: PlannedRun[] = [];
  for (const seed of seeds)
    for (const temperatureK of settings.temperaturesK)
      for (const pressureBar of pressures)
        runs.push({
          index: runs.length,
          seedId: seed.id,
          structure: seed.structure,
          temperatureK,
          pressureBar,
          steps: settings.steps,
          velocitySeed: settings.velocitySeed + runs.length,
        });
  return runs;
}

/**
 * A frame's candidate `_id`: readable, and the same for the same frame of the same exploration (so an
 * upsert by it never writes a frame twice).
 */
export function frameCandidateId(
  request: Pick<ExplorationRequest, 'potentialId' | 'generation'>,
  run: Pick<PlannedRun, 'seedId' | 'temperatureK' | 'pressureBar'>,
  step: number,
): string {
  const ensemble = run.pressureBar === null ? 'nvt' : `npt${run.pressureBar}bar`;
  return `md:${request.potentialId}:g${request.generation}:${run.seedId}:${run.temperatureK}K:${ensemble}:s${step}`;
}

/** Where a candidate written by an exploration came from (its `exploration` field). */
export interface ExplorationProvenance {
  potentialId: string;
  seedId: string;
  temperatureK: number;
  pressureBar: number | null;
  step: number;
  timestepFs: number;
  gammaMax: number;
}

/** The candidate document of an extrapolative frame (contract v1 plus its provenance). */
export function frameCandidate(
  request: ExplorationRequest,
  run: PlannedRun,
  frame: { step: number; gammaMax: number; structure: Structure },
) {
  const exploration: ExplorationProvenance = {
    potentialId: request.potentialId,
    seedId: run.seedId,
    temperatureK: run.temperatureK,
    pressureBar: run.pressureBar,
    step: frame.step,
    timestepFs: request.settings.timestepFs,
    gammaMax: frame.gammaMax,
  };
  return {
    _id: frameCandidateId(request, run, frame.step),
    campaign: request.candidatesCampaign ?? request.campaign,
    generation: request.generation,
    structure: frame.structure,
    exploration,
  };
}
