/**
 * Scoring candidate structures with a published potential or a committee (the scoreCandidates workflow).
 *
 * lookupScoringPotential (shared queue): registry id or committee id → the members' files, the host that
 * holds them, and what the candidates can be ranked by.
 *
 * scoreCandidates (the host that holds the files): streams the selected candidates from MongoDB through
 * python/score_candidates.py and writes each score back to its candidate document.
 * - Streaming with backpressure: a MongoDB cursor in `_id` order feeds the scorer's stdin with at most
 *   IN_FLIGHT structures unanswered; the scorer answers in order; answers are written back in bulk
 *   updates of MAX_UPDATES_PER_COMMAND, awaited before more answers are read. Memory stays flat: counters, a top-K
 *   heap and the in-flight window, never a list of all candidates.
 * - Resumable: a candidate that already holds this potential's score (same potentialId: registry
 *   versions are immutable, so the score would be the same) is counted from its document and not scored
 *   again, so a retried attempt, or the same scoring started again, only scores what is missing.
 * - Cancellable: the scorer runs in a process group of its own; cancelling stops the group (SIGTERM,
 *   SIGKILL after a grace period). If the worker itself dies, the scorer's stdin closes and it exits.
 * - Invalid candidate documents are skipped, counted and listed by id (up to 20) with the reason: scoring
 *   ranks the usable candidates, and one bad document must not hide the other 99,999 from the loop.
 */
import {
  type ScoreCandidatesResult,
  type ScoringPotential,
  type ScoringMember,
  SCORING_REPORT_INTERVAL_MS,
  type ScoringCounts,
} from '../src/api';
import { CancelledFailure } from '@temporalio/activity';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { AnyBulkWriteOperation, Document, Filter } from 'mongodb';
import {
  decodeCandidate,
  type CandidateScore,
  countCandidates,
  openCandidateCursor,
  parseScorerLine,
  ScorerProtocolError,
  ScoreTally,
} from '../src/candidates';
import { PYTHON_HELPERS_DIR } from '../src/config';
import { COLLECTIONS, type DatabaseHandle, classifyMongoError, MAX_UPDATES_PER_COMMAND } from '../src/db';
import { potentialsCollection, type PotentialRecord } from '../src/registry';
import { FailureType, nonRetryable, retryable } from '../src/api';
import { readableTail } from '../src/pacemaker';
import { ProcessStartError, runProcessLines, Semaphore } from '../src/process';
import { activityContext } from './context';

/** Structures sent to the scorer and not yet answered: enough to keep it busy, a few hundred kB at most. */
export const IN_FLIGHT = 64;

