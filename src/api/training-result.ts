/** What trainPotential returns (a committee member's is the same). */
import type { DatasetSummary } from './dataset-summary';
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
