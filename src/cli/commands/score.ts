/**
 * `mlip-train score`: starts the scoreCandidates workflow for a published potential or a committee over a
 * campaign's candidates, follows its progress, and prints the counts per extrapolation-grade band and the
 * ids of the top K. The workflow id is derived from the request, so running the same command again attaches
 * to a scoring that is still running, and a later run reuses the scores already written.
 */
import {
  type ScoreCandidatesResult,
  parsePotentialRef,
  MlipCampaign,
  MAX_TOP_K,
  parseScoringRequest,
  type ScoringRequest,
  type ScoringProgress,
} from '../../api';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure } from '@temporalio/common';
import { loadEnv } from '../../config';
import { GAMMA_BANDS } from '../../candidates';
import { readScoringProgress } from '../live-progress';
import { intFlag, numberFlag, parseCommandArgs } from '../args';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';
import { progressBar } from '../progress-line';
import { connectTemporal, TEMPORAL_ENV_HELP, workflowUiUrl } from '../trainings';

export const SCORING_WORKFLOW_TYPE = 'scoreCandidates';

const usage = `Usage: mlip-train score (--potential NAME@vK | --committee ID) --campaign NAME [--generation G]
                        [--top K] [--workflow-id ID] [--interval SECONDS] [--json]

Scores a campaign's candidate structures (collection 'candidates') with a published potential or a
committee (workflow type '${SCORING_WORKFLOW_TYPE}'), on the host that holds its files: per candidate the
largest extrapolation grade gamma over its atoms (from the potential's active set) and, for a committee,
the members' force disagreement (eV/Å). Each candidate's document gets the result under 'score'. Prints
progress, then the number of candidates per gamma band (pacemaker's: <= ${GAMMA_BANDS.interpolation} interpolation,
${GAMMA_BANDS.interpolation}-${GAMMA_BANDS.extrapolation} reliable extrapolation, > ${GAMMA_BANDS.extrapolation} unreliable) and the ids of the top K.

Options:
  --potential NAME@vK   a registry id (see mlip-train potentials)
  --committee ID        a committee id (the trainCommittee workflow id): every member scores
  --campaign NAME       campaign whose candidates are scored (required)
  --generation G        only candidates of this generation (default: all)
  --top K               how many of the highest-ranked candidate ids to print (default 10, at most ${MAX_TOP_K})
  --workflow-id ID      workflow id (default score-<potential>-<campaign>-<generation|all>)
  --interval SECONDS    time between progress queries (default 1)
  --json                print only the final result object: {workflowId, runId, status, result | failure}

The top K are ranked by gamma; by the committee's force disagreement for a committee without active sets.
Scores already written by the same potential are reused, not computed again.

${TEMPORAL_ENV_HELP}, MLIP_TASK_QUEUE (default mlip-training).
Exit codes: 0 scored, 1 failed (unknown potential, Temporal unreachable, the scoring failed or was
cancelled), 2 usage.`;