export interface ScoreCandidatesInput {
  potential: ScoringPotential;
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

/** The scorer's command line: one --member per member, with its B-basis potential and active set when it has one. */
export function scorerArgs(members: ScoringMember[]): string[] {
  const args = [path.join(PYTHON_HELPERS_DIR, 'score_candidates.py')];
  for (const m of members)
    args.push('--member', ...(m.asi && m.potentialYaml ? [m.potentialYaml, m.asi] : [m.yace]));
  return args;
}

/** Registry documents → what to score with. Exported for tests; throws InvalidScoringRequest. */
export function scoringPotential(id: string, records: PotentialRecord[]): ScoringPotential {
  const first = records[0];
  if (!first) throw new Error('no records');
  const kind = records.length === 1 && first._id === id ? 'potential' : 'committee';
  if (kind === 'committee') {
    const size = first.committee?.size ?? records.length;
    if (records.length !== size)
      throw nonRetryable(
        FailureType.InvalidScoringRequest,
        `potentialId: committee '${id}' has ${records.length} of its ${size} members in the registry (is it still training?)`,
      );
  }
  const members = records.map((r): ScoringMember => {
    const yace = r.files.yace?.path;
    if (!yace)
      throw nonRetryable(
        FailureType.InvalidScoringRequest,
        `potentialId: registry entry ${r._id} lists no .yace file`,
      );
    return {
      potentialId: r._id,
      yace,
      ...(r.files.potentialYaml ? { potentialYaml: r.files.potentialYaml.path } : {}),
      ...(r.files.asi && r.files.potentialYaml ? { asi: r.files.asi.path } : {}),
    };
  });
  const withActiveSet = members.some((m) => m.asi);
  if (!withActiveSet && members.length === 1)
    throw nonRetryable(
      FailureType.InvalidScoringRequest,
      `potentialId: ${id} has no active set (potential.asi: published before active sets were, or its ` +
        'training data was too small for one) and is a single potential, so there is nothing to rank candidates by. ' +
        'Train it again to get an active set, or score with a committee (its force disagreement).',
    );
  const hosts = new Set(records.map((r) => (r.host ? `${r.host.id}\u0000${r.host.taskQueue}` : '')));
  const host = hosts.size === 1 && first.host ? first.host : undefined;
  return {
    scoringId: id,
    kind,
    members,
    ...(host ? { host } : {}),
    elements: first.dataset.elements,
    rankedBy: withActiveSet ? 'gammaMax' : 'committeeForceStd',
  };
}

/** A scorer line, or undefined when it is not one (reported with the scorer's stderr instead). */
function safeParse(line: string) {
  try {
    return parseScorerLine(line);
  } catch {
    return undefined;
  }
}

/** `promise`, unless `signal` aborts first (then an AbortError; the promise's own outcome is ignored). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => undefined);
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e as Error)),
    );
  });
}

function abortError(): Error {
  const err = new Error('aborted');
  err.name = 'AbortError';
  return err;
}

export function createScoreCandidatesActivities(deps: ScoreCandidatesDeps) {
  const killGraceMs = deps.killGraceMs ?? 10_000;
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? 5_000;
  const reportIntervalMs = deps.progressReportIntervalMs ?? SCORING_REPORT_INTERVAL_MS;

  async function database() {
    return deps.database.db().catch((err: unknown) => {
      throw classifyMongoError(err, 'connecting');
    });
  }

  /** A registry id ("name@vK") or a committee id → the potential(s) to score with. */
  async function lookupScoringPotential(input: { potentialId: string }): Promise<ScoringPotential> {
    const db = await database();
    const registry = potentialsCollection(db);
    try {
      const single = await registry.findOne({ _id: { $eq: input.potentialId } });
      const records = single
        ? [single]
        : await registry
            .find({ 'committee.id': { $eq: input.potentialId } })
            .sort({ 'committee.member': 1 })
            .toArray();
      if (records.length === 0)
        throw nonRetryable(
          FailureType.InvalidScoringRequest,
          `potentialId: no potential '${input.potentialId}' and no committee with that id in the registry ` +
            `(database '${db.databaseName}'); list them with: mlip-train potentials`,
        );
      return scoringPotential(input.potentialId, records);
    } catch (err) {
      throw classifyMongoError(err, 'reading the potentials registry');
    }
  }

