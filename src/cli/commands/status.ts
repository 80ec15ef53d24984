/** `mlip-train status ID`: one look at a training: Temporal's description, its progress, its outcome. */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { TrainingProgress } from '../../api';
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
    const status = d.status.name;
    const running = status === 'RUNNING';
    const look: TrainingLook = {
      workflowId,
      d,
      progress: running ? await readTrainingProgress(handle) : undefined,
      outcome:
        running || status === 'CONTINUED_AS_NEW' || status === 'UNSPECIFIED'
          ? undefined
          : await outcomeOf(session.client.workflow.getHandle(workflowId, d.runId)),
      url: workflowUiUrl(io, env.TEMPORAL_NAMESPACE, workflowId),
    };
    if (values.json) io.out(JSON.stringify(statusJson(look), null, 2));
    else for (const line of statusLines(look)) io.out(line);
    return running || look.outcome?.status === 'COMPLETED' ? ExitCode.Ok : ExitCode.Failed;
  } finally {
    await session.close();
  }
}

/** What one look at a training found. */
interface TrainingLook {
  workflowId: string;
  d: WorkflowExecutionDescription;
  /** Only while it runs. */
  progress?: TrainingProgress;
  /** Only once it has closed. */
  outcome?: Outcome;
  url: string;
}

function statusJson({ workflowId, d, progress, outcome, url }: TrainingLook) {
  return {
    workflowId,
    runId: d.runId,
    status: d.status.name,
    type: d.type,
    ...trainingAttributes(d),
    startTime: d.startTime,
    closeTime: d.closeTime,
    url,
    ...(progress ? { progress } : {}),
    ...(outcome
      ? (({ workflowId: _w, runId: _r, status: _s, ...rest }) => rest)(
          outcomeJson(workflowId, d.runId, outcome),
        )
      : {}),
  };
}

function statusLines({ workflowId, d, progress, outcome, url }: TrainingLook): string[] {
  const attrs = trainingAttributes(d);
  const status = d.status.name;
  const lines = [
    `${workflowId}  ${status}${d.type !== 'trainPotential' ? `  (workflow type ${d.type})` : ''}`,
    `  campaign    ${attrs.campaign ?? '-'}`,
    `  phase       ${attrs.phase ?? '-'}`,
    `  dataset     ${attrs.datasetSize !== undefined ? `${attrs.datasetSize} structures` : '-'}`,
    `  started     ${d.startTime.toISOString()}${d.closeTime ? `, closed ${d.closeTime.toISOString()}` : ''}`,
    `  run id      ${d.runId}`,
    `  Web UI      ${url}`,
  ];
  if (status === 'RUNNING')
    lines.push(
      `  progress    ${progress ? formatProgressLine(progress) : '(no worker answered the progress query yet)'}`,
    );
  if (outcome?.status === 'COMPLETED') lines.push(...describeResult(outcome.result));
  else if (outcome)
    lines.push(
      `${outcome.status.toLowerCase()}: ${outcome.message}${outcome.failureType ? ` [${outcome.failureType}]` : ''}`,
    );
  return lines;
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'describe one training: status, phase, progress, result or failure',
  usage,
  run,
};
