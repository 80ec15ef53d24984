/**
 * executeTraining: runs pacemaker in the workspace, reports progress, honours cancellation, resumes from
 * its checkpoint after a crash, and converts the result to .yace.
 *
 * - pacemaker is spawned without a shell, in a process group of its own; its output is appended to
 *   `pacemaker.log` in the workspace and parsed as it arrives.
 * - Heartbeats carry a small TrainingProgress every few seconds; a throttled signal carries the same to
 *   the workflow for its `progress` query.
 * - Cancellation: SIGTERM to the group, SIGKILL after a grace period, then the cancellation is rethrown.
 * - A retry after a worker crash stops the pacemaker a previous attempt left running (pid file) and
 *   continues from the latest interim potential with the remaining iteration budget.
 */
import { Context, CancelledFailure } from '@temporalio/activity';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { FailureType, nonRetryable, retryable } from '../src/errors';
import { latestCheckpoint, writeResumeInput } from '../src/pacemaker/checkpoint';
import { readableTail } from '../src/pacemaker/log-tail';
import { stopRecordedGroup, terminateGroup, writePidFile } from '../src/pacemaker/process-group';
import { createProgressParser } from '../src/pacemaker/progress-parser';
import { PYTHON_HELPERS_DIR } from '../src/config/paths';
import { FinalMetricsSchema, type FinalMetrics } from '../src/training/metrics';
import type { TrainingProgress } from '../src/training/progress';
import type { Semaphore } from '../src/worker/semaphore';

const execFileAsync = promisify(execFile);

export const TRAINER_FILES = {
  log: 'pacemaker.log',
  pid: 'pacemaker.pid',
  potentialYaml: 'output_potential.yaml',
  yace: 'potential.yace',
} as const;

export interface ExecuteTrainingInput {
  workspaceDir: string;
  inputYamlPath: string;
  /** The fit's iteration budget (fit.maxiter), for progress and for resuming. */
  maxIterations: number;
  /** Where to send fit progress (the calling workflow); omitted → heartbeats only. */
  reportTo?: { workflowId: string; runId?: string };
}

export interface ExecuteTrainingResult {
  yacePath: string;
  potentialYamlPath: string;
  logPath: string;
  metrics: FinalMetrics;
  /** Last iteration pacemaker reported. */
  iterations: number;
  /** Checkpoint this (last) attempt continued from. */
  resumedFrom?: string;
}

export interface ExecuteTrainingDeps {
  pacemakerBin: string;
  paceYaml2YaceBin: string;
  python: string;
  /** Limits concurrent fits in this worker process (MLIP_MAX_CONCURRENT_TRAININGS). */
  trainingSlots: Semaphore;
  /** Sends progress to a workflow; failures are logged and ignored. */
  reportProgress?: (
    target: { workflowId: string; runId?: string },
    progress: TrainingProgress,
  ) => Promise<void>;
  /** SIGTERM → SIGKILL grace period. */
  killGraceMs?: number;
  heartbeatIntervalMs?: number;
  progressReportIntervalMs?: number;
}

