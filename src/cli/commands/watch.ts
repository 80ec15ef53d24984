/** `mlip-train watch ID`: live progress of a training until it closes, then its result. */
import { loadEnv } from '../../config';
import { numberFlag, parseCommandArgs } from '../args';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';
import {
  connectTemporal,
  describeOrUndefined,
  followTraining,
  notFoundMessage,
  TEMPORAL_ENV_HELP,
} from '../trainings';

const usage = `Usage: mlip-train watch WORKFLOW_ID [--interval SECONDS] [--json]

Shows a training's progress from its 'progress' query about every second until it closes: phase,
iteration/maxIterations as a bar, loss, RMSE of energy (meV/atom) and of forces (meV/Å). On a terminal the
line is redrawn in place; in a pipe or log a line is printed only when something changed. Ends with the
result: the .yace path, final train/test RMSEs and the registry id — or the failure.

Options:
  --interval SECONDS  time between progress queries (default 1)
  --json              print only the final result object: {workflowId, status, result | failure}

${TEMPORAL_ENV_HELP}.
Exit codes: 0 the training completed, 1 it failed, was cancelled, terminated or timed out, or the id is
unknown, or Temporal is unreachable; 2 usage.`;

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { interval: { type: 'string' }, json: { type: 'boolean' } },
    true,
  );
  if (positionals.length !== 1) throw new UsageError('give exactly one WORKFLOW_ID');
  const interval = numberFlag('interval', values.interval) ?? 1;
  if (interval <= 0) throw new UsageError(`--interval must be > 0, got ${values.interval}`);
  const workflowId = positionals[0]!;
  const env = loadEnv(io.env);
  const session = await connectTemporal(env);
  try {
    if (!(await describeOrUndefined(session.client.workflow.getHandle(workflowId)))) {
      io.err(`mlip-train watch: ${notFoundMessage(workflowId, env.TEMPORAL_NAMESPACE)}`);
      return ExitCode.Failed;
    }
    return await followTraining(session.client, io, workflowId, undefined, {
      json: values.json ?? false,
      intervalMs: interval * 1000,
    });
  } finally {
    await session.close();
  }
}

export const watchCommand: CliCommand = {
  name: 'watch',
  summary: 'follow a training live (phase, iteration bar, loss, RMSEs) until it ends',
  usage,
  run,
};
