/**
 * What the workflow tests share: one workflow bundle per test file, training workers running in this
 * process against the ephemeral servers, a demo campaign seeded with the real mocked DFT factory, and
 * the tiny trainer settings that make a real pacemaker fit take seconds.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { main as cli } from '../../src/cli/main';
import { loadEnv, type Env } from '../../src/config/env';
import type { TrainerParamsInput } from '../../src/api/trainer-params';
import type { TrainingWorkersOptions } from '../../worker/create-workers';
import { startInProcessWorkers, type InProcessWorkers } from '../../worker/in-process';
import { scratchDir, testDatabaseName, testMongoUri, testTemporalAddress } from './context';
import { workflowBundle } from './workflow-bundle';

export { workflowBundle };

/**
 * A fit of a few seconds: a small basis and a handful of iterations, on the pyace evaluator. TensorFlow's
 * start-up and graph compilation cost a tensorpot fit about 12 s before its first iteration, which is the
 * whole of a 5-iteration fit; pyace starts in about 1 s (and is slower per iteration: past ~50 iterations
 * tensorpot wins). Tests whose subject is the default evaluator use TINY_TENSORPOT_TRAINER.
 */
export const TINY_TRAINER: TrainerParamsInput = {
  ace: { functionsPerElement: 6, correlationOrder: 2 },
  optimizer: { maxIterations: 5 },
  backend: { evaluator: 'pyace', displayStep: 5 },
};

/** TINY_TRAINER on the default tensorpot evaluator: for tests of what that evaluator does (resume, drain). */
export const TINY_TENSORPOT_TRAINER: TrainerParamsInput = {
  ...TINY_TRAINER,
  backend: { evaluator: 'tensorpot', displayStep: 5 },
};

/** Settings for a worker of this test file: its own queue, database, host id and folders. */
export function testEnv(overrides: Record<string, string> = {}): Env {
  const root = scratchDir('training');
  return loadEnv({
    TEMPORAL_ADDRESS: testTemporalAddress(),
    MONGODB_URI: testMongoUri(),
    MLIP_DB: testDatabaseName(),
    MLIP_TASK_QUEUE: `mlip-test-${randomUUID().slice(0, 8)}`,
    MLIP_HOST_ID: 'host-a',
    MLIP_WORK_ROOT: path.join(root, 'work'),
    MLIP_POTENTIALS_DIR: path.join(root, 'potentials'),
    ...overrides,
  });
}

export type RunningWorkers = InProcessWorkers;

export async function startWorkers(
  env: Env,
  tuning: TrainingWorkersOptions['tuning'] = {},
): Promise<RunningWorkers> {
  return startInProcessWorkers(env, {
    workflowBundle: await workflowBundle(),
    tuning: { heartbeatIntervalMs: 500, progressReportIntervalMs: 500, killGraceMs: 3_000, ...tuning },
  });
}

/** Seeds a campaign through the real `mlip-train seed-demo` (ASE EMT labels). */
export async function seedCampaign(env: Env, campaign: string, count = 10, extra: string[] = []) {
  const out: string[] = [];
  const code = await cli(['seed-demo', '--campaign', campaign, '--count', String(count), ...extra], {
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    env: { MONGODB_URI: env.MONGODB_URI, MLIP_DB: env.MLIP_DB },
  });
  if (code !== 0) throw new Error(`seed-demo failed:\n${out.join('\n')}`);
}

export function workspacesLeft(env: Env): string[] {
  return fs.existsSync(env.MLIP_WORK_ROOT) ? fs.readdirSync(env.MLIP_WORK_ROOT) : [];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(200);
  }
}

/** Processes whose working directory is `dir` (pacemaker runs in its workspace). */
export function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/cwd`) === dir) pids.push(Number(entry));
    } catch {
      /* gone, or not ours */
    }
  }
  return pids;
}
