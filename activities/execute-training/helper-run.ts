/**
 * pace_yaml2yace and the prediction metrics helper read big files on big fits: they run with heartbeats,
 * stop when the activity is cancelled, and are given ten minutes.
 */
import { CancelledFailure, type Context } from '@temporalio/activity';
import { FailureType, nonRetryable } from '../../src/api';
import { runProcess, type RunProcessResult } from '../../src/process';
import type { FitSettings } from './settings';

export async function runHelper(
  ctx: Context,
  settings: FitSettings,
  helper: { command: string; args: string[]; cwd: string; what: string },
): Promise<RunProcessResult> {
  const { command, what } = helper;
  let result;
  try {
    result = await runProcess({
      command,
      args: helper.args,
      cwd: helper.cwd,
      timeoutMs: 10 * 60_000,
      signal: ctx.cancellationSignal,
      killGraceMs: settings.killGraceMs,
      heartbeat: () => ctx.heartbeat(),
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
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
