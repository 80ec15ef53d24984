/**
 * exploreStructures on its own (MockActivityEnvironment), with real LAMMPS (the ML-PACE plugin), the tiny
 * 6-function Cu potential and an active set built for it by the real pace_activeset, against the
 * MongoDB-wire server: which frames become candidates and with what, that nothing is written twice, where
 * a retry resumes, cancellation, and the requests it refuses.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { createExploreStructuresActivity } from '../../activities/explore-structures';
import {
  FailureType,
  resolveExplorationRequest,
  type ExplorationRequest,
  type ExplorationRequestInput,
  type ExplorationResult,
  type RegisteredPotential,
} from '../../src/api';
import { decodeCandidate } from '../../src/candidates';
import { INSTALLED } from '../../src/config/paths';
import { connectDatabase, type DatabaseHandle } from '../../src/db/connection';
import { connectTestMongo, scratchDir, testDatabaseName, testMongoUri } from '../harness/context';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);

/** fcc Cu, 2×2×2 cubic cells (32 atoms) at lattice constant `a`: an exploration's seed. */
function fccCu(a: number) {
  const basis = [
    [0, 0, 0],
    [0.5, 0.5, 0],
    [0.5, 0, 0.5],
    [0, 0.5, 0.5],
  ];
  const positions: number[] = [];
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 2; j++)
      for (let k = 0; k < 2; k++)
        for (const [x, y, z] of basis) positions.push((i + x!) * a, (j + y!) * a, (k + z!) * a);
  return {
    symbols: Array<string>(32).fill('Cu'),
    positions,
    cell: [2 * a, 0, 0, 0, 2 * a, 0, 0, 0, 2 * a],
    pbc: [true, true, true],
  };
}

let client: MongoClient;
let database: DatabaseHandle;
let potential: RegisteredPotential;
beforeAll(async () => {
  client = await connectTestMongo();
  database = connectDatabase(testMongoUri(), testDatabaseName());
  // The tiny potential and its active set over six EMT structures, as a published version holds them.
  const dir = scratchDir('explore-potential');
  fs.copyFileSync(fixture('tiny-cu-potential.yaml'), path.join(dir, 'output_potential.yaml'));
  execFileSync(INSTALLED.python, [fixture('tiny_emt_dataset.py'), path.join(dir, 'data.pckl.gzip'), '6']);
  execFileSync(
    INSTALLED.paceActiveset,
    ['output_potential.yaml', '--dataset', 'data.pckl.gzip', '--all-atoms'],
    {
      cwd: dir,
      stdio: 'ignore',
    },
  );
  potential = {
    scoringId: 'tiny-cu@v1',
    kind: 'potential',
    members: [
      {
        potentialId: 'tiny-cu@v1',
        yace: path.join(dir, 'potential.yace'),
        potentialYaml: path.join(dir, 'output_potential.yaml'),
        asi: path.join(dir, 'output_potential.asi'),
      },
    ],
    elements: ['Cu'],
    rankedBy: 'gammaMax',
  };
  const calculations = client.db(testDatabaseName()).collection('calculations');
  await calculations.insertMany(
    [3.6, 3.55, 3.65].map((a, i) => ({
      _id: `seed-${i}` as never,
      campaign: 'cu-md',
      status: 'completed',
      structure: fccCu(a),
      results: { energy: 0, forces: Array<number>(96).fill(0) },
    })),
  );
  // A molecule: no box to run MD in, so never a seed.
  await calculations.insertOne({
    _id: 'seed-molecule' as never,
    campaign: 'cu-md',
    status: 'completed',
    structure: {
      symbols: ['Cu', 'Cu'],
      positions: [0, 0, 0, 2.3, 0, 0],
      cell: null,
      pbc: [false, false, false],
    },
    results: { energy: 0, forces: [0, 0, 0, 0, 0, 0] },
  });
}, 60_000);
afterAll(async () => {
  await database?.close();
  await client?.close();
});

/**
 * Two seeds at 100 K (the tiny potential's γ stays between 3 and 10 there) and at 2000 K (past 10 within
 * 20 steps), 400 steps of 2 fs, γ read every 20.
 */
const REQUEST: ExplorationRequestInput = {
  potentialId: 'tiny-cu@v1',
  campaign: 'cu-md',
  generation: 1,
  settings: {
    seeds: { count: 2 },
    temperaturesK: [100, 2000],
    steps: 400,
    timestepFs: 2,
    gammaLower: 3,
    gammaUpper: 10,
    maxFramesPerRun: 3,
  },
};

function resolved(input: ExplorationRequestInput): ExplorationRequest {
  const r = resolveExplorationRequest(input);
  if (!r.ok) throw new Error(r.message);
  return r.request;
}

function activity(workRoot: string) {
  return createExploreStructuresActivity({
    database,
    python: INSTALLED.python,
    hostId: 'test-host',
    workRoot,
    heartbeatIntervalMs: 200,
    killGraceMs: 2_000,
  }).exploreStructures;
}

const candidates = () => client.db(testDatabaseName()).collection('candidates');