  async function scoreCandidates(input: ScoreCandidatesInput): Promise<ScoreCandidatesResult> {
    const ctx = activityContext();
    const started = performance.now();
    const { potential } = input;
    const files = potential.members.flatMap((m) =>
      m.asi && m.potentialYaml ? [m.potentialYaml, m.asi] : [m.yace],
    );
    const missing = files.filter((f) => !fs.existsSync(f));
    if (missing.length > 0)
      throw nonRetryable(
        FailureType.InvalidScoringRequest,
        `potentialId: the files of ${potential.scoringId} are not on host ${deps.hostId} ` +
          `(missing: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}); ` +
          (potential.host
            ? `they were published on host ${potential.host.id}: is MLIP_POTENTIALS_DIR the same folder here?`
            : 'its registry entry predates recording the host: run scoring on a worker whose MLIP_POTENTIALS_DIR holds them'),
      );

    const db = await database();
    const selection = { campaign: input.campaign, generation: input.generation };
    const total = await countCandidates(db, selection).catch((err: unknown) => {
      throw classifyMongoError(err, 'counting candidates');
    });
    const tally = new ScoreTally(input.topK, potential.rankedBy);
    const counts = (): ScoringCounts => ({ total, ...tally.counts });
    const candidates = db.collection(COLLECTIONS.candidates);

    // --- the scorer ---------------------------------------------------------------------------------------
    // Stopped by cancellation, and by a failure on this side (reading candidates, the scorer's protocol).
    const stop = new AbortController();
    let stdin: Writable | undefined;
    let scorerPid: number | undefined;
    const scorerRun = runProcessLines({
      command: deps.python,
      args: scorerArgs(potential.members),
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
      signal: stop.signal,
      killGraceMs,
      stdin: (input) => (stdin = input),
      tailBytes: 8000,
      onSpawn: (pid) => (scorerPid = pid),
    });
    let spawnError: Error | undefined;
    let stderr = '';
    const exited = scorerRun.result.then(
      (r) => ((stderr = r.stderrTail), { code: r.code, signal: r.signal }),
      (err: unknown) => {
        spawnError = err instanceof ProcessStartError ? (err.cause as Error) : (err as Error);
        throw err;
      },
    );
    exited.catch(() => undefined); // reported below, never unhandled
    const lines = scorerRun.lines;

    const halt = new AbortController();
    let cancelled = false;
    /** Stops the scorer's process group; resolves once it is gone and its output read. */
    const stopScorer = async () => {
      stop.abort();
      await exited.catch(() => undefined);
    };
    const onCancel = () => {
      cancelled = true;
      ctx?.log.info(`cancelling: stopping the candidate scorer (process group ${scorerPid})`);
      halt.abort();
      void stopScorer();
    };
    ctx?.cancellationSignal.addEventListener('abort', onCancel, { once: true });

    let lastReport = 0;
    const report = (force = false) => {
      const now = counts();
      ctx?.heartbeat(now);
      const t = Date.now();
      if (input.reportTo && deps.reportProgress && (force || t - lastReport >= reportIntervalMs)) {
        lastReport = t;
        deps.reportProgress(input.reportTo, now).catch((err: unknown) => {
          ctx?.log.warn(`could not report scoring progress to the workflow: ${String(err)}`);
        });
      }
    };
    // On a timer, not per candidate: FerretDB may take minutes before the first batch of a large selection.
    const ticker = setInterval(() => report(), heartbeatIntervalMs);
    report(true);

    const failScorer = async (what: string) => {
      halt.abort();
      await stopScorer();
      const exit = await exited.catch(() => ({ code: null, signal: null }));
      const why = spawnError
        ? `cannot run ${deps.python} (MLIP_PYTHON): ${spawnError.message}`
        : readableTail(stderr, 15, 2000) || '(no output on stderr)';
      return { exit, message: `${what}: ${why}` };
    };

    try {
      const first = await lines.next();
      const ready = first.done ? undefined : safeParse(first.value);
      if (!ready || !('ready' in ready)) {
        const { exit, message } = await failScorer('the candidate scorer could not load the potential(s)');
        if (cancelled) throw new CancelledFailure('scoring cancelled');
        throw exit.signal
          ? retryable(FailureType.ScoringFailed, `${message} (killed by ${exit.signal})`)
          : nonRetryable(FailureType.ScoringFailed, message);
      }

      const window = new Semaphore(IN_FLIGHT);
      const inFlight: { id: string; rawId: unknown; release: () => void }[] = [];
      const scorer = { peakRssKB: null as number | null };

      const produce = async () => {
        const input = stdin;
        if (!input) throw new Error('the candidate scorer has no stdin'); // runProcessLines gives it one at start
        const cursor = openCandidateCursor(db, selection);
        try {
          for (;;) {
            // FerretDB can take minutes to answer the first batch of a large selection: a cancellation
            // must not wait for it.
            const doc = await untilAborted(cursor.next(), halt.signal);
            if (doc === null) break;
            const decoded = decodeCandidate(doc);
            if (!decoded.ok) {
              tally.fail(decoded.id, `invalid candidate document: ${decoded.reason}`);
              continue;
            }
            const { id, structure, score } = decoded.record;
            if (score?.potentialId === potential.scoringId) {
              tally.add({ id, gammaMax: score.gammaMax, committeeForceStd: score.committeeForceStd }, true);
              continue;
            }
            const release = await window.acquire(halt.signal);
            inFlight.push({ id, rawId: (doc as Document)._id, release });
            if (!input.write(JSON.stringify({ id, structure }) + '\n'))
              await once(input, 'drain', { signal: halt.signal });
          }
        } finally {
          await cursor.close().catch(() => undefined);
        }
        input.end();
      };

      let pending: AnyBulkWriteOperation<Document>[] = [];
      const flush = async () => {
        if (pending.length === 0) return;
        const batch = pending;
        pending = [];
        await candidates.bulkWrite(batch, { ordered: false });
      };
      const consume = async () => {
        for (let next = await lines.next(); !next.done; next = await lines.next()) {
          const line = parseScorerLine(next.value);
          if ('ready' in line) throw new ScorerProtocolError('the scorer announced itself twice');
          if ('done' in line) {
            scorer.peakRssKB = line.done.peakRssKB;
            continue;
          }
          const sent = inFlight.shift();
          if (!sent || (line.id !== null && line.id !== sent.id))
            throw new ScorerProtocolError(
              `the scorer answered for '${line.id}' where '${sent?.id ?? '(nothing)'}' was next`,
            );
          sent.release();
          if ('error' in line) {
            tally.fail(sent.id, line.error);
            continue;
          }
          tally.add(line);
          const score: CandidateScore = {
            potentialId: potential.scoringId,
            gammaMax: line.gammaMax,
            committeeForceStd: line.committeeForceStd,
            scoredAt: new Date(),
          };
          // Ids may be strings or ObjectIds: the _id value read is written back as it came, whatever its type.
          const filter = { _id: sent.rawId } as Filter<Document>;
          pending.push({ updateOne: { filter, update: { $set: { score } } } });
          if (pending.length >= MAX_UPDATES_PER_COMMAND) await flush();
        }
        await flush();
      };

      const producing = produce().catch(async (err: unknown) => {
        // Reading failed: the scorer has nothing more coming, stop it so that consume() ends too.
        halt.abort();
        await stopScorer();
        throw err;
      });
      const consuming = consume().then(
        // The scorer's output ended: if it died early, the producer must stop waiting for room.
        () => halt.abort(),
        async (err: unknown) => {
          halt.abort();
          await stopScorer();
          throw err;
        },
      );
      const [produced, consumed] = await Promise.allSettled([producing, consuming]);
      const exit = await exited;
      if (cancelled) throw new CancelledFailure('scoring cancelled; the scorer was stopped');
      for (const outcome of [consumed, produced]) {
        if (outcome.status === 'fulfilled') continue;
        const err = outcome.reason as unknown;
        if (err instanceof ScorerProtocolError)
          throw nonRetryable(FailureType.ScoringFailed, `${err.message}\n${readableTail(stderr, 10, 1500)}`);
        if (!(err instanceof Error && err.name === 'AbortError'))
          throw classifyMongoError(err, 'streaming candidates');
      }
      if (exit.signal)
        throw retryable(
          FailureType.ScoringFailed,
          `the candidate scorer was killed by ${exit.signal}; the next attempt continues where it stopped.\n${readableTail(stderr, 10, 1500)}`,
        );
      if (exit.code !== 0 || inFlight.length > 0 || scorer.peakRssKB === null)
        throw nonRetryable(
          FailureType.ScoringFailed,
          `the candidate scorer exited with code ${exit.code} (${inFlight.length} structure(s) unanswered): ${readableTail(stderr, 15, 2000)}`,
        );
      report(true);
      return {
        potentialId: potential.scoringId,
        kind: potential.kind,
        campaign: input.campaign,
        generation: input.generation ?? null,
        total,
        host: deps.hostId,
        seconds: Math.round((performance.now() - started) / 10) / 100,
        scorerPeakRssMB: Math.round(scorer.peakRssKB / 102.4) / 10,
        ...tally.summary(),
      };
    } finally {
      clearInterval(ticker);
      ctx?.cancellationSignal.removeEventListener('abort', onCancel);
      await stopScorer(); // nothing left to stop when it has ended by itself
    }
  }

  return { lookupScoringPotential, scoreCandidates };
}
