/**
 * executeTraining: runs pacemaker in the workspace, reports progress, honours cancellation, resumes from
 * its checkpoint after a crash, and converts the result to .yace with the reference energies pacemaker
 * subtracted put back into its E0 (src/pacemaker/reference-energy.ts), so that it returns absolute energies,
 * and the switch to core repulsion below the data's shortest distances moved and widened
 * (src/pacemaker/inner-cutoff.ts).
 *
 * - pacemaker runs through runProcess (src/process): without a shell, in a process group of its own (pid
 *   file in the workspace); its output is appended byte for byte to `pacemaker.log` in the workspace and
 *   parsed as it arrives.
 * - Heartbeats carry a small TrainingProgress every few seconds (the Web UI and `mlip-train status` show
 *   them); a signal reaches the workflow only when the training's story changes (src/training/
 *   progress-reports.ts), so its history does not grow with the fit.
 * - Cancellation: SIGTERM to the group, SIGKILL after a grace period, then the cancellation is rethrown.
 * - Drain (the worker shuts down: SIGTERM to it): SIGINT to pacemaker (runProcess's `interrupt`; SIGTERM
 *   if it still runs after drainGraceMs), which stops between two iterations with its checkpoint whole
 *   (it rewrites it after every iteration, from Python, so the interrupt lands after a write, never
 *   inside one), then a retryable WorkerShuttingDown hands the fit back to resume.
 * - A retry after a worker crash stops the pacemaker a previous attempt left running (pid file) and
 *   continues from the latest interim potential with the remaining iteration budget.
 */
import { Context, CancelledFailure } from '@temporalio/activity';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TRAINER_FILES } from '../src/artefact-names';
import { FailureType, nonRetryable, retryable } from '../src/errors';
import {
  attemptMarker,
  iterationsCompleted,
  stoppedEarly,
  latestCheckpoint,
  writeResumeInput,
  readableTail,
  createProgressParser,
  fittedReferenceEnergies,
  ReferenceEnergyError,
  moveInnerCutoff,
  withReferenceEnergies,
} from '../src/pacemaker';
import {
  ProcessStartError,
  runProcess,
  runRecordedProcess,
  stopRecordedGroup,
  type Semaphore,
} from '../src/process';
import { PYTHON_HELPERS_DIR } from '../src/config';
import { fitMetrics } from '../src/telemetry';
import {
  FinalMetricsSchema,
  type FinalMetrics,
  type TrainingProgress,
  CHECKPOINT_REPORT_INTERVAL_MS,
  reportReason,
  type LastReport,
} from '../src/api';

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
  /** Set when the fit stopped before its iteration budget because its test loss stopped improving. */
  stoppedEarly?: true;
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
  /** On worker shutdown: how long pacemaker may take to stop at a checkpoint after SIGINT. */
  drainGraceMs?: number;
  /** This host's id, named in the failure that hands a drained fit back. */
  hostId?: string;
  heartbeatIntervalMs?: number;
  /** At most one checkpoint report to the workflow per this interval (default CHECKPOINT_REPORT_INTERVAL_MS). */
  checkpointReportIntervalMs?: number;
}

