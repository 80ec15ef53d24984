/**
 * Running one of the project's Python helpers (python/mlip_autopipe/helpers/, with the worker's MLIP_PYTHON)
 * inside an activity, through runProcess, with the one classification of how it can fail:
 *
 * - the interpreter cannot be started (ENOENT, EACCES): non-retryable WorkerMisconfigured naming
 *   MLIP_PYTHON (no other attempt on this host can do better);
 * - it exits with `invalidDataExitCode` (where the caller names one, the helper's "this data cannot be
 *   used"): non-retryable InvalidTrainingData with the end of its stderr;
 * - it is killed by a signal (the OOM killer, likely on a large campaign): retryable ProcessKilled;
 * - any other non-zero exit: a plain (so retryable) error with the end of its stderr.
 *
 * Cancellation (the abort signal) stops the helper's process group and rejects with the signal's reason
 * once it is gone. Resolves with runProcess's result when the helper exited 0: what it printed is the
 * caller's to read.
 */
import path from 'node:path';
import type { z } from 'zod';
import { PYTHON_HELPERS_DIR } from '../config';
import { FailureType, nonRetryable, retryable } from '../api';
import { ProcessStartError, runProcess, type RunProcessOptions, type RunProcessResult } from './run-process';

export interface PythonHelperOptions<P = unknown> extends Pick<
  RunProcessOptions<P>,
  'signal' | 'onLine' | 'heartbeat' | 'heartbeatIntervalMs'
> {
  /** The interpreter (MLIP_PYTHON). */
  python: string;
  /**
   * The helper's file name in PYTHON_HELPERS_DIR, or the path of another role's script (PYTHON_DEMO_DIR,
   * PYTHON_ANALYSIS_DIR); failures name its file name.
   */
  script: string;
  args?: readonly string[];
  /** The helper's exit code for data it refuses, reported as non-retryable InvalidTrainingData. */
  invalidDataExitCode?: number;
}

/** The last lines of a helper's stderr, for a failure message (it goes into workflow history). */
export function stderrLines(stderr: string, max = 15): string {
  return stderr.trim().split('\n').slice(-max).join('\n') || '(nothing on stderr)';
}

export async function runPythonHelper<P = unknown>(
  options: PythonHelperOptions<P>,
): Promise<RunProcessResult<P>> {
  const { python, script: named, invalidDataExitCode, args = [], ...hooks } = options;
  const scriptPath = path.resolve(PYTHON_HELPERS_DIR, named);
  const script = path.basename(scriptPath);
  let result;
  try {
    result = await runProcess<P>({
      command: python,
      args: [scriptPath, ...args],
      ...hooks,
    });
  } catch (err) {
    if (err instanceof ProcessStartError && (err.code === 'ENOENT' || err.code === 'EACCES'))
      throw nonRetryable(
        FailureType.WorkerMisconfigured,
        `cannot run the Python helper: ${python} (${err.code}); run 'npm run setup' or set MLIP_PYTHON`,
      );
    throw err;
  }
  if (result.cancelled) {
    options.signal?.throwIfAborted();
    throw new Error(`${script} was cancelled`); // unreachable: cancelled means the signal fired
  }
  const tail = stderrLines(result.stderrTail);
  if (invalidDataExitCode !== undefined && result.code === invalidDataExitCode)
    throw nonRetryable(FailureType.InvalidTrainingData, tail);
  if (result.signal !== null)
    throw retryable(FailureType.ProcessKilled, `${script} was killed by ${result.signal}:\n${tail}`);
  if (result.code !== 0) throw new Error(`${script} failed (exit code ${result.code}):\n${tail}`);
  return result;
}

/** How a caller runs a helper inside an activity: the interpreter, cancellation and heartbeats. */
export type PythonHelperRun = Pick<
  PythonHelperOptions,
  'python' | 'signal' | 'heartbeat' | 'heartbeatIntervalMs'
>;

/**
 * Runs a helper that ends by printing its summary as one JSON line (bootstrap_dataset.py,
 * stratified_split.py) and returns that line, checked against `schema`.
 */
export async function runPythonHelperForSummary<T>(
  run: PythonHelperRun,
  script: string,
  args: readonly string[],
  schema: z.ZodType<T>,
): Promise<T> {
  const result = await runPythonHelper({ ...run, script, args });
  const lastLine = result.stdoutTail.trim().split('\n').at(-1) ?? '';
  return schema.parse(JSON.parse(lastLine));
}