describe('exploreStructures (real LAMMPS)', () => {
  let first: ExplorationResult;
  const workRoot = () => scratchDir('explore-work');

  test('writes the frames whose γ passed gammaLower as candidates of the generation, with their provenance, and stops each run at its first frame above gammaUpper', async () => {
    const root = workRoot();
    first = await new MockActivityEnvironment().run(activity(root), {
      request: resolved(REQUEST),
      potential,
    });
    expect(first).toMatchObject({
      runs: 4,
      seeds: 2,
      runsDone: 4,
      runsFailed: 0,
      generation: 1,
      campaign: 'cu-md',
    });
    // The two runs at 2000 K leave the data at once; those at 100 K run to the end.
    expect(first.runsStopped).toBe(2);
    expect(first.gammaMax).toBeGreaterThan(10);
    expect(first.candidatesWritten).toBeGreaterThan(0);
    expect(first.candidatesWritten).toBeLessThanOrEqual(4 * 3);
    expect(first.extrapolativeFraction).toBeCloseTo(first.framesExtrapolative / first.framesSampled, 12);

    const docs = await candidates().find({ campaign: 'cu-md' }).toArray();
    expect(docs).toHaveLength(first.candidatesWritten);
    for (const doc of docs) {
      // Each is a candidate as scoring reads it, and says where it came from.
      expect(decodeCandidate(doc).ok).toBe(true);
      expect(doc).toMatchObject({ generation: 1, exploration: { potentialId: 'tiny-cu@v1', timestepFs: 2 } });
      const e = doc.exploration as { seedId: string; temperatureK: number; step: number; gammaMax: number };
      expect(['seed-0', 'seed-1', 'seed-2']).toContain(e.seedId);
      expect([100, 2000]).toContain(e.temperatureK);
      expect(e.step % 20).toBe(0);
      expect(e.gammaMax).toBeGreaterThanOrEqual(3);
      expect(e.gammaMax).toBeLessThanOrEqual(10);
    }
    // Nothing left in the work root: the plan, LAMMPS's data files and logs are gone.
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('the same exploration again writes no frame twice: each finds the candidate the first one wrote', async () => {
    const again: ExplorationResult = await new MockActivityEnvironment().run(activity(workRoot()), {
      request: resolved(REQUEST),
      potential,
    });
    expect(again.candidatesWritten).toBe(0);
    expect(again.candidatesExisting).toBe(first.candidatesWritten);
    expect(again.framesSampled).toBe(first.framesSampled); // the same trajectories, step for step
    expect(await candidates().countDocuments({ campaign: 'cu-md' })).toBe(first.candidatesWritten);
  });

  test("a retried attempt starts at the first run its last heartbeat had not finished, keeping the earlier runs' counts", async () => {
    const env = new MockActivityEnvironment({
      heartbeatDetails: {
        counts: {
          runsDone: 3,
          runsStopped: 7,
          runsFailed: 0,
          framesSampled: 1000,
          framesExtrapolative: 500,
          candidatesWritten: 40,
          candidatesExisting: 0,
        },
        gammaMax: 50,
      },
    });
    const resumed: ExplorationResult = await env.run(activity(workRoot()), {
      request: resolved(REQUEST),
      potential,
    });
    expect(resumed.runsDone).toBe(4);
    // Only run 3 (seed 1 at 2000 K: stopped within the first samples) ran.
    expect(resumed.runsStopped).toBe(8);
    expect(resumed.framesSampled - 1000).toBeGreaterThanOrEqual(1);
    expect(resumed.framesSampled - 1000).toBeLessThanOrEqual(2);
    expect(resumed.gammaMax).toBe(50);
  });

  test('cancelling stops the MD explorer and removes its scratch folder', async () => {
    const root = workRoot();
    const env = new MockActivityEnvironment();
    let heartbeats = 0;
    env.on('heartbeat', () => {
      if (++heartbeats === 3) env.cancel();
    });
    // Long runs that never stop by themselves.
    const request = resolved({
      ...REQUEST,
      settings: { ...REQUEST.settings, steps: 5_000_000, gammaUpper: 1e9 },
    });
    const failure = await env.run(activity(root), { request, potential }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CancelledFailure);
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(root));
    expect(left).toEqual([]);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test.each([
    [
      'a committee',
      { ...REQUEST },
      { kind: 'committee' as const },
      /is a committee: explore with one member/,
    ],
    [
      'a potential without an active set',
      { ...REQUEST },
      { members: [{ potentialId: 'tiny-cu@v1', yace: '/nonexistent.yace' }] },
      /has no active set \(potential\.asi\), which the MD needs/,
    ],
    [
      'a campaign without a periodic structure',
      { ...REQUEST, campaign: 'no-such-campaign' },
      {},
      /campaign: 'no-such-campaign' has no completed calculation with a periodic cell/,
    ],
  ])('%s: InvalidExplorationRequest, saying what to do', async (_what, request, override, message) => {
    const failure = await new MockActivityEnvironment()
      .run(activity(workRoot()), { request: resolved(request), potential: { ...potential, ...override } })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe(FailureType.InvalidExplorationRequest);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).message).toMatch(message);
  });
});
