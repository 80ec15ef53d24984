/**
 * scoreCandidates (the host that holds the potential's files, found by lookupPotential): streams the
 * selected candidates from MongoDB through python/mlip_autopipe/helpers/score_candidates.py and writes
 * each score back to its candidate document. Its phases, in score-candidates/:
 * - The host must hold the files the scorer reads (member-files.ts).
 * - The scorer starts (scorer-process.ts) and announces that it has loaded the potential(s).
 * - Streaming with backpressure (candidate-stream.ts): at most IN_FLIGHT structures unanswered, answers
 *   written back in bulk (activities/candidate-writer.ts). Resumable: a candidate that already holds this
 *   potential's score is counted from its document and not scored again, so a retried attempt, or the
 *   same scoring started again, only scores what is missing.
 * - Progress: counts on every heartbeat, and to the calling workflow now and then (scoring-progress.ts).
 * - Cancellable: cancelling stops the scorer's process group (SIGTERM, SIGKILL after a grace period).
 * - How the scorer ended (scorer-outcome.ts, pure) decides the failure, if any.
 * - Invalid candidate documents are skipped, counted and listed by id (up to 20) with the reason: scoring
 *   ranks the usable candidates, and one bad document must not hide the other 99,999 from the loop.
 */
import fs from 'node:fs';
import {
  type ScoreCandidatesResult,
  type RegisteredPotential,
  SCORING_REPORT_INTERVAL_MS,
  type ScoringCounts,
} from '../src/api';
import { countCandidates, ScoreTally } from '../src/candidates';
import { type DatabaseHandle, classifyMongoError } from '../src/db';
import { stopChildOnCancel, type CancelHook } from './cancel-child';
import { activityContext } from './context';
import { openDatabase } from './database';
import { streamCandidates, type CandidateStream } from './score-candidates/candidate-stream';
import { filesNotHere, memberFiles } from './score-candidates/member-files';
import { classifyScoringEnd, scorerStartFailure } from './score-candidates/scorer-outcome';
import {
  scorerReady,
  startScorer,
  stopUnreadyScorer,
  type ScorerProcess,
} from './score-candidates/scorer-process';
import { startScoringReporter } from './score-candidates/scoring-progress';

export { IN_FLIGHT } from './score-candidates/candidate-stream';
export { scorerArgs } from './score-candidates/scorer-process';

export interface ScoreCandidatesInput {
  /** lookupPotential's answer: the potential or committee, its files and what to rank by. */
  potential: RegisteredPotential;
  campaign: string;
  generation?: number;
  topK: number;
  /** Where to send progress (the calling workflow); omitted → heartbeats only. */
  reportTo?: { workflowId: string; runId?: string };
}

export interface ScoreCandidatesDeps {
  database: DatabaseHandle;
  python: string;
  hostId: string;
  reportProgress?: (target: { workflowId: string; runId?: string }, counts: ScoringCounts) => Promise<void>;
  killGraceMs?: number;
  heartbeatIntervalMs?: number;
  progressReportIntervalMs?: number;
}

export function createScoreCandidatesActivity(deps: ScoreCandidatesDeps) {
  const killGraceMs = deps.killGraceMs ?? 10_000;
  const reporting = {
    reportProgress: deps.reportProgress,
    heartbeatIntervalMs: deps.heartbeatIntervalMs ?? 5_000,
    reportIntervalMs: deps.progressReportIntervalMs ?? SCORING_REPORT_INTERVAL_MS,
  };

  async function scoreCandidates(input: ScoreCandidatesInput): Promise<ScoreCandidatesResult> {
    const ctx = activityContext();
    const started = performance.now();
    const { potential } = input;
    const missing = potential.members.flatMap(memberFiles).filter((f) => !fs.existsSync(f));
    if (missing.length > 0) throw filesNotHere(potential, deps.hostId, missing);

    const db = await openDatabase(deps.database);
    const selection = { campaign: input.campaign, generation: input.generation };
    const total = await countCandidates(db, selection).catch((err: unknown) => {
      throw classifyMongoError(err, 'counting candidates');
    });
    const tally = new ScoreTally(input.topK, potential.rankedBy);
    const scorer = startScorer(deps.python, potential.members, killGraceMs);
    // Stopped by cancellation, and by a failure on this side (reading candidates, the scorer's protocol).
    const halt = new AbortController();
    const cancellation = stopChildOnCancel(ctx, {
      name: 'the candidate scorer',
      pid: () => scorer.pid,
      stop: () => {
        halt.abort(); // nothing waits for the scorer any more
        void scorer.stop();
      },
    });
    const reportTo = input.reportTo;
    const reporter = startScoringReporter(ctx, { ...reporting, reportTo }, () => ({
      total,
      ...tally.counts,
    }));
    try {
      const stream = { db, selection, potentialId: potential.scoringId, tally, scorer, halt };
      const peakRssKB = await scoreAll(stream, cancellation, deps.python);
      reporter.report(true);
      return {
        ...whatWasScored(input),
        total,
        host: deps.hostId,
        seconds: Math.round((performance.now() - started) / 10) / 100,
        scorerPeakRssMB: Math.round(peakRssKB / 102.4) / 10,
        ...tally.summary(),
      };
    } finally {
      reporter.stop();
      cancellation.dispose();
      await scorer.stop(); // nothing left to stop when it has ended by itself
    }
  }

  return { scoreCandidates };
}

/**
 * Streams the candidates through the started scorer until it has answered them all, or throws how it
 * failed; returns the scorer's peak memory (kB).
 */
async function scoreAll(
  stream: CandidateStream & { scorer: ScorerProcess },
  cancellation: CancelHook,
  python: string,
): Promise<number> {
  const { scorer } = stream;
  if (!(await scorerReady(scorer))) {
    const ended = await stopUnreadyScorer(scorer, stream.halt);
    throw scorerStartFailure({ ...ended, cancelled: cancellation.cancelled, python });
  }
  const streamed = await streamCandidates(stream);
  const exit = await scorer.exited;
  const verdict = classifyScoringEnd({
    ...streamed,
    cancelled: cancellation.cancelled,
    exit,
    stderr: scorer.stderr,
  });
  if (verdict.kind === 'failed') throw verdict.failure;
  return verdict.peakRssKB;
}

/** The potential scored with, and the candidates it scored. */
function whatWasScored({ potential, ...input }: ScoreCandidatesInput) {
  return {
    potentialId: potential.scoringId,
    kind: potential.kind,
    campaign: input.campaign,
    generation: input.generation ?? null,
  };
}