export function createExecuteTrainingActivity(deps: ExecuteTrainingDeps) {
  const killGraceMs = deps.killGraceMs ?? 10_000;
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? 5_000;
  const reportIntervalMs = deps.progressReportIntervalMs ?? 30_000;

  async function executeTraining(input: ExecuteTrainingInput): Promise<ExecuteTrainingResult> {
    const ctx = Context.current();
    const ws = input.workspaceDir;
    const logPath = path.join(ws, TRAINER_FILES.log);
    const pidPath = path.join(ws, TRAINER_FILES.pid);
    if (!fs.existsSync(input.inputYamlPath)) {
      throw nonRetryable(
        FailureType.InvalidTrainerConfig,
        `input file ${input.inputYamlPath} does not exist`,
      );
    }

    // Whatever a previous attempt left running must stop before anything else touches the workspace.
    const previous = await stopRecordedGroup(pidPath, killGraceMs);
    ctx.log.info(`executeTraining attempt ${ctx.info.attempt}: ${previous}`);

    let progress: TrainingProgress = { phase: 'waiting-for-slot', maxIterations: input.maxIterations };
    const prior = ctx.info.heartbeatDetails as TrainingProgress | undefined;
    let lastReport = 0;
    const report = (force = false) => {
      ctx.heartbeat(progress);
      const now = Date.now();
      if (input.reportTo && deps.reportProgress && (force || now - lastReport >= reportIntervalMs)) {
        lastReport = now;
        deps.reportProgress(input.reportTo, progress).catch((err: unknown) => {
          ctx.log.warn(`could not report progress to the workflow: ${String(err)}`);
        });
      }
    };
    report(true);
    const waitTicker = setInterval(() => report(), heartbeatIntervalMs);
    let release: () => void;
    try {
      release = await deps.trainingSlots.acquire(ctx.cancellationSignal);
    } catch (err) {
      throw ctx.cancellationSignal.aborted
        ? new CancelledFailure('cancelled while waiting for a training slot')
        : err;
    } finally {
      clearInterval(waitTicker);
    }

    try {
      // Resume from a checkpoint when one exists (a previous attempt got that far).
      let args = [path.basename(input.inputYamlPath)];
      let maxIterations = input.maxIterations;
      let resumedFrom: string | undefined;
      const checkpoint = latestCheckpoint(ws);
      if (checkpoint) {
        const done = prior?.latest?.iteration ?? prior?.fitStats?.iteration ?? 0;
        const resume = writeResumeInput(ws, input.inputYamlPath, done);
        maxIterations = resume.maxIterations ?? maxIterations;
        resumedFrom = checkpoint;
        args = [path.basename(resume.path), '-p', checkpoint];
      }

      let exit = await startFit(args, maxIterations, resumedFrom);
      if (resumedFrom && !exit.cancelled && !exit.signal && exit.code !== 0) {
        // pacemaker rewrites its checkpoint in place: a process killed mid-write leaves one it cannot read.
        // The input itself passed --dry-run, so start the fit again from the beginning once.
        ctx.log.warn(`pacemaker could not continue from ${resumedFrom}; starting the fit from the beginning`);
        fs.renameSync(path.join(ws, resumedFrom), path.join(ws, `${resumedFrom}.unusable`));
        resumedFrom = undefined;
        maxIterations = input.maxIterations;
        args = [path.basename(input.inputYamlPath)];
        exit = await startFit(args, maxIterations, resumedFrom);
      }
      const logText = fs.readFileSync(logPath, 'utf8');
      if (exit.cancelled) throw new CancelledFailure('training cancelled; pacemaker stopped');
      if (exit.signal) {
        // Killed from outside (OOM killer, an operator): worth another attempt, which resumes.
        throw retryable(
          FailureType.ProcessKilled,
          `pacemaker was killed by ${exit.signal}; the next attempt continues from the latest checkpoint.\n${readableTail(logText)}`,
        );
      }
      if (exit.code !== 0) {
        throw nonRetryable(
          FailureType.TrainingFailed,
          `pacemaker exited with code ${exit.code}. Last lines of ${TRAINER_FILES.log}:\n${readableTail(logText)}`,
        );
      }

      const potentialYamlPath = path.join(ws, TRAINER_FILES.potentialYaml);
      if (!fs.existsSync(potentialYamlPath)) {
        throw nonRetryable(
          FailureType.InvalidTrainerOutput,
          `pacemaker exited 0 but wrote no ${TRAINER_FILES.potentialYaml}. Last lines of the log:\n${readableTail(logText)}`,
        );
      }
      progress = { ...progress, phase: 'converting' };
      report(true);
      const yacePath = path.join(ws, TRAINER_FILES.yace);
      await convertToYace(potentialYamlPath, yacePath, ws);
      const metrics = await finalMetrics(ws);
      const iterations = progress.latest?.iteration ?? progress.fitStats?.iteration ?? 0;
      return { yacePath, potentialYamlPath, logPath, metrics, iterations, resumedFrom };
    } finally {
      release();
    }

    async function startFit(args: string[], maxIterations: number, resumedFrom?: string) {
      progress = { phase: 'preparing', maxIterations, resumedFrom };
      report(true);
      fs.appendFileSync(
        logPath,
        `\n===== mlip-train: attempt ${ctx.info.attempt} at ${new Date().toISOString()}: pacemaker ${args.join(' ')} =====\n`,
      );
      return runTrainer(args, maxIterations, resumedFrom);
    }

    async function runTrainer(args: string[], maxIterations: number, resumedFrom?: string) {
      const log = fs.openSync(logPath, 'a');
      const child = spawn(deps.pacemakerBin, args, {
        cwd: ws,
        detached: true, // own process group: cancel kills all of it; survives a worker crash
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PYTHONUNBUFFERED: '1' },
      });
      if (child.pid === undefined) {
        fs.closeSync(log);
        throw nonRetryable(
          FailureType.WorkerMisconfigured,
          `could not start pacemaker (${deps.pacemakerBin})`,
        );
      }
      const pid = child.pid;
      writePidFile(pidPath, pid);
      const parser = createProgressParser();
      const onOutput = (chunk: Buffer) => {
        fs.writeSync(log, chunk);
        if (parser.push(chunk.toString('utf8'))) update();
      };
      const update = () => {
        const snap = parser.snapshot();
        progress = {
          phase: snap.latest || snap.stats.fit ? 'fitting' : 'preparing',
          maxIterations,
          latest: snap.latest,
          fitStats: snap.stats.fit ?? snap.stats.cycle,
          checkpoint: latestCheckpointSafe(),
          resumedFrom,
        };
      };
      const latestCheckpointSafe = () => {
        try {
          return latestCheckpoint(ws);
        } catch {
          return undefined;
        }
      };
      child.stdout.on('data', onOutput);
      child.stderr.on('data', onOutput);

      let cancelled = false;
      const ticker = setInterval(() => report(), heartbeatIntervalMs);
      const onCancel = () => {
        cancelled = true;
        ctx.log.info(`cancelling: stopping pacemaker process group ${pid}`);
        void terminateGroup(pid, killGraceMs);
      };
      ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
      const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve, reject) => {
          child.once('error', reject);
          child.once('close', (code, signal) => resolve({ code, signal }));
        },
      ).finally(() => {
        clearInterval(ticker);
        ctx.cancellationSignal.removeEventListener('abort', onCancel);
        fs.closeSync(log);
      });
      if (parser.end()) update();
      // The leader is gone; make sure no process of its group outlives it, then forget the pid.
      await terminateGroup(pid, killGraceMs);
      fs.rmSync(pidPath, { force: true });
      report(true);
      return { ...exit, cancelled };
    }
  }

  async function convertToYace(potentialYamlPath: string, yacePath: string, cwd: string) {
    try {
      await execFileAsync(deps.paceYaml2YaceBin, [potentialYamlPath, '-o', yacePath], {
        cwd,
        timeout: 10 * 60_000,
      });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw nonRetryable(
        FailureType.InvalidTrainerOutput,
        `pace_yaml2yace could not convert ${path.basename(potentialYamlPath)}: ${readableTail(e.stderr || e.message, 10, 1500)}`,
      );
    }
    if (!fs.existsSync(yacePath)) {
      throw nonRetryable(
        FailureType.InvalidTrainerOutput,
        `pace_yaml2yace exited 0 but wrote no ${path.basename(yacePath)}`,
      );
    }
  }

  async function finalMetrics(ws: string): Promise<FinalMetrics> {
    let stdout: string;
    try {
      ({ stdout } = await execFileAsync(
        deps.python,
        [path.join(PYTHON_HELPERS_DIR, 'prediction_metrics.py'), ws],
        {
          timeout: 10 * 60_000,
          maxBuffer: 1024 * 1024,
        },
      ));
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw nonRetryable(
        FailureType.InvalidTrainerOutput,
        `could not read pacemaker's predictions (train_pred.pckl.gzip): ${readableTail(e.stderr || e.message, 10, 1500)}`,
      );
    }
    const parsed = FinalMetricsSchema.safeParse(JSON.parse(stdout));
    if (!parsed.success) {
      throw nonRetryable(
        FailureType.InvalidTrainerOutput,
        `pacemaker's predictions gave unexpected metrics: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    return parsed.data;
  }

  return { executeTraining };
}
