/**
 * A committee member's bootstrap resample of the committee's pacemaker dataset, written into the member's
 * workspace by python/bootstrap_dataset.py (pandas reads and writes pacemaker's pickle; Node cannot).
 * Deterministic for a given seed. Cancelling (the abort signal) kills the helper.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import { PYTHON_HELPERS_DIR } from '../config/paths';
import { FailureType, nonRetryable } from '../errors';
import { RESAMPLE_FILES, type ResampleSummary } from '../training/committee';

export interface BootstrapResampleOptions {
  python: string;
  /** The committee's dataset (.pckl.gzip). */
  datasetPath: string;
  /** The member's workspace: the resample is written there under RESAMPLE_FILES. */
  workspaceDir: string;
  seed: number;
  signal?: AbortSignal;
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
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      opts.python,
      [
        path.join(PYTHON_HELPERS_DIR, 'bootstrap_dataset.py'),
        opts.datasetPath,
        trainPath,
        testPath,
        '--seed',
        String(opts.seed),
      ],
      { maxBuffer: 1 << 20, signal: opts.signal, killSignal: 'SIGKILL' },
      (err, out, stderr) => {
        if (!err) return resolve(out);
        if (opts.signal?.aborted) return reject(err);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES')
          return reject(
            nonRetryable(
              FailureType.WorkerMisconfigured,
              `cannot run the Python helper: ${opts.python} (${code}); run 'npm run setup' or set MLIP_PYTHON`,
            ),
          );
        const tail = String(stderr).trim().split('\n').slice(-15).join('\n');
        reject(new Error(`bootstrap_dataset.py failed (${err.message.split('\n')[0]}):\n${tail}`));
      },
    );
  });
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
