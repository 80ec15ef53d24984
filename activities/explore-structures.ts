/**
 * exploreStructures (the host that holds the potential's files): molecular dynamics in LAMMPS from a
 * campaign's structures, through python/mlip_autopipe/helpers/explore_md.py, writing each extrapolative
 * frame to `candidates`. Its phases, in explore-structures/:
 *
 * - The potential (exploring-potential.ts): one potential with its active set, its files on this host.
 * - Seeds (seeds.ts): the campaign's completed calculations, evenly spread in `_id` order, periodic ones
 *   only (MD needs a box); the plan (seed × temperature × pressure, src/exploration) is fixed by the
 *   request, so every attempt plans the same runs with the same velocity seeds.
 * - Resumable without duplicates (checkpoint.ts, frame-stream.ts): a run's candidates are written (upserts
 *   by an id made of the potential, generation, seed, temperature, pressure and step, through
 *   activities/candidate-writer.ts) before the run counts as done, and the heartbeat carries the runs
 *   done; a retried attempt starts at the first run not done, and a run cut short by a crash repeats its
 *   trajectory exactly, so its frames find their candidates already there.
 * - The explorer (explorer-process.ts) runs in a process group of its own, stopped on cancellation
 *   (SIGTERM, then SIGKILL); its scratch folder (the plan, LAMMPS's data files and logs) is removed
 *   whatever the outcome, and a later attempt of the same exploration removes one a killed worker left.
 * - How the explorer ended (explorer-outcome.ts, pure) decides the failure, if any.
 */
import fs from 'node:fs';
import type { ExplorationRequest, ExplorationResult, RegisteredPotential } from '../src/api';
import { COLLECTIONS, type DatabaseHandle } from '../src/db';
import { planRuns, type PlannedRun, type Seed } from '../src/exploration';
import { stopChildOnCancel } from './cancel-child';
import { CandidateWriter } from './candidate-writer';
import { activityContext } from './context';
import { openDatabase } from './database';
import { checkpointFrom, startHeartbeat, type Heartbeat } from './explore-structures/checkpoint';
import { classifyExplorationEnd } from './explore-structures/explorer-outcome';
import { freshScratch, startExplorer, writePlan } from './explore-structures/explorer-process';
import { exploringMember } from './explore-structures/exploring-potential';
import { streamFrames, type ExplorationTally } from './explore-structures/frame-stream';
import { selectSeeds } from './explore-structures/seeds';

export interface ExploreStructuresInput {
  request: ExplorationRequest;
  /** lookupPotential's answer for request.potentialId (one potential, with its active set). */
  potential: RegisteredPotential;
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

export function createExploreStructuresActivity(deps: ExploreStructuresDeps) {
  const killGraceMs = deps.killGraceMs ?? 10_000;
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? 5_000;

  async function exploreStructures(input: ExploreStructuresInput): Promise<ExplorationResult> {
    const ctx = activityContext();
    const started = performance.now();
    const { request, potential } = input;
    const member = exploringMember(request, potential, deps.hostId);
    const tally: ExplorationTally = { checkpoint: checkpointFrom(ctx?.info.heartbeatDetails), runErrors: [] };
    const seeds = await selectSeeds(deps.database, request);
    const runs = planRuns(request.settings, seeds);

    const scratch = freshScratch(deps.workRoot, ctx?.info.workflowExecution?.workflowId);
    const heartbeat = startHeartbeat(ctx, () => tally.checkpoint, heartbeatIntervalMs);
    try {
      const remaining = runs.slice(tally.checkpoint.counts.runsDone);
      if (remaining.length > 0) {
        const planFile = writePlan(scratch, request, { member, elements: potential.elements }, remaining);
        await explore({ ...deps, killGraceMs }, { request, runs, planFile, scratch, tally, heartbeat });
      }
      return explorationResult(request, { runs, seeds, tally, host: deps.hostId, started });
    } finally {
      heartbeat.stop();
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }

  return { exploreStructures };
}

/** Runs the explorer over the plan's remaining runs, each run's frames written before it counts as done. */
async function explore(deps: ExplorerDeps, job: ExplorerJob): Promise<void> {
  const ctx = activityContext();
  const db = await openDatabase(deps.database);
  const explorer = startExplorer(deps.python, job.planFile, job.scratch, deps.killGraceMs);
  const cancellation = stopChildOnCancel(ctx, {
    name: 'the MD explorer',
    pid: () => explorer.pid,
    stop: () => void explorer.stop(),
  });
  try {
    const writer = new CandidateWriter(db.collection(COLLECTIONS.candidates));
    const streamed = await streamFrames({
      ...job,
      lines: explorer.lines,
      writer,
      heartbeat: job.heartbeat.beat,
    });
    if (streamed.streamFailure !== undefined) await explorer.stop();
    const verdict = classifyExplorationEnd({
      ...streamed,
      cancelled: cancellation.cancelled,
      exit: await explorer.exited,
      spawnError: explorer.spawnError,
      stderr: explorer.stderr,
      runsDone: job.tally.checkpoint.counts.runsDone,
      python: deps.python,
    });
    if (verdict.kind === 'failed') throw verdict.failure;
  } finally {
    cancellation.dispose();
    await explorer.stop(); // nothing left to stop when it has ended by itself
  }
}

type ExplorerDeps = Pick<ExploreStructuresDeps, 'database' | 'python'> & { killGraceMs: number };

interface ExplorerJob {
  request: ExplorationRequest;
  /** The whole plan (the explorer names runs by their index in it). */
  runs: PlannedRun[];
  planFile: string;
  scratch: string;
  tally: ExplorationTally;
  heartbeat: Heartbeat;
}

function explorationResult(
  request: ExplorationRequest,
  done: { runs: PlannedRun[]; seeds: Seed[]; tally: ExplorationTally; host: string; started: number },
): ExplorationResult {
  const { counts, gammaMax } = done.tally.checkpoint;
  const sampled = counts.framesSampled;
  return {
    potentialId: request.potentialId,
    campaign: request.candidatesCampaign ?? request.campaign,
    generation: request.generation,
    runs: done.runs.length,
    seeds: done.seeds.length,
    ...counts,
    extrapolativeFraction: sampled === 0 ? 0 : counts.framesExtrapolative / sampled,
    gammaMax,
    runErrors: done.tally.runErrors,
    host: done.host,
    seconds: Math.round((performance.now() - done.started) / 10) / 100,
  };
}
