/**
 * The active-learning loop closed, end to end, as `mlip-train loop-demo` runs it with the real pacemaker,
 * LAMMPS, Temporal and MongoDB-wire server: three generations of train (warm from the last) → MD in
 * LAMMPS → score → select → label (EMT standing in for DFT). What a user relies on: the potential
 * extrapolates on fewer MD frames with each generation, and its error on held-out structures does not rise.
 */
import { MongoClient } from 'mongodb';
import type { GenerationReport } from '../../src/demo';
import { main as cli } from '../../src/cli/main';
import type { Env } from '../../src/config/env';
import { COLLECTIONS } from '../../src/db/connection';
import { potentialsCollection } from '../../src/registry/potentials';
import { startWorkers, testEnv, type RunningWorkers } from '../harness/training-env';

let env: Env;
let running: RunningWorkers;
let mongo: MongoClient;

const CAMPAIGN = 'al-loop';
/** The loop's start and held-out set: the same on the second run, which reads the generations back. */
const LOOP = ['loop-demo', '--campaign', CAMPAIGN, '--start', '20', '--holdout', '20'];

/** The CLI with this file's services and worker queue. */
async function runCli(args: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const vars: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) vars[k] = String(v);
  const code = await cli(args, { out: (l) => out.push(l), err: (l) => out.push(l), env: vars });
  return { code, out };
}

beforeAll(async () => {
  env = testEnv();
  mongo = await MongoClient.connect(env.MONGODB_URI);
  running = await startWorkers(env);
});
afterAll(async () => {
  await running?.stop();
  await mongo?.close();
});

test('three generations of train → explore by MD → select → label: fewer extrapolative MD frames each time, and the held-out force error does not rise', async () => {
  // 30 functions: the smallest basis whose active set tells the MD's frames from the data (with 15, no
  // frame of the first generation passes γ 5 and there is nothing to learn); 50 iterations keep it short.
  const { code, out } = await runCli([
    ...LOOP,
    '--select',
    '10',
    '--functions',
    '30',
    '--max-iterations',
    '50',
    '--steps',
    '1000',
    '--seeds',
    '4',
    '--json',
  ]);
  if (code !== 0) throw new Error(out.join('\n'));
  const generations = out.map((line) => JSON.parse(line) as GenerationReport);
  console.log(
    generations
      .map(
        (g) =>
          `generation ${g.generation}: held-out ${g.heldOut.rmseForcesMeVPerA.toFixed(1)} meV/Å, ` +
          `MD ${(100 * g.md.extrapolativeFraction).toFixed(1)} % of ${g.md.framesSampled} frames extrapolative, ${g.labelled} labelled`,
      )
      .join('\n'),
  );
  expect(generations.map((g) => g.generation)).toEqual([1, 2, 3]);
  const [first, , third] = generations as [GenerationReport, GenerationReport, GenerationReport];
  // The first potential extrapolates on a fair share of what its MD visits: there is something to learn.
  expect(first.md.extrapolativeFraction).toBeGreaterThan(0.05);
  expect(first.labelled).toBe(10);
  const [, second] = generations as [GenerationReport, GenerationReport];
  expect(second.md.extrapolativeFraction).toBeLessThan(first.md.extrapolativeFraction);
  expect(third.md.extrapolativeFraction).toBeLessThanOrEqual(second.md.extrapolativeFraction);
  expect(third.md.extrapolativeFraction).toBeLessThan(first.md.extrapolativeFraction);
  expect(third.heldOut.rmseForcesMeVPerA).toBeLessThanOrEqual(first.heldOut.rmseForcesMeVPerA);
  // Each generation trains on the last one's data plus what it labelled, warm from its potential.
  for (const [prev, next] of [generations.slice(0, 2), generations.slice(1, 3)] as [
    GenerationReport,
    GenerationReport,
  ][]) {
    expect(next.trainStructures).toBe(prev.trainStructures + prev.labelled);
    const registered = await potentialsCollection(mongo.db(env.MLIP_DB)).findOne({ _id: next.potentialId });
    expect(registered?.parent).toBe(prev.potentialId);
  }
  // The labelled frames are the MD's, recorded as their generation.
  const labelled = await mongo
    .db(env.MLIP_DB)
    .collection(COLLECTIONS.calculations)
    .find({ campaign: CAMPAIGN, generation: 1 })
    .toArray();
  expect(labelled).toHaveLength(10);
  for (const c of labelled) expect(String(c._id)).toMatch(/^md:al-loop@v1:g1:/);

  // Run again: every generation is read back, nothing is trained or labelled twice.
  const again = await runCli([...LOOP, '--json']);
  expect(again.code).toBe(0);
  expect(again.out.map((l) => (JSON.parse(l) as GenerationReport).potentialId)).toEqual(
    generations.map((g) => g.potentialId),
  );
}, 600_000); // three rounds of real fits, MD and scoring: about 2.5 minutes on 2 cores

test('label-demo refuses ids that are not candidates and inserts nothing, so a typo cannot half-label a round', async () => {
  const calculations = mongo.db(env.MLIP_DB).collection(COLLECTIONS.calculations);
  const before = await calculations.countDocuments({ campaign: CAMPAIGN });
  const { code, out } = await runCli([
    'label-demo',
    '--campaign',
    CAMPAIGN,
    '--generation',
    '2',
    `${CAMPAIGN}/no-such-candidate`,
  ]);
  expect(code).toBe(1);
  expect(out.join('\n')).toMatch(
    /1 id\(s\) are not in the 'candidates' collection.*no-such-candidate; nothing was inserted/,
  );
  expect(await calculations.countDocuments({ campaign: CAMPAIGN })).toBe(before);
});
