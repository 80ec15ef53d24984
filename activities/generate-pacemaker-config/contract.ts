/** What generatePacemakerConfig takes, answers and depends on, shared by its phases. */
import type { ParentPotential, WarmStartMode } from '../../src/pacemaker';
import type {
  CommitteeResample,
  DatasetSummary,
  ResampleSummary,
  TrainerParams,
  TrainerParamsInput,
} from '../../src/api';

export interface GeneratePacemakerConfigInput {
  workspaceDir: string;
  /** As the user wrote it; omitted = every default. */
  trainer?: TrainerParamsInput;
  dataset: Pick<DatasetSummary, 'elements' | 'pacemakerDatasetPath'> &
    Partial<Pick<DatasetSummary, 'structures'>>;
  /** A warm start's parent (lookupInitialPotential's answer): the fit continues from it. */
  initialPotential?: ParentPotential;
  /**
   * Committee members only: fit a resample of the dataset drawn with trainer.seed, written into this
   * workspace, and test on the structures it left out (trainer.testSize does not apply).
   */
  resample?: CommitteeResample;
}

export interface GeneratePacemakerConfigResult {
  inputYamlPath: string;
  elements: string[];
  kappa: number | 'auto';
  /** The resolved TrainerParams (every default applied): what the training uses. */
  trainer: TrainerParams;
  /** Set for a warm start: the parent and whether its basis is continued or grown. */
  warmStart?: { from: string; mode: WarmStartMode };
  /** Set for a committee member: the resample it is fitted to. */
  resample?: ResampleSummary;
}

export interface GeneratePacemakerConfigDeps {
  pacemakerBin: string;
  /** Python with pandas, for a member's resample (python/mlip_autopipe/helpers/bootstrap_dataset.py). */
  python: string;
  /** Limit for pacemaker --dry-run (it builds neighbour lists of the whole dataset). Default 15 min. */
  dryRunTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
