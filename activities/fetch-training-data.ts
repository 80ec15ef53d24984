/**
 * fetchTrainingData: the completed calculations of a campaign → the workspace's training set
 * (dataset.extxyz, dataset.pckl.gzip, manifest.json). Runs on the host task queue, next to the training.
 *
 * Failures: invalid documents under invalidRecords "fail" → non-retryable InvalidTrainingData; nothing
 * selected → non-retryable EmptyTrainingSet (with the campaign's per-status counts); a lost connection,
 * a timeout or a restarting server → retryable DatabaseUnavailable. Every attempt starts clean: it
 * removes whatever a previous attempt left in the workspace before writing.
 *
 * Heartbeats every heartbeatIntervalMs whatever the phase, with where the export stands
 * ({phase: 'fetching', written} | {phase: 'converting', written, converted} | {phase: 'pickling', …}):
 * FerretDB's wait before a large campaign's first batch and the pacemaker conversion of 80,000
 * structures each take minutes. Cancellation stops the conversion's process group and removes the
 * outputs.
 */
import path from 'node:path';
import { activityContext } from './context';
import { DATASET_FILES } from '../src/artefact-names';
import { type DatabaseHandle, classifyMongoError } from '../src/db';
import { exportTrainingSet } from '../src/training-set';
import {
  DatasetSummarySchema,
  type DatasetSummary,
  type InvalidRecordsPolicy,
  type Selection,
} from '../src/api';

export interface FetchTrainingDataInput {
  workspaceDir: string;
  campaign: string;
  selection: Selection;
  invalidRecords: InvalidRecordsPolicy;
}

export interface FetchTrainingDataDeps {
  database: DatabaseHandle;
  /** Python with ASE and pandas, for the pacemaker-dataset helper. */
  python: string;
  /**
   * How often to heartbeat (the SDK throttles what it sends): well under the shortest heartbeatTimeout a
   * workflow gives this activity. Default DEFAULT_FETCH_HEARTBEAT_INTERVAL_MS.
   */
  heartbeatIntervalMs?: number;
}

export const DEFAULT_FETCH_HEARTBEAT_INTERVAL_MS = 1_000;

export function createFetchTrainingDataActivity(deps: FetchTrainingDataDeps) {
  return {
    async fetchTrainingData(input: FetchTrainingDataInput): Promise<DatasetSummary> {
      const context = activityContext();
      const db = await deps.database.db().catch((err: unknown) => {
        throw classifyMongoError(err, 'connecting');
      });
      const workspace = path.resolve(input.workspaceDir);
      const result = await exportTrainingSet({
        db,
        campaign: input.campaign,
        selection: input.selection,
        invalidRecords: input.invalidRecords,
        extxyzPath: path.join(workspace, DATASET_FILES.extxyz),
        manifestPath: path.join(workspace, DATASET_FILES.manifest),
        pacemaker: { datasetPath: path.join(workspace, DATASET_FILES.pacemaker), python: deps.python },
        onProgress: (progress) => context?.heartbeat(progress),
        progressIntervalMs: deps.heartbeatIntervalMs ?? DEFAULT_FETCH_HEARTBEAT_INTERVAL_MS,
        signal: context?.cancellationSignal,
      });
      const { manifest } = result;
      return DatasetSummarySchema.parse({
        extxyzPath: result.extxyzPath,
        pacemakerDatasetPath: result.pacemakerDatasetPath,
        manifestPath: result.manifestPath,
        structures: manifest.counts.structures,
        atoms: manifest.counts.atoms,
        elements: manifest.elements,
        sha256: manifest.sha256,
        excluded: manifest.counts.excluded,
        duplicates: manifest.counts.duplicates,
        skippedInvalid: manifest.counts.skippedInvalid,
      });
    },
  };
}
