/**
 * How many CPU threads one fit uses. TensorFlow (the tensorpot evaluator) sizes its thread pools to every
 * core of the host, so two fits on one host each ran as many threads as there are cores and fought over
 * them: measured on 2 cores, two 20-function fits side by side took 90–93 s with TensorFlow's default
 * threads and 69 s with one thread each (docs/benchmarks.md#threads-per-fit). A host's cores are shared out
 * among the trainings it runs at once (MLIP_MAX_CONCURRENT_TRAININGS) unless MLIP_FIT_THREADS says
 * otherwise; with one training at a time that is every core, as before.
 */
import os from 'node:os';

/** The threads each fit gets: the setting when given, else the cores shared among concurrent fits. */
export function fitThreads(setting: number | undefined, cores: number, concurrentFits: number): number {
  if (setting !== undefined) return setting;
  return Math.max(1, Math.floor(cores / Math.max(1, concurrentFits)));
}

/** The environment that holds a fit's TensorFlow and OpenMP pools to `threads`. */
export function fitThreadEnv(threads: number): Record<string, string> {
  const n = String(threads);
  return { TF_NUM_INTRAOP_THREADS: n, TF_NUM_INTEROP_THREADS: n, OMP_NUM_THREADS: n };
}

/** This host's threads per fit, from its settings and its cores. */
export function hostFitThreads(
  env: { MLIP_FIT_THREADS?: number; MLIP_MAX_CONCURRENT_TRAININGS: number },
  cores = os.availableParallelism(),
): number {
  return fitThreads(env.MLIP_FIT_THREADS, cores, env.MLIP_MAX_CONCURRENT_TRAININGS);
}
