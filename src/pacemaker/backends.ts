/**
 * Which pacemaker evaluators and compute devices a worker's Python environment offers
 * (python/mlip_autopipe/helpers/backend_probe.py). The worker asks once at start and logs the answer: whether
 * this host fits on a GPU, on CPU only, or cannot run the default tensorpot evaluator at all.
 */
import path from 'node:path';
import { z } from 'zod';
import { PYTHON_HELPERS_DIR } from '../config';
import { runProcess, runPythonHelperForSummary } from '../process';
import { readableTail } from './log-tail';

const DeviceSchema = z.object({ type: z.enum(['CPU', 'GPU']), name: z.string() });

export const BackendReportSchema = z.object({
  pyace: z.object({ available: z.boolean(), version: z.string().optional(), error: z.string().optional() }),
  tensorpot: z.object({
    available: z.boolean(),
    tensorflow: z.string().optional(),
    tensorpotential: z.string().optional(),
    error: z.string().optional(),
    devices: z.array(DeviceSchema).default([]),
  }),
});
export type BackendReport = z.infer<typeof BackendReportSchema>;

/** Runs the probe with the worker's Python (TensorFlow's import takes seconds: call it off the start path). */
export async function probeBackends(python: string, timeoutMs = 120_000): Promise<BackendReport> {
  const script = path.join(PYTHON_HELPERS_DIR, 'backend_probe.py');
  const result = await runProcess({
    command: python,
    args: [script],
    timeoutMs,
    tailBytes: 1024 * 1024,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  if (result.timedOut) throw new Error(`${script} did not answer within ${Math.round(timeoutMs / 1000)} s`);
  if (result.code !== 0)
    throw new Error(
      `${script} failed (${result.code === null ? `killed by ${result.signal}` : `exit code ${result.code}`}): ` +
        readableTail(result.stderrTail, 5, 500),
    );
  return BackendReportSchema.parse(JSON.parse(result.stdoutTail));
}

const InstalledReportSchema = z.object({
  tensorpot: z.object({ available: z.boolean(), error: z.string().optional() }),
});

/**
 * Whether the tensorpot evaluator's packages are installed for `python`, found without importing them
 * (milliseconds, where the import takes seconds): `missing` is the reason when they are not.
 */
export async function tensorpotInstalled(python: string): Promise<{ installed: boolean; missing?: string }> {
  const { tensorpot } = await runPythonHelperForSummary(
    { python },
    'backend_probe.py',
    ['--installed'],
    InstalledReportSchema,
  );
  return tensorpot.available ? { installed: true } : { installed: false, missing: tensorpot.error };
}

/** One line a person reads in the worker's log; `warning` is set when the default evaluator cannot run. */
export function describeBackends(report: BackendReport): { line: string; warning?: string } {
  const { pyace, tensorpot } = report;
  const gpus = tensorpot.devices.filter((d) => d.type === 'GPU');
  const parts: string[] = [];
  if (tensorpot.available) {
    const where =
      gpus.length > 0 ? `GPU ${gpus.map((g, i) => `${i}: ${g.name}`).join(', ')}` : 'CPU only, no GPU';
    parts.push(
      `tensorpot (TensorFlow ${tensorpot.tensorflow}, tensorpotential ${tensorpot.tensorpotential}; ${where})`,
    );
  } else {
    parts.push('tensorpot unavailable');
  }
  parts.push(pyace.available ? `pyace (python-ace ${pyace.version}, CPU)` : 'pyace unavailable');
  const line = `pacemaker evaluators on this host: ${parts.join('; ')}`;
  if (tensorpot.available) return { line };
  return {
    line,
    warning:
      `the tensorpot evaluator (the default) cannot run here (${tensorpot.error ?? 'unknown reason'}): trainings ` +
      `that use it will be refused; install it with npm run setup, or ask for backend.evaluator "pyace"`,
  };
}
