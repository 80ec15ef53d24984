/** What scoreCandidates returns, and the scoring potential its lookup resolves (registry id → files). */
import type { RankBy, ScoreTallySummary } from '../candidates';

export interface ScoringMember {
  potentialId: string;
  /** The published .yace. */
  yace: string;
  /** The published B-basis output_potential.yaml: needed to read an active set. */
  potentialYaml?: string;
  /** The published active set (potential.asi), when there is one. */
  asi?: string;
}

export interface ScoringPotential {
  /** What each candidate's `score.potentialId` records: the registry id, or the committee id. */
  scoringId: string;
  kind: 'potential' | 'committee';
  members: ScoringMember[];
  /** Where the files were published; absent for versions published before hosts were recorded. */
  host?: { id: string; taskQueue: string };
  elements: string[];
  rankedBy: RankBy;
}

export interface ScoreCandidatesResult extends ScoreTallySummary {
  potentialId: string;
  kind: ScoringPotential['kind'];
  campaign: string;
  generation: number | null;
  /** Candidates the selection matched when the run started. */
  total: number;
  host: string;
  seconds: number;
  /** Peak resident memory of the Python scorer, MiB. */
  scorerPeakRssMB: number | null;
}
