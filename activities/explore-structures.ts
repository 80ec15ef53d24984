/**
 * exploreStructures (the host that holds the potential's files): molecular dynamics in LAMMPS from a
 * campaign's structures, through python/explore_md.py, writing each extrapolative frame to `candidates`.
 *
 * - Seeds: the campaign's completed calculations, evenly spread in `_id` order, periodic ones only (MD
 *   needs a box); the plan (seed × temperature × pressure) is fixed by the request, so every attempt plans
 *   the same runs with the same velocity seeds.
 * - Resumable without duplicates: a run's candidates are written (upserts by an id made of the potential,
 *   generation, seed, temperature, pressure and step) before the run counts as done, and the heartbeat
 *   carries the runs done; a retried attempt starts at the first run not done, and a run cut short by a
 *   crash repeats its trajectory exactly, so its frames find their candidates already there.
 * - Cancellable: the explorer runs in a process group of its own, stopped on cancellation (SIGTERM, then
 *   SIGKILL); its scratch folder (the plan, LAMMPS's data files and logs) is removed whatever the outcome,
 *   and a later attempt of the same exploration removes one a killed worker left.
 */
import type { ExplorationCounts, ExplorationRequest, ExplorationResult, ScoringPotential } from '../src/api';
import { CancelledFailure } from '@temporalio/activity';
import fs from 'node:fs';
import path from 'node:path';
import type { AnyBulkWriteOperation } from 'mongodb';
import { decodeStructureDocument } from '../src/calculations';
import { PYTHON_HELPERS_DIR } from '../src/config';
import { COLLECTIONS, type DatabaseHandle, classifyMongoError, MAX_UPDATES_PER_COMMAND } from '../src/db';
import { FailureType, nonRetryable, retryable } from '../src/api';
import {
  countSeedCandidates,
  evenlySpacedIndices,
  ExplorerProtocolError,
  frameCandidate,
  openSeedCursor,
  parseExplorerLine,
  planRuns,
  type PlannedRun,
  type Seed,
} from '../src/exploration';
import { readableTail } from '../src/pacemaker';
import { ProcessStartError, runProcessLines } from '../src/process';
import { activityContext } from './context';

/** LAMMPS errors of broken-off runs kept for the result. */
const LISTED_RUN_ERRORS = 3;

export interface ExploreStructuresInput {
  request: ExplorationRequest;
  /** lookupScoringPotential's answer for request.potentialId (one potential, with its active set). */
  potential: ScoringPotential;
}

export interface ExploreStructuresDeps {
  database: DatabaseHandle;
  python: string;
  hostId: string;
  /** The host's MLIP_WORK_ROOT: the scratch folder lives there while the exploration runs. */
  workRoot: string;
  killGraceMs?: number;
  heartbeatIntervalMs?: number;
}

/** What the heartbeat carries: where a retry resumes, and what the runs done so far counted. */
interface ExplorationCheckpoint {
  counts: ExplorationCounts;
  gammaMax: number | null;
}

const ZERO_COUNTS: ExplorationCounts = {
  runsDone: 0,
  runsStopped: 0,
  runsFailed: 0,
  framesSampled: 0,
  framesExtrapolative: 0,
  candidatesWritten: 0,
  candidatesExisting: 0,
};

/** The last heartbeat's checkpoint, or a fresh one (a first attempt, or details this build did not write). */
export function checkpointFrom(details: unknown): ExplorationCheckpoint {
  const d = details as Partial<ExplorationCheckpoint> | undefined;
  const counts = d?.counts;
  const valid =
    counts !== undefined &&
    Object.keys(ZERO_COUNTS).every((k) => Number.isInteger(counts[k as keyof ExplorationCounts]));
  return valid
    ? { counts: { ...counts }, gammaMax: typeof d?.gammaMax === 'number' ? d.gammaMax : null }
    : { counts: { ...ZERO_COUNTS }, gammaMax: null };
}

/** A folder name from a workflow id (which may hold '/', as a round's children do). */
const folderName = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 150);

