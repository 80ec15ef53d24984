/**
 * `mlip-train start`: starts a trainPotential workflow from flags or a request file, validated here first
 * so that a mistake is a usage error naming the field instead of a failed workflow.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { loadEnv } from '../../config';
import { checkTrainerParams, MlipCampaign, parseTrainingRequest, type TrainingRequest } from '../../api';
import { intFlag, parseCommandArgs } from '../args';
import { readRequestFile } from '../request-file';
import {
  invalidRecordsFromFlags,
  SELECTION_HELP,
  SELECTION_OPTIONS,
  selectionFromFlags,
} from '../selection-flags';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';
import {
  connectTemporal,
  followTraining,
  TEMPORAL_ENV_HELP,
  WORKFLOW_TYPE,
  workflowUiUrl,
} from '../trainings';

const usage = `Usage: mlip-train start --campaign NAME [selection and trainer options] [--wait] [--json]
       mlip-train start --request FILE.json|FILE.yaml [options that override the file] [--wait] [--json]

Starts a training (workflow type '${WORKFLOW_TYPE}') on the task queue MLIP_TASK_QUEUE and prints its
workflow id and Web UI link. The request is validated before anything starts; a bad field is a usage
error that names it. A worker must be running (npm run worker) for the training to make progress.

Options:
  --campaign NAME           campaign whose completed calculations make up the training set
  --request FILE            a whole TrainingRequest as JSON or YAML; the flags below override its fields
${SELECTION_HELP}
  --trainer FILE            TrainerParams as YAML or JSON (see mlip-train config --explain)
  --max-iterations N        shortcut for trainer.optimizer.maxIterations
  --potential-name NAME     registry name of the potential (default: the campaign)
  --initial-potential ID    warm start: continue from the published potential ID (name@vK)
  --workflow-id ID          workflow id (default train-<campaign>-<UTC timestamp>)
  --wait                    follow the training like 'mlip-train watch' and end with its result
  --json                    print {workflowId, runId, url} (with --wait: the final result object)

If --workflow-id names a training that is still running, nothing new is started: without --wait that
is exit 1 (watch it with 'mlip-train watch ID'); with --wait the command attaches to the running
training and follows it. An id whose training has closed is reused for a new run.

${TEMPORAL_ENV_HELP}, MLIP_TASK_QUEUE (default mlip-training).
Exit codes: 0 started (with --wait: completed), 1 failed (Temporal unreachable, id already running,
with --wait: the training failed or was cancelled), 2 usage (including an invalid request).`;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** UTC timestamp for default ids: 20261128T205512Z. */
function stamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

const OPTIONS = {
  campaign: { type: 'string' },
  request: { type: 'string' },
  ...SELECTION_OPTIONS,
  trainer: { type: 'string' },
  'max-iterations': { type: 'string' },
  'potential-name': { type: 'string' },
  'initial-potential': { type: 'string' },
  'workflow-id': { type: 'string' },
  wait: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** The TrainingRequest the flags describe, validated. Exported for tests. */
export async function requestFromArgs(args: string[]): Promise<{
  request: TrainingRequest;
  workflowId?: string;
  wait: boolean;
  json: boolean;
}> {
  const { values: v } = parseCommandArgs(args, OPTIONS);
  let raw: Record<string, unknown> = {};
  if (v.request !== undefined) {
    const fromFile = await readRequestFile('request', v.request);
    if (!isObject(fromFile))
      throw new UsageError(`--request ${v.request} must hold an object (a TrainingRequest)`);
    raw = { ...fromFile };
  }
  if (v.campaign !== undefined) raw.campaign = v.campaign;
  if (raw.campaign === undefined)
    throw new UsageError('--campaign is required (or a --request file with a campaign)');

  const fromFlags = selectionFromFlags(v);
  if (Object.keys(fromFlags).length > 0)
    raw.selection = { ...(isObject(raw.selection) ? raw.selection : {}), ...fromFlags };
  const invalidRecords = invalidRecordsFromFlags(v);
  if (invalidRecords !== undefined) raw.invalidRecords = invalidRecords;
  if (v.trainer !== undefined) {
    const trainer = await readRequestFile('trainer', v.trainer);
    if (!isObject(trainer))
      throw new UsageError(`--trainer ${v.trainer} must hold an object (TrainerParams)`);
    raw.trainer = trainer;
  }
  const maxIterations = intFlag('max-iterations', v['max-iterations']);
  if (maxIterations !== undefined) {
    const trainer = isObject(raw.trainer) ? raw.trainer : {};
    const optimizer = isObject(trainer.optimizer) ? trainer.optimizer : {};
    raw.trainer = { ...trainer, optimizer: { ...optimizer, maxIterations } };
  }
  if (v['potential-name'] !== undefined) raw.potentialName = v['potential-name'];
  if (v['initial-potential'] !== undefined) raw.initialPotential = v['initial-potential'];

  const parsed = parseTrainingRequest(raw);
  if (!parsed.ok) throw new UsageError(parsed.message);
  const invalidTrainer = checkTrainerParams(parsed.request.trainer);
  if (invalidTrainer) throw new UsageError(invalidTrainer.message);
  if (v['workflow-id'] !== undefined && v['workflow-id'].trim() === '')
    throw new UsageError('--workflow-id must not be empty');
  return {
    request: parsed.request,
    workflowId: v['workflow-id'],
    wait: v.wait ?? false,
    json: v.json ?? false,
  };
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { request, workflowId: givenId, wait, json } = await requestFromArgs(args);
  const env = loadEnv(io.env);
  const name = request.potentialName ?? request.campaign;
  const workflowId = givenId ?? `train-${request.campaign}-${stamp(new Date())}`;
  const url = workflowUiUrl(io, env.TEMPORAL_NAMESPACE, workflowId);
  const session = await connectTemporal(env);
  try {
    let runId: string | undefined;
    try {
      const handle = await session.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: env.MLIP_TASK_QUEUE,
        workflowId,
        args: [request],
        staticSummary: `train ${name} on ${request.campaign}`,
        typedSearchAttributes: [{ key: MlipCampaign, value: request.campaign }],
      });
      runId = handle.firstExecutionRunId;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      if (!wait) {
        io.err(
          `mlip-train start: a training with workflow id '${workflowId}' is already running; nothing was started. ` +
            `Follow it with: mlip-train watch ${workflowId}  (or start --wait to attach)`,
        );
        return ExitCode.Failed;
      }
      if (!json) io.out(`already running: ${workflowId} — following it`);
    }
    if (runId !== undefined) {
      if (json && !wait) io.out(JSON.stringify({ workflowId, runId, url }, null, 2));
      else if (!json) {
        io.out(
          `started ${workflowId} (train ${name} on ${request.campaign}, task queue ${env.MLIP_TASK_QUEUE})`,
        );
        io.out(`  Web UI  ${url}`);
        if (!wait) io.out(`  follow  mlip-train watch ${workflowId}`);
      }
    }
    if (!wait) return ExitCode.Ok;
    return await followTraining(session.client, io, workflowId, runId, { json });
  } finally {
    await session.close();
  }
}

export const startCommand: CliCommand = {
  name: 'start',
  summary: 'start a training (trainPotential) from flags or a request file; --wait follows it',
  usage,
  run,
};
