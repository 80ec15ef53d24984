/**
 * The test split of a several-element training, held out from every composition class of its data by
 * python/mlip_autopipe/helpers/stratified_split.py (pacemaker's own test_size split draws at random from the
 * whole dataset, so a small class is often not tested at all). Deterministic for a given seed. Runs through
 * runPythonHelper: heartbeating while it works, cancelling stops the helper's process group, a failure is
 * classified as for every Python helper.
 */
import path from 'node:path';
import { z } from 'zod';
import { runPythonHelperForSummary, type PythonHelperRun } from '../process';
import { SPLIT_FILES } from '../artefact-names';

export interface StratifiedSplitOptions extends PythonHelperRun {
  datasetPath: string;
  /** The split is written there under SPLIT_FILES. */
  workspaceDir: string;
  /** TrainerParams.testSize: a fraction (< 1) or a number of structures. */
  testSize: number;
  seed: number;
}

const SplitSummarySchema = z.object({
  structures: z.number().int().positive(),
  test: z.number().int().min(0),
  /** Per composition class: [structures fitted, structures held out]. */
  classes: z.record(z.string(), z.tuple([z.number().int().min(0), z.number().int().min(0)])),
  seed: z.number().int(),
});

export type StratifiedSplitSummary = z.infer<typeof SplitSummarySchema>;

export interface StratifiedSplitResult {
  summary: StratifiedSplitSummary;
  trainPath: string;
  /** Undefined when nothing could be held out. */
  testPath?: string;
}

export async function stratifiedSplit(opts: StratifiedSplitOptions): Promise<StratifiedSplitResult> {
  const { datasetPath, workspaceDir, testSize, seed, ...run } = opts;
  const trainPath = path.join(workspaceDir, SPLIT_FILES.train);
  const testPath = path.join(workspaceDir, SPLIT_FILES.test);
  const summary = await runPythonHelperForSummary(
    run,
    'stratified_split.py',
    [datasetPath, trainPath, testPath, '--test-size', String(testSize), '--seed', String(seed)],
    SplitSummarySchema,
  );
  return { summary, trainPath, ...(summary.test > 0 ? { testPath } : {}) };
}

/** The input.yaml header line that says how the test set was drawn. Pure. */
export function stratifiedSplitNote(summary: StratifiedSplitSummary): string {
  const classes = Object.entries(summary.classes)
    .map(([name, [fit, held]]) => `${name} ${held} of ${fit + held}`)
    .join(', ');
  return (
    `Test set: ${summary.test} of ${summary.structures} structures held out from every composition class ` +
    `(${classes}; seed ${summary.seed}), as data.test_filename.`
  );
}
