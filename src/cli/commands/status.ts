/** `mlip-train status ID`: one look at a training: Temporal's description, its progress, its outcome. */
import { loadEnv } from '../../config';
import { parseCommandArgs } from '../args';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';
import { readTrainingProgress } from '../live-progress';
import { formatProgressLine } from '../progress-line';
import {
  connectTemporal,
  describeOrUndefined,
  describeResult,
  notFoundMessage,
  outcomeJson,
  outcomeOf,
  TEMPORAL_ENV_HELP,
  trainingAttributes,
  workflowUiUrl,
  type Outcome,
} from '../trainings';

const usage = `Usage: mlip-train status WORKFLOW_ID [--json]

Describes one training: its Temporal status, campaign, phase, dataset size and times; its live progress
when it is running; its result when it completed (the .yace path, train/test RMSEs, registry id) or its
failure message when it failed, was cancelled, terminated or timed out.

Options:
  --json   print {workflowId, runId, status, type, campaign, phase, datasetSize, startTime, closeTime,
           url, progress?, result? | failure?}

${TEMPORAL_ENV_HELP}.
Exit codes: 0 the training is running or completed, 1 it failed, was cancelled, terminated or timed
out, or no workflow has this id, or Temporal is unreachable; 2 usage.`;

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new UsageError('give exactly one WORKFLOW_ID');
  const workflowId = positionals[0]!;
  const env = loadEnv(io.env);
  const session = await connectTemporal(env);
  try {
    const handle = session.client.workflow.getHandle(workflowId);
    const d = await describeOrUndefined(handle);
    if (!d) {
      io.err(`mlip-train status: ${notFoundMessage(workflowId, env.TEMPORAL_NAMESPACE)}`);
      return ExitCode.Failed;
    }
    const attrs = trainingAttributes(d);
    const status = d.status.name;
    const running = status === 'RUNNING';
    const progress = running ? await readTrainingProgress(handle) : undefined;
    const outcome: Outcome | undefined =
      running || status === 'CONTINUED_AS_NEW' || status === 'UNSPECIFIED'
        ? undefined
        : await outcomeOf(session.client.workflow.getHandle(workflowId, d.runId));
    const url = workflowUiUrl(io, env.TEMPORAL_NAMESPACE, workflowId);
    if (values.json) {
      io.out(
        JSON.stringify(
          {
            workflowId,
            runId: d.runId,
            status,
            type: d.type,
            ...attrs,
            startTime: d.startTime,
            closeTime: d.closeTime,
            url,
            ...(progress ? { progress } : {}),
            ...(outcome
              ? (({ workflowId: _w, runId: _r, status: _s, ...rest }) => rest)(
                  outcomeJson(workflowId, d.runId, outcome),
                )
              : {}),
          },
          null,
          2,
        ),
      );
    } else {
      io.out(`${workflowId}  ${status}${d.type !== 'trainPotential' ? `  (workflow type ${d.type})` : ''}`);
      io.out(`  campaign    ${attrs.campaign ?? '-'}`);
      io.out(`  phase       ${attrs.phase ?? '-'}`);
      io.out(`  dataset     ${attrs.datasetSize !== undefined ? `${attrs.datasetSize} structures` : '-'}`);
      io.out(
        `  started     ${d.startTime.toISOString()}${d.closeTime ? `, closed ${d.closeTime.toISOString()}` : ''}`,
      );
      io.out(`  run id      ${d.runId}`);
      io.out(`  Web UI      ${url}`);
      if (running)
        io.out(
          `  progress    ${progress ? formatProgressLine(progress) : '(no worker answered the progress query yet)'}`,
        );
      if (outcome?.status === 'COMPLETED') for (const line of describeResult(outcome.result)) io.out(line);
      else if (outcome)
        io.out(
          `${outcome.status.toLowerCase()}: ${outcome.message}${outcome.failureType ? ` [${outcome.failureType}]` : ''}`,
        );
    }
    return running || outcome?.status === 'COMPLETED' ? ExitCode.Ok : ExitCode.Failed;
  } finally {
    await session.close();
  }
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'describe one training: status, phase, progress, result or failure',
  usage,
  run,
};
