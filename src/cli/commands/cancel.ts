/** `mlip-train cancel ID`: asks a training to stop; the workflow kills pacemaker and removes its workspace. */
import { loadEnv } from '../../config';
import { parseCommandArgs } from '../args';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';
import {
  connectTemporal,
  describeOrUndefined,
  notFoundMessage,
  outcomeOf,
  TEMPORAL_ENV_HELP,
} from '../trainings';

const usage = `Usage: mlip-train cancel WORKFLOW_ID [--wait] [--json]

Requests cancellation of a running training. The workflow stops the pacemaker process group and removes
the training's workspace before it ends as cancelled; nothing is published. Cancelling is idempotent:
a training that has already closed is left as it is and reported (exit 0).

Options:
  --wait   wait until the training has ended (workspace cleaned up) and report how it ended
  --json   print {workflowId, status, cancelRequested, alreadyClosed}

${TEMPORAL_ENV_HELP}.
Exit codes: 0 cancellation requested, or the training already closed (with --wait: it ended cancelled),
1 no workflow has this id, Temporal is unreachable, or (with --wait) it ended otherwise — e.g. it
completed before the cancellation reached it; 2 usage.`;

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { wait: { type: 'boolean' }, json: { type: 'boolean' } },
    true,
  );
  if (positionals.length !== 1) throw new UsageError('give exactly one WORKFLOW_ID');
  const workflowId = positionals[0]!;
  const env = loadEnv(io.env);
  const session = await connectTemporal(env);
  const print = (o: Record<string, unknown>, text: string) =>
    io.out(values.json ? JSON.stringify({ workflowId, ...o }, null, 2) : text);
  try {
    const handle = session.client.workflow.getHandle(workflowId);
    const d = await describeOrUndefined(handle);
    if (!d) {
      io.err(`mlip-train cancel: ${notFoundMessage(workflowId, env.TEMPORAL_NAMESPACE)}`);
      return ExitCode.Failed;
    }
    if (d.status.name !== 'RUNNING') {
      print(
        { status: d.status.name, cancelRequested: false, alreadyClosed: true },
        `${workflowId} is already closed (${d.status.name}); nothing to cancel`,
      );
      return ExitCode.Ok;
    }
    const run = session.client.workflow.getHandle(workflowId, d.runId);
    await run.cancel();
    if (!values.wait) {
      print(
        { status: 'RUNNING', cancelRequested: true, alreadyClosed: false },
        `cancellation requested for ${workflowId}; it stops pacemaker and removes its workspace (mlip-train status ${workflowId})`,
      );
      return ExitCode.Ok;
    }
    if (!values.json) io.out(`cancellation requested for ${workflowId}; waiting for it to end...`);
    const outcome = await outcomeOf(run);
    const ended = outcome.status;
    print(
      { status: ended, cancelRequested: true, alreadyClosed: false },
      ended === 'CANCELLED'
        ? `${workflowId} cancelled; its workspace has been cleaned up`
        : `${workflowId} ended ${ended} before the cancellation took effect${ended === 'COMPLETED' ? `: ${outcome.result.potentialId}` : `: ${outcome.message}`}`,
    );
    return ended === 'CANCELLED' ? ExitCode.Ok : ExitCode.Failed;
  } finally {
    await session.close();
  }
}

export const cancelCommand: CliCommand = {
  name: 'cancel',
  summary: 'cancel a running training (idempotent); --wait until it has ended',
  usage,
  run,
};