export function createExecuteTrainingActivity(deps: ExecuteTrainingDeps) {
  const killGraceMs = deps.killGraceMs ?? 10_000;
  const drainGraceMs = deps.drainGraceMs ?? 60_000;
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? 5_000;
  const reportIntervalMs = deps.checkpointReportIntervalMs ?? CHECKPOINT_REPORT_INTERVAL_MS;

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
    let lastReport: LastReport | undefined;
    // Iterations counted and phases timed from the same progress the heartbeats carry.
    const instruments = fitMetrics(ctx.metricMeter);
    const report = () => {
      instruments.observe(progress);
      ctx.heartbeat(progress);
      const now = Date.now();
      if (
        !input.reportTo ||
        !deps.reportProgress ||
        !reportReason(lastReport, progress, now, reportIntervalMs)
      )
        return;
      lastReport = { phase: progress.phase, resumedFrom: progress.resumedFrom, at: now };
      deps.reportProgress(input.reportTo, progress).catch((err: unknown) => {
        ctx.log.warn(`could not report progress to the workflow: ${String(err)}`);
      });
    };
    report();
    const waitTicker = setInterval(() => report(), heartbeatIntervalMs);
    let release: () => void;
    try {
      release = await deps.trainingSlots.acquire(ctx.cancellationSignal);
    } catch (err) {
      if (!ctx.cancellationSignal.aborted) throw err;
      if (workerShuttingDown()) throw handBack('while it waited for a training slot');
      throw new CancelledFailure('cancelled while waiting for a training slot');
    } finally {
      clearInterval(waitTicker);
    }

    try {
      // Resume from a checkpoint when one exists (a previous attempt got that far).
      let args = [path.basename(input.inputYamlPath)];
      let maxIterations = input.maxIterations;
      let resumedFrom: string | undefined;
      let iterationsBefore = 0;
      const checkpoint = latestCheckpoint(ws);
      if (checkpoint) {
        iterationsBefore = fs.existsSync(logPath) ? iterationsCompleted(fs.readFileSync(logPath, 'utf8')) : 0;
        const resume = writeResumeInput(ws, input.inputYamlPath, iterationsBefore);
        maxIterations = resume.maxIterations ?? maxIterations;
        resumedFrom = checkpoint;
        args = [path.basename(resume.path), '-p', checkpoint];
      }

      let exit = await startFit(args, maxIterations, resumedFrom, iterationsBefore);
      if (resumedFrom && !exit.cancelled && !exit.drained && !exit.signal && exit.code !== 0) {
        // pacemaker rewrites its checkpoint in place: a process killed mid-write leaves one it cannot read.
        // The input itself passed --dry-run, so start the fit again from the beginning once.
        ctx.log.warn(`pacemaker could not continue from ${resumedFrom}; starting the fit from the beginning`);
        fs.renameSync(path.join(ws, resumedFrom), path.join(ws, `${resumedFrom}.unusable`));
        resumedFrom = undefined;
        maxIterations = input.maxIterations;
        args = [path.basename(input.inputYamlPath)];
        exit = await startFit(args, maxIterations, resumedFrom, 0);
      }
      const logText = fs.readFileSync(logPath, 'utf8');
      if (exit.cancelled) throw new CancelledFailure('training cancelled; pacemaker stopped');
      if (exit.drained) {
        const saved = latestCheckpoint(ws);
        throw handBack(
          saved
            ? `; pacemaker stopped at its checkpoint ${saved}, which the next attempt continues from`
            : '; pacemaker stopped before its first checkpoint, so the next attempt starts the fit again',
        );
      }
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
      report();
      // The conversion and the metrics read big files on big fits: keep heartbeating meanwhile.
      const converting = setInterval(report, heartbeatIntervalMs);
      try {
        const yacePath = path.join(ws, TRAINER_FILES.yace);
        moveCoreRepulsionSwitch(potentialYamlPath);
        await convertToYace(potentialYamlPath, yacePath, ws);
        foldReferenceEnergies(potentialYamlPath, input.inputYamlPath, yacePath);
        const metrics = await finalMetrics(ws);
        const iterations = iterationsCompleted(logText);
        return {
          yacePath,
          potentialYamlPath,
          logPath,
          metrics,
          iterations,
          resumedFrom,
          ...(stoppedEarly(logText) ? { stoppedEarly: true as const } : {}),
        };
      } finally {
        clearInterval(converting);
      }
    } finally {
      release();
      instruments.end();
    }

    function workerShuttingDown(): boolean {
      const reason: unknown = ctx.cancellationSignal.reason;
      return reason instanceof CancelledFailure && reason.message === 'WORKER_SHUTDOWN';
    }

    /** The retryable failure that gives a drained fit back to Temporal, to resume on this host or another. */
    function handBack(what: string) {
      return retryable(
        FailureType.WorkerShuttingDown,
        `the worker of host ${deps.hostId ?? '?'} is shutting down${what}`,
      );
    }

    async function startFit(
      args: string[],
      maxIterations: number,
      resumedFrom: string | undefined,
      before: number,
    ) {
      progress = {
        phase: 'preparing',
        maxIterations,
        resumedFrom,
        ...(before ? { iterationsBefore: before } : {}),
      };
      report();
      fs.appendFileSync(logPath, attemptMarker(ctx.info.attempt, new Date(), args));
      return runTrainer(args, maxIterations, resumedFrom, before);
    }

    async function runTrainer(
      args: string[],
      maxIterations: number,
      resumedFrom: string | undefined,
      before: number,
    ) {
      const parser = createProgressParser();
      const update = () => {
        const snap = parser.snapshot();
        progress = {
          phase: snap.latest || snap.stats.fit ? 'fitting' : 'preparing',
          maxIterations,
          latest: snap.latest,
          fitStats: snap.stats.fit ?? snap.stats.cycle,
          checkpoint: latestCheckpointSafe(),
          resumedFrom,
          ...(before ? { iterationsBefore: before } : {}),
        };
        instruments.observe(progress);
      };
      const latestCheckpointSafe = () => {
        try {
          return latestCheckpoint(ws);
        } catch {
          return undefined;
        }
      };

      // The activity's cancellation is one of two stops: a cancelled training's (SIGTERM to the group)
      // or, when the worker shuts down, a drain (SIGINT: pacemaker stops at its checkpoint).
      const cancel = new AbortController();
      const drain = new AbortController();
      let cancelled = false;
      let drained = false;
      let pid: number | undefined;
      const onCancel = () => {
        if (workerShuttingDown()) {
          drained = true;
          ctx.log.info(`worker shutting down: interrupting pacemaker (group ${pid}) at its next checkpoint`);
          drain.abort();
          return;
        }
        cancelled = true;
        ctx.log.info(`cancelling: stopping pacemaker process group ${pid}`);
        cancel.abort();
      };

      let exit;
      try {
        ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
        exit = await runRecordedProcess({
          command: deps.pacemakerBin,
          args,
          cwd: ws,
          env: { ...process.env, PYTHONUNBUFFERED: '1' },
          signal: cancel.signal,
          interrupt: drain.signal,
          interruptGraceMs: drainGraceMs,
          killGraceMs,
          // Its own process group survives a worker crash: the next attempt finds it through the pid file.
          pidFile: pidPath,
          // Byte for byte into the log (pyace's \r progress included), and to the progress parser.
          logFile: logPath,
          onSpawn: (leader) => (pid = leader),
          onOutput: (chunk) => {
            if (parser.push(chunk.toString('utf8'))) update();
          },
          heartbeat: () => report(),
          heartbeatIntervalMs,
        });
      } catch (err) {
        if (!(err instanceof ProcessStartError)) throw err;
        throw nonRetryable(
          FailureType.WorkerMisconfigured,
          `could not start pacemaker (${deps.pacemakerBin})`,
        );
      } finally {
        ctx.cancellationSignal.removeEventListener('abort', onCancel);
      }
      if (parser.end()) update();
      report();
      return { code: exit.code, signal: exit.signal, cancelled, drained };
    }
  }

  /** pace_yaml2yace and the metrics helper read big files on big fits: they heartbeat and stop on cancel. */
  async function runHelper(command: string, args: string[], cwd: string, what: string) {
    const ctx = Context.current();
    let result;
    try {
      result = await runProcess({
        command,
        args,
        cwd,
        timeoutMs: 10 * 60_000,
        signal: ctx.cancellationSignal,
        killGraceMs,
        heartbeat: () => ctx.heartbeat(),
        heartbeatIntervalMs,
      });
    } catch (err) {
      throw nonRetryable(
        FailureType.WorkerMisconfigured,
        `cannot run ${what} (${command}): ${(err as Error).message}`,
      );
    }
    if (result.cancelled) throw new CancelledFailure(`cancelled while running ${what}`);
    return result;
  }

  async function convertToYace(potentialYamlPath: string, yacePath: string, cwd: string) {
    const r = await runHelper(
      deps.paceYaml2YaceBin,
      [potentialYamlPath, '-o', yacePath],
      cwd,
      'pace_yaml2yace',
    );
    if (r.code !== 0) {
      throw nonRetryable(
        FailureType.InvalidTrainerOutput,
        `pace_yaml2yace could not convert ${path.basename(potentialYamlPath)}: ${readableTail(r.stderrTail || r.stdoutTail || `exit ${r.code ?? r.signal}`, 10, 1500)}`,
      );
    }
    if (!fs.existsSync(yacePath)) {
      throw nonRetryable(
        FailureType.InvalidTrainerOutput,
        `pace_yaml2yace exited 0 but wrote no ${path.basename(yacePath)}`,
      );
    }
  }

  /**
   * Moves the switch to ZBL core repulsion just below the data's shortest distances and spreads it over a
   * third of them instead of pacemaker's 0.1 Å (src/pacemaker/inner-cutoff.ts), in output_potential.yaml
   * itself, so that the .yace, the active set and warm starts all read the same potential. Predictions on
   * the data do not change. Idempotent, so a retried conversion leaves the file as the first made it.
   */
  function moveCoreRepulsionSwitch(potentialYamlPath: string) {
    const { text, changes } = moveInnerCutoff(fs.readFileSync(potentialYamlPath, 'utf8'));
    if (changes.length === 0) return;
    fs.writeFileSync(`${potentialYamlPath}.tmp`, text);
    fs.renameSync(`${potentialYamlPath}.tmp`, potentialYamlPath);
    const what = changes
      .map(
        (c) =>
          `${c.block}: shortest ${c.shortest.toFixed(3)} Å, r_in ${c.rIn.toFixed(3)} Å, delta_in ${c.deltaIn.toFixed(3)} Å`,
      )
      .join('; ');
    fs.appendFileSync(
      path.join(path.dirname(potentialYamlPath), TRAINER_FILES.log),
      `\n[mlip-autopipe] core-repulsion switch moved below the data's shortest distances (${what})\n`,
    );
  }

  /**
   * Puts the reference energies pacemaker subtracted from the data into the .yace's E0, so that pyace and
   * LAMMPS return the data's total energies (src/pacemaker/reference-energy.ts).
   */
  function foldReferenceEnergies(potentialYamlPath: string, inputYamlPath: string, yacePath: string) {
    const configured = (
      parseYaml(fs.readFileSync(inputYamlPath, 'utf8')) as { data?: { reference_energy?: unknown } }
    )?.data?.reference_energy;
    // No data.reference_energy: pacemaker fitted the dataset's energy_corrected as it was and subtracted
    // nothing, so there is nothing to put back.
    if (configured === undefined || configured === null) return;
    try {
      const yace = fs.readFileSync(yacePath, 'utf8');
      const energies = fittedReferenceEnergies(yace, fs.readFileSync(potentialYamlPath, 'utf8'), configured);
      fs.writeFileSync(`${yacePath}.tmp`, withReferenceEnergies(yace, energies));
      fs.renameSync(`${yacePath}.tmp`, yacePath);
    } catch (err) {
      if (!(err instanceof ReferenceEnergyError)) throw err;
      throw nonRetryable(
        FailureType.InvalidTrainerOutput,
        `cannot make ${path.basename(yacePath)} return absolute energies: ${err.message}`,
      );
    }
  }

  async function finalMetrics(ws: string): Promise<FinalMetrics> {
    const r = await runHelper(
      deps.python,
      [path.join(PYTHON_HELPERS_DIR, 'prediction_metrics.py'), ws],
      ws,
      'the prediction metrics helper',
    );
    if (r.code !== 0) {
      throw nonRetryable(
        FailureType.InvalidTrainerOutput,
        `could not read pacemaker's predictions (train_pred.pckl.gzip): ${readableTail(r.stderrTail || `exit ${r.code ?? r.signal}`, 10, 1500)}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(r.stdoutTail);
    } catch {
      throw nonRetryable(
        FailureType.InvalidTrainerOutput,
        `the prediction metrics helper printed no JSON: ${readableTail(r.stdoutTail, 5, 500)}`,
      );
    }
    const parsed = FinalMetricsSchema.safeParse(json);
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