export function createExploreStructuresActivity(deps: ExploreStructuresDeps) {
  const killGraceMs = deps.killGraceMs ?? 10_000;
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? 5_000;

  /** The request's seeds: evenly spread over the campaign's completed calculations, periodic ones only. */
  async function selectSeeds(request: ExplorationRequest): Promise<Seed[]> {
    const db = await deps.database.db();
    const { count, maxGeneration } = request.settings.seeds;
    const total = await countSeedCandidates(db, request.campaign, maxGeneration);
    const wanted = new Set(evenlySpacedIndices(total, count));
    const seeds: Seed[] = [];
    let owed = 0; // picks whose chosen document was not usable: the next usable one stands in
    let index = 0;
    const cursor = openSeedCursor(db, request.campaign, maxGeneration);
    try {
      for await (const doc of cursor) {
        if (wanted.has(index++)) owed++;
        if (owed === 0) continue;
        const decoded = decodeStructureDocument(doc);
        // Periodic in every direction (a box for LAMMPS); the contract's check already gave such a structure a cell.
        if (!decoded.ok || !decoded.structure.pbc.every(Boolean)) continue;
        seeds.push({ id: decoded.id, structure: decoded.structure });
        owed--;
        if (seeds.length === count) break;
      }
    } finally {
      await cursor.close().catch(() => undefined);
    }
    return seeds;
  }

  async function exploreStructures(input: ExploreStructuresInput): Promise<ExplorationResult> {
    const ctx = activityContext();
    const started = performance.now();
    const { request, potential } = input;
    const member = potential.members[0];
    if (potential.kind !== 'potential' || !member?.asi || !member.potentialYaml)
      throw nonRetryable(
        FailureType.InvalidExplorationRequest,
        `potentialId: ${request.potentialId} ${potential.kind === 'committee' ? 'is a committee: explore with one member' : 'has no active set (potential.asi), which the MD needs for γ'}`,
      );
    const missing = [member.potentialYaml, member.asi].filter((f) => !fs.existsSync(f));
    if (missing.length > 0)
      throw nonRetryable(
        FailureType.InvalidExplorationRequest,
        `potentialId: the files of ${request.potentialId} are not on host ${deps.hostId} (missing: ${missing.join(', ')}); ` +
          'is MLIP_POTENTIALS_DIR the folder it was published to?',
      );

    const checkpoint = checkpointFrom(ctx?.info.heartbeatDetails);
    const counts = checkpoint.counts;
    let gammaMax = checkpoint.gammaMax;
    const seeds = await selectSeeds(request).catch((err: unknown) => {
      throw classifyMongoError(err, 'reading the seed structures');
    });
    if (seeds.length === 0)
      throw nonRetryable(
        FailureType.InvalidExplorationRequest,
        `campaign: '${request.campaign}' has no completed calculation with a periodic cell` +
          `${request.settings.seeds.maxGeneration === undefined ? '' : ` up to generation ${request.settings.seeds.maxGeneration}`}` +
          ' to start MD from',
      );
    const runs = planRuns(request.settings, seeds);
    const remaining = runs.slice(counts.runsDone);
    const heartbeat = () => ctx?.heartbeat({ counts, gammaMax } satisfies ExplorationCheckpoint);

    const workflowId = ctx?.info.workflowExecution?.workflowId ?? `direct-${process.pid}`;
    const scratch = path.join(deps.workRoot, `explore-${folderName(workflowId)}`);
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.mkdirSync(scratch, { recursive: true });
    const runErrors: string[] = [];
    const ticker = setInterval(heartbeat, heartbeatIntervalMs);
    const stop = new AbortController();
    let cancelled = false;
    const onCancel = () => {
      cancelled = true;
      ctx?.log.info('cancelling: stopping the MD explorer');
      stop.abort();
    };
    ctx?.cancellationSignal.addEventListener('abort', onCancel, { once: true });
    try {
      heartbeat();
      if (remaining.length > 0) {
        const planFile = path.join(scratch, 'plan.json');
        fs.writeFileSync(
          planFile,
          JSON.stringify({
            potentialYaml: member.potentialYaml,
            activeSet: member.asi,
            elements: potential.elements,
            gammaLower: request.settings.gammaLower,
            gammaUpper: request.settings.gammaUpper,
            sampleEvery: request.settings.sampleEvery,
            maxFramesPerRun: request.settings.maxFramesPerRun,
            timestepFs: request.settings.timestepFs,
            workDir: scratch,
            runs: remaining.map(({ seedId: _seedId, ...run }) => run),
          }),
        );
        await runExplorer(planFile, runs);
      }
      const sampled = counts.framesSampled;
      return {
        potentialId: request.potentialId,
        campaign: request.candidatesCampaign ?? request.campaign,
        generation: request.generation,
        runs: runs.length,
        seeds: seeds.length,
        ...counts,
        extrapolativeFraction: sampled === 0 ? 0 : counts.framesExtrapolative / sampled,
        gammaMax,
        runErrors,
        host: deps.hostId,
        seconds: Math.round((performance.now() - started) / 10) / 100,
      };
    } finally {
      clearInterval(ticker);
      ctx?.cancellationSignal.removeEventListener('abort', onCancel);
      stop.abort();
      fs.rmSync(scratch, { recursive: true, force: true });
    }

    /** Runs the explorer over the plan's remaining runs, writing each run's frames before counting it done. */
    async function runExplorer(planFile: string, plan: PlannedRun[]) {
      const explorer = runProcessLines({
        command: deps.python,
        args: [path.join(PYTHON_HELPERS_DIR, 'explore_md.py'), planFile],
        env: { ...process.env, PYTHONUNBUFFERED: '1', OMP_NUM_THREADS: '1' },
        cwd: scratch,
        signal: stop.signal,
        killGraceMs,
        tailBytes: 8000,
      });
      let stderr = '';
      let startError: Error | undefined;
      const exited = explorer.result.then(
        (r) => ((stderr = r.stderrTail), r),
        (err: unknown) => {
          startError = err instanceof ProcessStartError ? err : (err as Error);
          return undefined;
        },
      );
      const candidates = (await deps.database.db()).collection<{ _id: string }>(COLLECTIONS.candidates);
      let pending: AnyBulkWriteOperation<{ _id: string }>[] = [];
      let pendingExisting = 0;
      let pendingWritten = 0;
      const flush = async () => {
        if (pending.length === 0) return;
        const batch = pending;
        pending = [];
        const result = await candidates.bulkWrite(batch, { ordered: false });
        pendingWritten += result.upsertedCount;
        pendingExisting += batch.length - result.upsertedCount;
      };
      let done = false;
      try {
        for await (const text of explorer.lines) {
          const line = parseExplorerLine(text);
          if ('frame' in line) {
            const run = plan[line.frame.run];
            if (!run)
              throw new ExplorerProtocolError(
                `the MD explorer wrote a frame of run ${line.frame.run}, which is not planned`,
              );
            const { _id, ...doc } = frameCandidate(request, run, line.frame);
            pending.push({ updateOne: { filter: { _id }, update: { $setOnInsert: doc }, upsert: true } });
            if (pending.length >= MAX_UPDATES_PER_COMMAND) await flush();
          } else if ('run' in line) {
            await flush();
            const r = line.run;
            counts.runsDone = r.index + 1;
            counts.framesSampled += r.sampled;
            counts.framesExtrapolative += r.extrapolative;
            counts.candidatesWritten += pendingWritten;
            counts.candidatesExisting += pendingExisting;
            pendingWritten = pendingExisting = 0;
            if (r.stoppedAtStep !== null) counts.runsStopped++;
            if (r.error !== null) {
              counts.runsFailed++;
              if (runErrors.length < LISTED_RUN_ERRORS) runErrors.push(`run ${r.index}: ${r.error}`);
            }
            if (r.gammaMax !== null)
              gammaMax = gammaMax === null ? r.gammaMax : Math.max(gammaMax, r.gammaMax);
            heartbeat();
          } else if ('done' in line) done = true;
        }
      } catch (err) {
        stop.abort();
        await exited;
        if (cancelled) throw new CancelledFailure('exploration cancelled; the MD explorer was stopped');
        if (err instanceof ExplorerProtocolError)
          throw nonRetryable(
            FailureType.ExplorationFailed,
            `${err.message}\n${readableTail(stderr, 10, 1500)}`,
          );
        throw classifyMongoError(err, 'writing candidates');
      }
      const exit = await exited;
      if (cancelled) throw new CancelledFailure('exploration cancelled; the MD explorer was stopped');
      if (!exit)
        throw nonRetryable(
          FailureType.WorkerMisconfigured,
          `cannot run ${deps.python} (MLIP_PYTHON): ${startError?.message}`,
        );
      if (exit.signal)
        throw retryable(
          FailureType.ExplorationFailed,
          `the MD explorer was killed by ${exit.signal}; the next attempt continues at run ${counts.runsDone}.\n${readableTail(stderr, 10, 1500)}`,
        );
      if (exit.code !== 0 || !done)
        throw nonRetryable(
          FailureType.ExplorationFailed,
          `the MD explorer exited with code ${exit.code}: ${readableTail(stderr, 15, 2000) || '(no output on stderr)'}`,
        );
    }
  }

  return { exploreStructures };
}
