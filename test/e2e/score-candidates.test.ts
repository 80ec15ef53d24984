/**
 * scoreCandidates with the real pacemaker and pyace: a potential trained on a campaign ranks candidate
 * structures by extrapolation grade (its own training structures interpolate, the same structures
 * compressed by 20 % are far out and make the top K), writes every score back to its document, reuses
 * them when run again, scores with a committee's disagreement, stops its scorer when cancelled, and
 * refuses bad input with a message naming the field.
 */
import type { ScoreCandidatesResult } from '../../src/api';
import { WorkflowFailedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { MongoClient, type Collection, type Document } from 'mongodb';
import { main as cli } from '../../src/cli/main';
import { CandidateScoreSchema } from '../../src/candidates/candidate-schema';
import { scoringProgressQuery } from '../../src/api/scoring-messages';
import type { Env } from '../../src/config/env';
import { COLLECTIONS } from '../../src/db/connection';
import { potentialsCollection } from '../../src/registry/potentials';
import type { TrainerParamsInput } from '../../src/api/trainer-params';
import { scoreCandidates } from '../../workflows/score-candidates';
import { trainCommittee } from '../../workflows/train-committee';
import { trainPotential } from '../../workflows/train-potential';
import {
  seedCampaign,
  startWorkers,
  testEnv,
  TINY_TRAINER,
  waitFor,
  type RunningWorkers,
} from '../harness/training-env';

/** A tiny fit on every structure (no test split), so that every training structure is in its active set. */
const TRAINER: TrainerParamsInput = {
  ...TINY_TRAINER,
  testSize: 0,
};
/** pace_activeset's MaxVol tolerance: training environments have gamma <= this. */
const TRAINING_GAMMA_TOLERANCE = 1.01;

let env: Env;
let running: RunningWorkers;
let mongo: MongoClient;
/** Candidate ids are strings here. */
type CandidateDoc = { _id: string } & Document;
let candidates: Collection<CandidateDoc>;
let potentialId: string;

async function seedCandidates(campaign: string, ...extra: string[]) {
  const out: string[] = [];
  const code = await cli(['seed-demo', '--candidates', '--campaign', campaign, '--count', '10', ...extra], {
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    env: { MONGODB_URI: env.MONGODB_URI, MLIP_DB: env.MLIP_DB },
  });
  if (code !== 0) throw new Error(`seed-demo --candidates failed:\n${out.join('\n')}`);
}

function score(input: { potentialId: string; campaign: string; topK?: number; generation?: number }) {
  return running.client.workflow.execute(scoreCandidates, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `score-${randomUUID()}`,
    args: [input],
  });
}

/** Processes running the candidate scorer on this test file's potentials. */
function scorerProcesses(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('score_candidates.py') && cmd.includes(env.MLIP_POTENTIALS_DIR))
        pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

beforeAll(async () => {
  env = testEnv();
  mongo = await MongoClient.connect(env.MONGODB_URI);
  candidates = mongo.db(env.MLIP_DB).collection<CandidateDoc>(COLLECTIONS.candidates);
  await seedCampaign(env, 'cu-score', 10);
  running = await startWorkers(env);
  const trained = await running.client.workflow.execute(trainPotential, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `train-${randomUUID()}`,
    args: [{ campaign: 'cu-score', trainer: TRAINER }],
  });
  potentialId = trained.potentialId;
  expect(trained.activeSetPath).toBeDefined();
  // The training structures themselves (same factory, seed and count), and the same compressed by 20 %.
  await seedCandidates('cu-score', '--compress-every', '0');
  await seedCandidates('cu-score', '--compress-every', '1', '--compression', '0.2', '--append');
  // Two that cannot be scored: an element the potential lacks, and a document that breaks the contract.
  await candidates.insertMany([
    {
      _id: 'cu-score/nickel',
      campaign: 'cu-score',
      generation: 0,
      structure: {
        symbols: ['Ni'],
        positions: [0, 0, 0],
        cell: [3.5, 0, 0, 0, 3.5, 0, 0, 0, 3.5],
        pbc: [true, true, true],
      },
    },
    {
      _id: 'cu-score/broken',
      campaign: 'cu-score',
      generation: 0,
      structure: { symbols: ['Cu', 'Cu'], positions: [0, 0, 0], cell: null, pbc: [false, false, false] },
    },
  ]);
}, 300_000);