const OPTIONS = {
  potential: { type: 'string' },
  committee: { type: 'string' },
  campaign: { type: 'string' },
  generation: { type: 'string' },
  top: { type: 'string' },
  'workflow-id': { type: 'string' },
  interval: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The request the flags describe, validated; exported for tests. */
export function scoringRequestFromArgs(args: string[]): {
  request: ScoringRequest;
  workflowId: string;
  intervalMs: number;
  json: boolean;
} {
  const { values: v } = parseCommandArgs(args, OPTIONS);
  if ((v.potential === undefined) === (v.committee === undefined))
    throw new UsageError('give exactly one of --potential NAME@vK or --committee ID');
  if (v.potential !== undefined && parsePotentialRef(v.potential)?.version === undefined)
    throw new UsageError(`--potential must be a registry id NAME@vK (e.g. cu@v3), got '${v.potential}'`);
  if (v.campaign === undefined) throw new UsageError('--campaign is required');
  const parsed = parseScoringRequest({
    potentialId: v.potential ?? v.committee,
    campaign: v.campaign,
    ...(v.generation !== undefined ? { generation: intFlag('generation', v.generation) } : {}),
    ...(v.top !== undefined ? { topK: intFlag('top', v.top) } : {}),
  });
  if (!parsed.ok)
    throw new UsageError(
      parsed.message
        .replace('potentialId', v.potential !== undefined ? '--potential' : '--committee')
        .replace('topK', '--top')
        .replace(/\b(campaign|generation)\b/, '--$1'),
    );
  const interval = numberFlag('interval', v.interval) ?? 1;
  if (interval <= 0) throw new UsageError(`--interval must be > 0, got ${v.interval}`);
  const { request } = parsed;
  const workflowId =
    v['workflow-id'] ??
    `score-${request.potentialId}-${request.campaign}-${request.generation === undefined ? 'all' : `g${request.generation}`}`;
  if (workflowId.trim() === '') throw new UsageError('--workflow-id must not be empty');
  return { request, workflowId, intervalMs: interval * 1000, json: v.json ?? false };
}

/** e.g. `scoring     [#######.............]  3,500/10,000  reused 0  failed 2`. */
export function formatScoringProgress(p: ScoringProgress): string {
  const parts = [p.phase.padEnd(20)];
  if (p.total !== undefined && p.scored !== undefined) {
    const done = p.scored + (p.failed ?? 0);
    parts.push(
      progressBar(done, p.total),
      `${done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')}`,
      `reused ${(p.reused ?? 0).toLocaleString('en-US')}`,
      `failed ${(p.failed ?? 0).toLocaleString('en-US')}`,
    );
  }
  if (p.host && p.phase === 'scoring') parts.push(`on ${p.host}`);
  return parts.join('  ');
}

const g = (x: number | null) => (x === null ? '-' : x < 100 ? x.toFixed(3) : x.toFixed(1));

/** The closing lines of a completed scoring. */
export function describeScoring(r: ScoreCandidatesResult): string[] {
  const selection = `campaign ${r.campaign}${r.generation === null ? '' : `, generation ${r.generation}`}`;
  const lines = [
    `scored ${r.scored} of ${r.total} candidate(s) of ${selection} with ${r.potentialId}` +
      `${r.kind === 'committee' ? ' (committee)' : ''} on ${r.host} in ${r.seconds} s` +
      (r.reused ? ` (${r.reused} reused from an earlier run)` : ''),
  ];
  if (r.bands) {
    const { interpolation: i, extrapolation: e } = GAMMA_BANDS;
    lines.push(
      `  gamma <= ${i}      interpolation            ${r.bands.interpolation}`,
      `  ${i} < gamma <= ${e}  reliable extrapolation   ${r.bands.extrapolation}`,
      `  gamma > ${e}       unreliable               ${r.bands.unreliable}`,
    );
  } else lines.push('  (no active set: no extrapolation grades)');
  if (r.disagreement)
    lines.push(
      `  committee force disagreement: mean ${r.disagreement.mean.toFixed(3)} eV/Å, max ${r.disagreement.max.toFixed(3)} eV/Å`,
    );
  if (r.failed.count > 0) {
    lines.push(`  failed: ${r.failed.count}`);
    for (const f of r.failed.first.slice(0, 5)) lines.push(`    ${f.id}: ${f.reason}`);
  }
  lines.push(`top ${r.top.length} by ${r.rankedBy}:`);
  r.top.forEach((c, i) =>
    lines.push(
      `  ${String(i + 1).padStart(3)}. ${c.id}  gamma ${g(c.gammaMax)}` +
        (c.committeeForceStd === null ? '' : `  force std ${c.committeeForceStd.toFixed(3)} eV/Å`),
    ),
  );
  return lines;
}

/** A failed, cancelled or terminated run → one line naming the reason. */
function failureMessage(err: unknown): { status: string; message: string; type?: string } {
  if (!(err instanceof WorkflowFailedError)) throw err;
  const cause = err.cause;
  if (cause instanceof CancelledFailure) return { status: 'CANCELLED', message: 'cancelled' };
  if (cause instanceof TerminatedFailure) return { status: 'TERMINATED', message: 'terminated' };
  let root: Error | undefined = cause;
  while (root && (root as { cause?: Error }).cause) root = (root as { cause?: Error }).cause;
  const type = root instanceof ApplicationFailure ? (root.type ?? undefined) : undefined;
  return { status: 'FAILED', message: root?.message || cause?.message || err.message, type };
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { request, workflowId, intervalMs, json } = scoringRequestFromArgs(args);
  const env = loadEnv(io.env);
  const session = await connectTemporal(env);
  try {
    const handle = await session.client.workflow.start(SCORING_WORKFLOW_TYPE, {
      taskQueue: env.MLIP_TASK_QUEUE,
      workflowId,
      args: [request],
      // The same request while one runs: follow that one instead of failing or starting a second.
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `score ${request.campaign} with ${request.potentialId}`,
      typedSearchAttributes: [{ key: MlipCampaign, value: request.campaign }],
    });
    const runId = handle.firstExecutionRunId;
    if (!json) io.out(`scoring ${workflowId}  ${workflowUiUrl(io, env.TEMPORAL_NAMESPACE, workflowId)}`);

    let closed = false;
    const result = (handle.result() as Promise<ScoreCandidatesResult>).finally(() => (closed = true));
    result.catch(() => undefined); // awaited below
    let last = '';
    while (!closed) {
      const progress = await readScoringProgress(handle);
      const line = progress ? formatScoringProgress(progress) : 'waiting for a worker to answer...';
      if (!json && !closed && line !== last) io.out((last = line));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        result.catch(() => undefined),
        new Promise((r) => (timer = setTimeout(r, intervalMs))),
      ]);
      clearTimeout(timer);
    }
    try {
      const r = await result;
      if (json) io.out(JSON.stringify({ workflowId, runId, status: 'COMPLETED', result: r }, null, 2));
      else for (const line of describeScoring(r)) io.out(line);
      return ExitCode.Ok;
    } catch (err) {
      const f = failureMessage(err);
      if (json)
        io.out(
          JSON.stringify(
            { workflowId, runId, status: f.status, failure: { message: f.message, type: f.type } },
            null,
            2,
          ),
        );
      else
        io.err(
          `scoring ${workflowId} ${f.status === 'CANCELLED' ? 'was cancelled' : 'failed'}: ${f.message}` +
            (f.type ? ` [${f.type}]` : ''),
        );
      return ExitCode.Failed;
    }
  } finally {
    await session.close();
  }
}

export const scoreCommand: CliCommand = {
  name: 'score',
  summary: 'score candidate structures with a potential or committee (extrapolation grade, disagreement)',
  usage,
  run,
};
