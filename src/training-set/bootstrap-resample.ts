/**
 * A committee member's bootstrap resample of the committee's pacemaker dataset, written into the member's
 * workspace by python/bootstrap_dataset.py (pandas reads and writes pacemaker's pickle; Node cannot).
 * Deterministic for a given seed. Runs through runPythonHelper: heartbeating while it works, cancelling
 * (the abort signal) stops the helper's process group before the promise settles, and a failure is
 * classified as for every Python helper.
 */
import path from 'node:path';
import { z } from 'zod';
import { runPythonHelper } from '../process';
import { type ResampleSummary } from '../api';
import { RESAMPLE_FILES } from '../artefact-names';

export interface BootstrapResampleOptions {
  python: string;
  /** The committee's dataset (.pckl.gzip). */
  datasetPath: string;
  /** The member's workspace: the resample is written there under RESAMPLE_FILES. */
  workspaceDir: string;
  seed: number;
  signal?: AbortSignal;
  /** Called while the helper runs (at start, then every heartbeatIntervalMs), e.g. an activity heartbeat. */
  heartbeat?: () => void;
  heartbeatIntervalMs?: number;
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
  const trainPath = path.join(opts.workspaceDir, RESAMPLE_FILES.train);
  const testPath = path.join(opts.workspaceDir, RESAMPLE_FILES.test);
  const result = await runPythonHelper({
    python: opts.python,
    script: 'bootstrap_dataset.py',
    args: [opts.datasetPath, trainPath, testPath, '--seed', String(opts.seed)],
    signal: opts.signal,
    heartbeat: opts.heartbeat,
    heartbeatIntervalMs: opts.heartbeatIntervalMs,
  });
  const stdout = result.stdoutTail;
  const lastLine = stdout.trim().split('\n').at(-1) ?? '';
  const parsed = HelperOutputSchema.parse(JSON.parse(lastLine));
  // The helper removes what an earlier attempt wrote, and writes no test file when nothing is out of bag.
  const hasTest = parsed.outOfBag > 0;
  return {
    summary: { method: 'bootstrap', ...parsed },
    trainPath,
    ...(hasTest ? { testPath } : {}),
  };
}
