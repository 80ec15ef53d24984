/** What publishPotential takes and answers, shared by its phases. */
import type { DatasetSummary, FinalMetrics, TrainerParams } from '../../src/api';
import type { PotentialRecord } from '../../src/registry';

export interface PublishPotentialInput {
  workspaceDir: string;
  name: string;
  campaign: string;
  inputYamlPath: string;
  dataset: DatasetSummary;
  trainer: TrainerParams;
  training: {
    yacePath: string;
    potentialYamlPath: string;
    logPath: string;
    metrics: FinalMetrics;
    iterations: number;
    /** The fit stopped before its iteration budget: its test loss had stopped improving. */
    stoppedEarly?: boolean;
  };
  workflowId: string;
  runId: string;
  /** The .asi buildActiveSet wrote; omitted when there is none. */
  activeSetPath?: string;
  /** Set for members of a committee (trainCommittee): links the members' registry documents. */
  committee?: PotentialRecord['committee'];
  /** The registry id this training was warm-started from (TrainingRequest.initialPotential). */
  parent?: string;
  /** The host whose workspace this is (acquireWorkspace's answer): recorded so readers of the files go there. */
  host?: PotentialRecord['host'];
}

export interface PublishedPotential {
  potentialId: string;
  version: number;
  /** The published .yace. */
  potentialPath: string;
  /** The published active set (potential.asi), when there is one. */
  activeSetPath?: string;
  directory: string;
}

/** A version's folder under MLIP_POTENTIALS_DIR/<name>/. */
export interface VersionDir {
  version: number;
  dir: string;
}