afterAll(async () => {
  await running?.stop();
  await mongo?.close();
});

test('the registry records the host that published a potential, where its files are', async () => {
  const record = await potentialsCollection(mongo.db(env.MLIP_DB)).findOne({ _id: potentialId });
  expect(record?.host).toEqual({ id: env.MLIP_HOST_ID, taskQueue: running.workers.hostQueue });
});

test('a potential scores its own training structures gamma <= 1 and the same structures compressed by 20 % gamma > 5, ranks the compressed ones on top, and writes every score back', async () => {
  const result = await score({ potentialId, campaign: 'cu-score', topK: 10 });

  const docs = await candidates.find({ campaign: 'cu-score' }).sort({ _id: 1 }).toArray();
  const compressed = docs.filter((d) => String(d._id).endsWith('-c20'));
  const original = docs.filter((d) => String(d._id).includes('/cand-') && !String(d._id).endsWith('-c20'));
  expect(original).toHaveLength(10);
  expect(compressed).toHaveLength(10);

  for (const d of [...original, ...compressed]) {
    const s = CandidateScoreSchema.parse(d.score);
    expect(s).toMatchObject({ potentialId, committeeForceStd: null });
  }
  const gammas = (ds: Document[]) => ds.map((d) => (d.score as { gammaMax: number }).gammaMax);
  expect(Math.max(...gammas(original))).toBeLessThanOrEqual(TRAINING_GAMMA_TOLERANCE);
  expect(Math.min(...gammas(compressed))).toBeGreaterThan(5);

  expect(result).toMatchObject({ potentialId, kind: 'potential', total: 22, scored: 20, reused: 0 });
  expect(result.rankedBy).toBe('gammaMax');
  expect(result.bands!.unreliable).toBe(10);
  expect(result.bands!.interpolation + result.bands!.extrapolation).toBe(10);
  expect(new Set(result.top.map((c) => c.id))).toEqual(new Set(compressed.map((d) => String(d._id))));
  expect(result.top.map((c) => c.gammaMax)).toEqual([...gammas(compressed)].sort((a, b) => b - a));

  // Bad candidates are reported by id with the reason, and keep no score.
  expect(result.failed.count).toBe(2);
  const reasons = Object.fromEntries(result.failed.first.map((f) => [f.id, f.reason]));
  expect(reasons['cu-score/nickel']).toMatch(/Ni not in the potential/);
  expect(reasons['cu-score/broken']).toMatch(/invalid candidate document: structure\.positions/);
  expect(docs.find((d) => d._id === 'cu-score/nickel')?.score).toBeUndefined();
  expect(result.scorerPeakRssMB).toBeGreaterThan(0);
});

test('scoring again with the same potential reuses the written scores and gives the same ranking', async () => {
  const first = await score({ potentialId, campaign: 'cu-score', topK: 5 });
  const again = await score({ potentialId, campaign: 'cu-score', topK: 5 });
  expect(again).toMatchObject({ scored: 20, reused: 20, bands: first.bands });
  expect(again.top).toEqual(first.top);
});

test('mlip-train score prints the band counts and the top K ids', async () => {
  const out: string[] = [];
  const code = await cli(
    ['score', '--potential', potentialId, '--campaign', 'cu-score', '--top', '3', '--interval', '0.2'],
    {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      env: {
        TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS,
        MLIP_TASK_QUEUE: env.MLIP_TASK_QUEUE,
        MONGODB_URI: env.MONGODB_URI,
        MLIP_DB: env.MLIP_DB,
      },
    },
  );
  const text = out.join('\n');
  expect(code).toBe(0);
  expect(text).toMatch(/gamma > 5\s+unreliable\s+10/);
  expect(text).toMatch(/top 3 by gammaMax:/);
  expect(out.filter((l) => /^\s+\d+\. cu-score\/cand-.*-c20\s+gamma \d/.test(l))).toHaveLength(3);
});

