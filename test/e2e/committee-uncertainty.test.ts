/**
 * What an active-learning loop relies on from a committee (real pacemaker): its members differ, and where
 * they disagree more, the committee's prediction is worse. Each member fits its own bootstrap resample of
 * the campaign's data; on held-out EMT Cu structures that span easy (like the training data) to hard
 * (strained and rattled past it), the members' force disagreement must rank the structures as their
 * actual force error does.
 *
 * Disagreement per structure: the mean over atoms of the per-atom force spread (not the max): the error it
 * is compared with, the force RMSE of the committee's mean prediction, is an average over the structure's
 * atoms too, and with three members a mean over 31-32 atoms is far less noisy than one atom's spread.
 * `npm run bench -- committee` prints both, for bootstrap and for seed-only members.
 */
import { createHash, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Env } from '../../src/config/env';
import { INSTALLED, PYTHON_ANALYSIS_DIR } from '../../src/config/paths';
import { trainCommittee } from '../../workflows/train-committee';
import { seedCampaign, startWorkers, testEnv, type RunningWorkers } from '../harness/training-env';

/**
 * Measured with this trainer and held-out set (`npm run bench -- committee --repeats 3`, 2 cores): ρ = 0.83,
 * 0.92 and 0.93 for bootstrap members on three training sets of 60 structures. A committee whose spread did
 * not follow its error would score near 0; 0.6 leaves room for other training sets and other machines'
 * arithmetic while still meaning "tracks the error" (p < 1e-4 for 40 structures).
 */
const SPEARMAN_FLOOR = 0.6;

/** A small, quick fit: 20 functions, 50 BFGS iterations, tensorpot (about 35 s per member on 2 cores). */
const TRAINER = {
  ace: { functionsPerElement: 20, correlationOrder: 3 },
  optimizer: { maxIterations: 50 },
  backend: { displayStep: 10 },
};

interface Calibration {
  structures: number;
  spearman: { meanDisagreement: number; maxDisagreement: number };
  bins: { disagreementMeVPerA: number; errorMeVPerA: number; errorMedianMeVPerA: number; count: number }[];
  rows: { difficulty: number; disagreementMeVPerA: number; errorMeVPerA: number }[];
  failures: { count: number; minDisagreementMeVPerA: number; othersMaxDisagreementMeVPerA: number };
}

let env: Env;
let running: RunningWorkers;

beforeAll(async () => {
  env = testEnv({ MLIP_MAX_CONCURRENT_TRAININGS: '2' });
  await seedCampaign(env, 'cu-bagging', 60);
  running = await startWorkers(env);
});
afterAll(async () => {
  await running?.stop();
});

test("a committee's force disagreement on held-out structures ranks them as its actual force error does", async () => {
  const result = await running.client.workflow.execute(trainCommittee, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `committee-uncertainty-${randomUUID()}`,
    args: [{ request: { campaign: 'cu-bagging', trainer: TRAINER }, committeeSize: 3 }],
  });
  const yace = result.members.map((m) => m.potentialPath);

  // Each member fitted its own resample and was tested on what it left out.
  for (const member of result.members) {
    const input = YAML.parse(
      fs.readFileSync(path.join(path.dirname(member.potentialPath), 'input.yaml'), 'utf8'),
    ) as { data: { test_filename?: string; test_size?: number } };
    expect(input.data.test_size).toBeUndefined();
    expect(input.data.test_filename).toMatch(/member-test\.pckl\.gzip$/);
    expect(member.metrics.test!.structures).toBeGreaterThan(10); // ~37 % of 60 are out of bag
  }
  // The members are different potentials (seed-only members of an unsplit dataset were byte-identical).
  const checksums = yace.map((p) => createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
  expect(new Set(checksums).size).toBe(3);

  const calibration = JSON.parse(
    execFileSync(
      INSTALLED.python,
      [path.join(PYTHON_ANALYSIS_DIR, 'committee_calibration.py'), 'evaluate', ...yace, '--count', '40'],
      { encoding: 'utf8', maxBuffer: 16 << 20 },
    ),
  ) as Calibration;
  expect(calibration.structures).toBe(40);

  // Non-zero disagreement on every held-out structure, easy ones included.
  const least = Math.min(...calibration.rows.map((r) => r.disagreementMeVPerA));
  expect(least).toBeGreaterThan(0.1);

  // The disagreement ranks the structures as their error does...
  expect(calibration.spearman.meanDisagreement).toBeGreaterThan(SPEARMAN_FLOOR);
  // ...so the quarter a loop would pick for DFT (highest disagreement) holds the badly predicted ones: their
  // typical error is several times that of the quarter the committee agrees on.
  const [lowest, , , highest] = calibration.bins;
  expect(highest!.errorMedianMeVPerA).toBeGreaterThan(2 * lowest!.errorMedianMeVPerA);
  expect(highest!.disagreementMeVPerA).toBeGreaterThan(2 * lowest!.disagreementMeVPerA);

  // The hardest structures bring atoms closer than any pair in the data. pacemaker's own switch to core
  // repulsion there was a cliff (forces wrong by 1.8-88 eV/Å, docs/active-learning.md); with the switch moved
  // and widened (src/pacemaker/inner-cutoff.ts) the committee mean's force error stays below 1 eV/Å on them.
  expect(calibration.failures.count).toBe(0);
}, 600_000);
