/**
 * A committee member's bootstrap resample of the committee's pacemaker dataset, written into the member's
 * workspace by python/mlip_autopipe/helpers/bootstrap_dataset.py (pandas reads and writes pacemaker's pickle;
 * Node cannot). Deterministic for a given seed. Runs through runPythonHelper: heartbeating while it works,
 * cancelling (the abort signal) stops the helper's process group before the promise settles, and a failure is
 * classified as for every Python helper.
 */
import path from 'node:path';
import { z } from 'zod';
import { runPythonHelperForSummary, type PythonHelperRun } from '../process';
import { type ResampleSummary } from '../api';
import { RESAMPLE_FILES } from '../artefact-names';

export interface BootstrapResampleOptions extends PythonHelperRun {
  /** The committee's dataset (.pckl.gzip). */
  datasetPath: string;
  /** The member's workspace: the resample is written there under RESAMPLE_FILES. */
  workspaceDir: string;
  seed: number;
}

export interface BootstrapResampleResult {
  summary: ResampleSummary;
  trainPath: string;
  /** The out-of-bag structures; undefined when every structure was drawn. */
  testPath?: string;
}

const HelperOutputSchema = z.object({
  structures: z.number().int().positive(),
  distinct: z.number().int().positive(),
  outOfBag: z.number().int().min(0),
  seed: z.number().int(),
});

export async function bootstrapResample(opts: BootstrapResampleOptions): Promise<BootstrapResampleResult> {
  const { datasetPath, workspaceDir, seed, ...run } = opts;
  const trainPath = path.join(workspaceDir, RESAMPLE_FILES.train);
  const testPath = path.join(workspaceDir, RESAMPLE_FILES.test);
  const parsed = await runPythonHelperForSummary(
    run,
    'bootstrap_dataset.py',
    [datasetPath, trainPath, testPath, '--seed', String(seed)],
    HelperOutputSchema,
  );
  // The helper removes what an earlier attempt wrote, and writes no test file when nothing is out of bag.
  const hasTest = parsed.outOfBag > 0;
  return {
    summary: { method: 'bootstrap', ...parsed },
    trainPath,
    ...(hasTest ? { testPath } : {}),
  };
}