test("a committee's members disagree on the candidates (committeeForceStd > 0), and its gamma still flags the compressed ones", async () => {
  const committee = await running.client.workflow.execute(trainCommittee, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `committee-${randomUUID()}`,
    args: [
      {
        request: { campaign: 'cu-score', potentialName: 'cu-score-k', trainer: TRAINER },
        committeeSize: 2,
      },
    ],
  });
  const result: ScoreCandidatesResult = await score({
    potentialId: committee.committeeId,
    campaign: 'cu-score',
    topK: 10,
  });
  expect(result).toMatchObject({ kind: 'committee', potentialId: committee.committeeId, scored: 20 });
  expect(result.disagreement!.count).toBe(20);
  expect(result.disagreement!.mean).toBeGreaterThan(0);

  const docs = await candidates.find({ 'score.potentialId': committee.committeeId }).toArray();
  expect(docs).toHaveLength(20);
  const scoreOf = (d: Document) => d.score as { gammaMax: number; committeeForceStd: number };
  const far = docs.filter((d) => String(d._id).endsWith('-c20'));
  const near = docs.filter((d) => !String(d._id).endsWith('-c20'));
  // Members fitted to different bootstrap resamples predict different forces on the data.
  for (const d of near) expect(scoreOf(d).committeeForceStd).toBeGreaterThan(0);
  // 20 % compression puts every pair inside the core repulsion pacemaker adds below the data's shortest
  // distance, where members that drew the same shortest pair agree exactly: gamma is what flags these.
  for (const d of far) expect(scoreOf(d).gammaMax).toBeGreaterThan(5);
  expect(new Set(result.top.map((c) => c.id))).toEqual(new Set(far.map((d) => String(d._id))));
}, 300_000);

test('cancelling a scoring stops its Python scorer', async () => {
  // Enough candidates to keep the scorer busy for a while: the training structure, many times over.
  const template = await candidates.findOne({
    _id: 'cu-score/cand-emt-Cu-seed0-000000',
  });
  const many = Array.from({ length: 4000 }, (_, i) => ({
    _id: `cu-many/${String(i).padStart(5, '0')}`,
    campaign: 'cu-many',
    structure: template!.structure as Document,
  }));
  for (let i = 0; i < many.length; i += 1000) await candidates.insertMany(many.slice(i, i + 1000));

  const handle = await running.client.workflow.start(scoreCandidates, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `score-cancel-${randomUUID()}`,
    args: [{ potentialId, campaign: 'cu-many' }],
  });
  await waitFor(
    'the scorer to be scoring',
    async () => {
      const p = await handle.query(scoringProgressQuery).catch(() => undefined);
      return (p?.scored ?? 0) > 0 && scorerProcesses().length > 0 ? true : undefined;
    },
    120_000,
  );
  await handle.cancel();
  await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  expect((await handle.describe()).status.name).toBe('CANCELLED');
  expect(scorerProcesses()).toEqual([]);
  expect(await candidates.countDocuments({ campaign: 'cu-many', score: { $exists: true } })).toBeLessThan(
    4000,
  );
});

test('bad input fails at once with a message naming the field', async () => {
  const failure = async (input: Record<string, unknown>) => {
    const err = await score(input as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    let root = (err as WorkflowFailedError).cause as Error & { cause?: Error; type?: string };
    while (root.cause) root = root.cause as typeof root;
    return root;
  };
  const unknown = await failure({ potentialId: 'nope@v9', campaign: 'cu-score' });
  expect(unknown.type).toBe('InvalidScoringRequest');
  expect(unknown.message).toMatch(/potentialId: no potential 'nope@v9' and no committee/);
  const noCampaign = await failure({ potentialId });
  expect(noCampaign.type).toBe('InvalidScoringRequest');
  expect(noCampaign.message).toMatch(/campaign: required/);
});

test('a version registered before hosts were recorded is scored by any host whose potentials folder holds it', async () => {
  const registry = potentialsCollection(mongo.db(env.MLIP_DB));
  const record = await registry.findOne({ _id: potentialId });
  await registry.updateOne({ _id: potentialId }, { $unset: { host: '' } });
  try {
    const workflowId = `score-anyhost-${randomUUID()}`;
    const result = await running.client.workflow.execute(scoreCandidates, {
      taskQueue: env.MLIP_TASK_QUEUE,
      workflowId,
      args: [{ potentialId, campaign: 'cu-score', topK: 1 }],
    });
    expect(result.scored).toBe(20);
    const history = await running.client.workflow.getHandle(workflowId).fetchHistory();
    const queues = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a?.activityType?.name === 'scoreCandidates')
      .map((a) => a?.taskQueue?.name);
    expect(queues).toEqual([env.MLIP_TASK_QUEUE]); // the shared queue: any host
  } finally {
    await registry.updateOne({ _id: potentialId }, { $set: { host: record!.host! } });
  }
});
