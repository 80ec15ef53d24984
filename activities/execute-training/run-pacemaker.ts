/**
 * One run of pacemaker in the workspace, through runRecordedProcess (src/process): without a shell, in a
 * process group of its own whose id is in the pid file, its output appended byte for byte to pacemaker.log
 * (pyace's \r progress included) and parsed as it arrives into the progress the heartbeats carry.
 *
 * The activity's cancellation is one of two stops: a cancelled training's (SIGTERM to the group, SIGKILL
 * after a grace period) or, when the worker shuts down, a drain (SIGINT: pacemaker stops between two
 * iterations with its checkpoint whole, since it rewrites it after every iteration from Python; SIGTERM if
 * it still runs after the drain grace period).
 */
import type { Context } from '@temporalio/activity';
import fs from 'node:fs';
import { FailureType, nonRetryable } from '../../src/api';
import {
  attemptMarker,
  createProgressParser,
  fitThreadEnv,
  latestCheckpoint,
  type FitRun,
} from '../../src/pacemaker';
import { ProcessStartError, runRecordedProcess } from '../../src/process';
import { stopChildOnCancel } from '../cancel-child';
import type { FitExit } from './fit-ending';
import { preparingProgress, runningProgress, type FitReporter } from './fit-progress';
import type { FitFiles } from './fit-workspace';
import { isWorkerShutdown } from './hand-back';
import type { FitSettings } from './settings';

export async function runPacemaker(
  run: FitRun,
  ctx: Context,
  files: FitFiles,
  reporter: FitReporter,
  settings: FitSettings,
): Promise<FitExit> {
  reporter.set(preparingProgress(run));
  reporter.report();
  fs.appendFileSync(files.log, attemptMarker(ctx.info.attempt, new Date(), run.args));
  const parser = createProgressParser();
  const update = () => reporter.record(runningProgress(run, parser.snapshot(), checkpointIn(files.dir)));
  const cancel = new AbortController();
  const drain = new AbortController();
  let pid: number | undefined;
  const stops = stopChildOnCancel(ctx, {
    name: 'pacemaker',
    pid: () => pid,
    stop: () => cancel.abort(),
    // SIGINT: pacemaker stops between two iterations, at its checkpoint.
    drain: { when: isWorkerShutdown, interrupt: () => drain.abort() },
  });
  let exit;
  try {
    exit = await runRecordedProcess({
      command: settings.pacemakerBin,
      args: run.args,
      cwd: files.dir,
      env: {
        ...process.env,
        PYTHONUNBUFFERED: '1',
        ...(settings.fitThreads ? fitThreadEnv(settings.fitThreads) : {}),
      },
      signal: cancel.signal,
      interrupt: drain.signal,
      interruptGraceMs: settings.drainGraceMs,
      killGraceMs: settings.killGraceMs,
      // Its own process group survives a worker crash: the next attempt finds it through the pid file.
      pidFile: files.pid,
      logFile: files.log,
      onSpawn: (leader) => (pid = leader),
      onOutput: (chunk) => {
        if (parser.push(chunk.toString('utf8'))) update();
      },
      heartbeat: () => reporter.report(),
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
    });
  } catch (err) {
    if (!(err instanceof ProcessStartError)) throw err;
    throw nonRetryable(
      FailureType.WorkerMisconfigured,
      `could not start pacemaker (${settings.pacemakerBin})`,
    );
  } finally {
    stops.dispose();
  }
  if (parser.end()) update();
  reporter.report();
  return { code: exit.code, signal: exit.signal, cancelled: stops.cancelled, drained: stops.drained };
}

/** The progress never fails the fit: a workspace that cannot be listed tells no checkpoint this time. */
function checkpointIn(dir: string): string | undefined {
  try {
    return latestCheckpoint(dir);
  } catch {
    return undefined;
  }
}
