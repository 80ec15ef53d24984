/** executeTraining's dependencies with their defaults, as its phases use them. */
import { CHECKPOINT_REPORT_INTERVAL_MS } from '../../src/api';
import type { ExecuteTrainingDeps } from '../execute-training';

export interface FitSettings {
  pacemakerBin: string;
  paceYaml2YaceBin: string;
  python: string;
  killGraceMs: number;
  drainGraceMs: number;
  heartbeatIntervalMs: number;
  reportIntervalMs: number;
  hostId?: string;
}

export function fitSettings(deps: ExecuteTrainingDeps): FitSettings {
  return {
    pacemakerBin: deps.pacemakerBin,
    paceYaml2YaceBin: deps.paceYaml2YaceBin,
    python: deps.python,
    killGraceMs: deps.killGraceMs ?? 10_000,
    drainGraceMs: deps.drainGraceMs ?? 60_000,
    heartbeatIntervalMs: deps.heartbeatIntervalMs ?? 5_000,
    reportIntervalMs: deps.checkpointReportIntervalMs ?? CHECKPOINT_REPORT_INTERVAL_MS,
    hostId: deps.hostId,
  };
}
