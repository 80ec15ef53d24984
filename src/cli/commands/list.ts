/** `mlip-train list`: recent trainings, found through Temporal's visibility store and the Mlip* search attributes. */
import { loadEnv } from '../../config';
import { numberFlag, parseCommandArgs } from '../args';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';
import {
  connectTemporal,
  TEMPORAL_ENV_HELP,
  trainingAttributes,
  WORKFLOW_TYPE,
  type TrainingSearchAttributes,
} from '../trainings';
import { formatTable } from '../table';

const usage = `Usage: mlip-train list [--campaign NAME] [--running] [--limit N] [--json]

Lists recent trainings (workflow type '${WORKFLOW_TYPE}'), newest first: workflow id, status, campaign,
phase, dataset size and start time. Temporal's visibility store lags a moment behind: a training
started a second ago may not be listed yet.

Options:
  --campaign NAME   only trainings of this campaign (search attribute MlipCampaign)
  --running         only trainings that are still running
  --limit N         at most N trainings (default 20)
  --json            print an array of {workflowId, runId, status, campaign, phase, datasetSize, startTime, closeTime}

${TEMPORAL_ENV_HELP}.
Exit codes: 0 listed (also when none match), 1 Temporal unreachable or the query failed, 2 usage.`;

/** A double-quoted string literal of Temporal's list-filter language. */
const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The visibility query for these filters. Exported for tests. */
export function listQuery(filters: { campaign?: string; running?: boolean }): string {
  const parts = [`WorkflowType = '${WORKFLOW_TYPE}'`];
  if (filters.campaign !== undefined) parts.push(`MlipCampaign = ${quote(filters.campaign)}`);
  if (filters.running) parts.push(`ExecutionStatus = 'Running'`);
  return parts.join(' AND ');
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      campaign: { type: 'string' },
      running: { type: 'boolean' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
    true,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const limit = numberFlag('limit', values.limit) ?? 20;
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be an integer >= 1, got ${values.limit}`);
  const env = loadEnv(io.env);
  const session = await connectTemporal(env);
  try {
    const rows = [];
    const query = listQuery({ campaign: values.campaign, running: values.running });
    for await (const w of session.client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
      rows.push({
        workflowId: w.workflowId,
        runId: w.runId,
        status: w.status.name,
        ...trainingAttributes(w),
        startTime: w.startTime,
        closeTime: w.closeTime,
      });
      if (rows.length >= limit) break;
    }
    if (values.json) io.out(JSON.stringify(rows, null, 2));
    else if (rows.length === 0)
      io.out(
        `no trainings${values.campaign !== undefined ? ` of campaign '${values.campaign}'` : ''}${values.running ? ' running' : ''}`,
      );
    else for (const line of formatTable(listTable(rows))) io.out(line);
    return ExitCode.Ok;
  } finally {
    await session.close();
  }
}

function listTable(
  rows: (TrainingSearchAttributes & { workflowId: string; status: string; startTime: Date })[],
) {
  return [
    ['WORKFLOW ID', 'STATUS', 'CAMPAIGN', 'PHASE', 'DATASET', 'STARTED (UTC)'],
    ...rows.map((r) => [
      r.workflowId,
      r.status,
      r.campaign ?? '-',
      r.phase ?? '-',
      r.datasetSize !== undefined ? String(r.datasetSize) : '-',
      r.startTime
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ''),
    ]),
  ];
}

export const listCommand: CliCommand = {
  name: 'list',
  summary: 'recent trainings: id, status, campaign, phase, dataset size, start time',
  usage,
  run,
};
