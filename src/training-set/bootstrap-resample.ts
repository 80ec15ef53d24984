/**
 * A committee member's bootstrap resample of the committee's pacemaker dataset, written into the member's
 * workspace by python/bootstrap_dataset.py (pandas reads and writes pacemaker's pickle; Node cannot).
 * Deterministic for a given seed. Runs through runProcess: heartbeating while it works, and cancelling
 * (the abort signal) stops the helper's process group before the promise settles.
 */
import path from 'node:path';
import { z } from 'zod';
import { PYTHON_HELPERS_DIR } from '../config';
import { FailureType, nonRetryable, retryable } from '../errors';
import { ProcessStartError, runProcess } from '../process';
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
  let result;
  try {
    result = await runProcess({
      command: opts.python,
      args: [
        path.join(PYTHON_HELPERS_DIR, 'bootstrap_dataset.py'),
        opts.datasetPath,
        trainPath,
        testPath,
        '--seed',
        String(opts.seed),
      ],
      signal: opts.signal,
      heartbeat: opts.heartbeat,
      heartbeatIntervalMs: opts.heartbeatIntervalMs,
    });
  } catch (err) {
    if (err instanceof ProcessStartError && (err.code === 'ENOENT' || err.code === 'EACCES'))
      throw nonRetryable(
        FailureType.WorkerMisconfigured,
        `cannot run the Python helper: ${opts.python} (${err.code}); run 'npm run setup' or set MLIP_PYTHON`,
      );
    throw err;
  }
  if (result.cancelled) {
    opts.signal?.throwIfAborted();
    throw new Error('bootstrap_dataset.py was cancelled');
  }
  const tail = result.stderrTail.trim().split('\n').slice(-15).join('\n');
  if (result.signal !== null)
    throw retryable(
      FailureType.ProcessKilled,
      `bootstrap_dataset.py was killed by ${result.signal}:\n${tail}`,
    );
  if (result.code !== 0) throw new Error(`bootstrap_dataset.py failed (exit code ${result.code}):\n${tail}`);
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
