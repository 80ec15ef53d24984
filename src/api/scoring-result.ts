/**
 * What scoreCandidates returns (counts per extrapolation-grade band, the committee's disagreement, the top
 * K), and the scoring potential its lookup resolves (registry id → files).
 */

/** pacemaker's bands of the extrapolation grade γ (src/candidates' GAMMA_BANDS draws their bounds). */
export type GammaBand = 'interpolation' | 'extrapolation' | 'unreliable';

export type BandCounts = Record<GammaBand, number>;

export interface ScoredCandidate {
  id: string;
  /** Largest extrapolation grade over the atoms; null without an active set. */
  gammaMax: number | null;
  /** eV/Å; null for a single potential. */
  committeeForceStd: number | null;
}

/** What the top K are ranked by: gammaMax when there is an active set, else the committee's disagreement. */
export type RankBy = 'gammaMax' | 'committeeForceStd';

/** A committee's force disagreement over the scored candidates, eV/Å, in constant memory. */
export interface DisagreementSummary {
  count: number;
  mean: number;
  max: number;
  edges: number[];
  /** edges.length + 1 counts; the last holds values above the last edge. */
  counts: number[];
}

export interface ScoreFailure {
  id: string;
  reason: string;
}

export interface ScoreTallySummary {
  /** Candidates with a score by this potential: scored now + reused. */
  scored: number;
  /** Of those, how many already had this potential's score (a retried or repeated run). */
  reused: number;
  failed: { count: number; first: ScoreFailure[] };
  /** Candidates per gamma band; null when the potential has no active set. */
  bands: BandCounts | null;
  /** The committee's force disagreement; null for a single potential. */
  disagreement: DisagreementSummary | null;
  rankedBy: RankBy;
  top: ScoredCandidate[];
}

export interface RegisteredMember {
  potentialId: string;
  /** The published .yace. */
  yace: string;
  /** The published B-basis output_potential.yaml: needed to read an active set. */
  potentialYaml?: string;
  /** The published active set (potential.asi), when there is one. */
  asi?: string;
}

/** A published potential, or a committee of them, as scoring and exploration read it from the registry. */
export interface RegisteredPotential {
  /** What each candidate's `score.potentialId` records: the registry id, or the committee id. */
  scoringId: string;
  kind: 'potential' | 'committee';
  members: RegisteredMember[];
  /** Where the files were published; absent for versions published before hosts were recorded. */
  host?: { id: string; taskQueue: string };
  elements: string[];
  rankedBy: RankBy;
}

export interface ScoreCandidatesResult extends ScoreTallySummary {
  potentialId: string;
  kind: RegisteredPotential['kind'];
  campaign: string;
  generation: number | null;
  /** Candidates the selection matched when the run started. */
  total: number;
  host: string;
  seconds: number;
  /** Peak resident memory of the Python scorer, MiB. */
  scorerPeakRssMB: number | null;
}
