/**
 * Two rounds of the active-learning loop end to end, with the real pacemaker, Temporal and MongoDB-wire
 * server: round 1 trains cold and selects the candidates its potential extrapolates on; the EMT "DFT"
 * labels them (`mlip-train label-demo`); round 2 trains warm from round 1 on the grown data set, and the
 * structures it learned from are no longer extrapolation.
 */
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { main as cli } from '../../src/cli/main';
import type { Env } from '../../src/config/env';
import { COLLECTIONS } from '../../src/db/connection';
import { potentialsCollection } from '../../src/registry/potentials';
import type { TrainerParamsInput } from '../../src/api/trainer-params';
import { activeLearningRound } from '../../workflows/active-learning-round';
import { seedCampaign, startWorkers, testEnv, type RunningWorkers } from '../harness/training-env';

let env: Env;
let running: RunningWorkers;
let mongo: MongoClient;

const CAMPAIGN = 'al-loop';
/** Small, but large enough for an active set that tells the training data from what lies outside it. */
const TRAINER: TrainerParamsInput = {
  ace: { functionsPerElement: 10, correlationOrder: 2 },
  optimizer: { maxIterations: 20 },
  backend: { displayStep: 10 },
  // Every structure in the fit, so that the active set covers all the labelled candidates.
  testSize: 0,
};

async function runCli(args: string[]): Promise<string> {
  const out: string[] = [];
  const code = await cli(args, {
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    env: { MONGODB_URI: env.MONGODB_URI, MLIP_DB: env.MLIP_DB },
  });
  if (code !== 0) throw new Error(`mlip-train ${args[0]} failed:\n${out.join('\n')}`);
  return out.join('\n');
}

beforeAll(async () => {
  env = testEnv();
  mongo = await MongoClient.connect(env.MONGODB_URI);
  await seedCampaign(env, CAMPAIGN, 20);
  // Candidates: structures like the training data, and some far from it (the factory's compressed ones).
  await runCli(['seed-demo', '--campaign', CAMPAIGN, '--candidates', '--count', '30', '--seed', '5']);
  running = await startWorkers(env);
});
afterAll(async () => {
  await running?.stop();
  await mongo?.close();
});

test('two rounds: the first selects candidates for DFT, the second starts warm from it and no longer extrapolates on them', async () => {
  const round1 = await running.client.workflow.execute(activeLearningRound, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `al-round-1-${randomUUID()}`,
    args: [
      {
        training: { campaign: CAMPAIGN, trainer: TRAINER },
        candidates: { generation: 0 },
        selectForDft: 5,
      },
    ],
  });
  expect(round1.selectedForDft).toHaveLength(5);
  expect(round1.scores.scored).toBe(30);
  expect(round1.scores.bands?.unreliable).toBeGreaterThanOrEqual(5);
  // What was selected is what the potential extrapolates on.
  const candidates = mongo
    .db(env.MLIP_DB)
    .collection<{ _id: string; score?: { gammaMax: number } }>(COLLECTIONS.candidates);
  const selected = await candidates.find({ _id: { $in: round1.selectedForDft } }).toArray();
  for (const c of selected) expect(c.score!.gammaMax).toBeGreaterThan(1);

  await runCli(['label-demo', '--campaign', CAMPAIGN, '--generation', '1', ...round1.selectedForDft]);

  const round2 = await running.client.workflow.execute(activeLearningRound, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `al-round-2-${randomUUID()}`,
    args: [
      {
        training: { campaign: CAMPAIGN, trainer: TRAINER, initialPotential: round1.nextInitialPotential },
        candidates: { generation: 0 },
        selectForDft: 5,
      },
    ],
  });
  expect(round2.potential.dataset.structures).toBe(round1.potential.dataset.structures + 5);
  const registered = await potentialsCollection(mongo.db(env.MLIP_DB)).findOne({
    _id: round2.potential.potentialId,
  });
  expect(registered?.parent).toBe(round1.potential.potentialId);
  // Round 2 fitted the structures round 1 selected: its active set covers them now.
  const rescored = await candidates.find({ _id: { $in: round1.selectedForDft } }).toArray();
  for (const c of rescored) expect(c.score!.gammaMax).toBeLessThanOrEqual(1.05);
  expect(round2.selectedForDft).not.toEqual(round1.selectedForDft);
}, 300_000); // two rounds of real fits and scorings: 110 s alone on 2 cores, more beside other e2e files

test('label-demo refuses ids that are not candidates and inserts nothing, so a typo cannot half-label a round', async () => {
  const calculations = mongo.db(env.MLIP_DB).collection(COLLECTIONS.calculations);
  const before = await calculations.countDocuments({ campaign: CAMPAIGN });
  const out: string[] = [];
  const code = await cli(
    ['label-demo', '--campaign', CAMPAIGN, '--generation', '2', `${CAMPAIGN}/no-such-candidate`],
    {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      env: { MONGODB_URI: env.MONGODB_URI, MLIP_DB: env.MLIP_DB },
    },
  );
  expect(code).toBe(1);
  expect(out.join('\n')).toMatch(
    /1 id\(s\) are not in the 'candidates' collection.*no-such-candidate; nothing was inserted/,
  );
  expect(await calculations.countDocuments({ campaign: CAMPAIGN })).toBe(before);
});
