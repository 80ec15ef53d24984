/**
 * What trainPotential returns, and what trainCommittee tells each of its members (the members' own
 * TrainingResult is the same).
 */
import type { DatasetSummary } from '../training-set';
import type { CommitteeResample } from './committee';
import type { FinalMetrics } from './metrics';

export interface TrainingResult {
  /** The published .yace file. */
  potentialPath: string;
  /**
   * The published active set (potential.asi) for extrapolation grades, read with the published
   * output_potential.yaml; absent when none could be built (the workflow's notebook says why).
   */
  activeSetPath?: string;
  /** Registry id in the `potentials` collection ("<name>@v<version>"). */
  potentialId: string;
  metrics: FinalMetrics;
  dataset: Pick<DatasetSummary, 'structures' | 'atoms' | 'elements' | 'sha256'>;
}

/**
 * Set only by trainCommittee for its members: the committee they belong to and the dataset the committee
 * fetched once, on the host that holds it. Not part of the public TrainingRequest.
 */
export interface CommitteeMembership {
  committeeId: string;
  member: number;
  size: number;
  sharedDataset: { hostTaskQueue: string; hostId: string; summary: DatasetSummary };
  /** How the member's training set is drawn from the shared dataset; absent: the whole dataset. */
  resample?: CommitteeResample;
}
