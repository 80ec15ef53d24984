/**
 * Proof at scale: 24 trainings started at once against ONE training host that takes 4 at a time: six
 * times what the host takes, so every slot is reused several times over and versions are handed out under
 * contention.
 *
 * The fit itself is a fast stand-in trainer (test double, test/doubles/fast-pacemaker.sh: about a second, a
 * real tiny potential and real pacemaker predictions as its output), and so are pace_yaml2yace and
 * pace_activeset (fast-pace-yaml2yace.sh, fast-pace-activeset.sh); everything around them is the real code
 * path: the MongoDB export and the Python dataset writer, input.yaml generation, the progress parser,
 * python/mlip_autopipe/helpers/prediction_metrics.py, publishing with version allocation, workspace cleanup.
 *
 * The double writes "start|end <epoch-ms> <pid>" to a ledger, from which the test reads how many fits
 * overlapped in time.
 */
import type { TrainingResult } from '../../src/api';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { Env } from '../../src/config/env';
import { PROJECT_ROOT } from '../../src/config/paths';
import { potentialsCollection } from '../../src/registry/potentials';
import { trainPotential } from '../../workflows/train-potential';
import { scratchDir } from '../harness/context';
import {
  seedCampaign,
  startWorkers,
  testEnv,
  workspacesLeft,
  type RunningWorkers,
} from '../harness/training-env';

const TRAININGS = 24;
const CAPACITY = 4;
const double = (name: string) => path.join(PROJECT_ROOT, 'test', 'doubles', name);

/** The most fits that ran at the same time, from the ledger's start/end events. */
function maxOverlap(ledger: string): { max: number; starts: number; ends: number; threads: string[] } {
  const events = ledger
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [kind, ms, pid, threads] = l.trim().split(/\s+/);
      return { kind: kind as 'start' | 'end', ms: Number(ms), pid: Number(pid), threads: String(threads) };
    });
  // At equal timestamps an end is counted before a start: those two fits did not overlap.
  events.sort((a, b) => a.ms - b.ms || (a.kind === 'end' ? -1 : 1));
  let running = 0;
  let max = 0;
  for (const e of events) {
    running += e.kind === 'start' ? 1 : -1;
    max = Math.max(max, running);
  }
  return {
    max,
    starts: events.filter((e) => e.kind === 'start').length,
    ends: events.filter((e) => e.kind === 'end').length,
    threads: [...new Set(events.map((e) => e.threads))],
  };
}

let env: Env;
let running: RunningWorkers;
let mongo: MongoClient;
let ledger: string;

beforeAll(async () => {
  ledger = path.join(scratchDir('load-ledger'), 'fits.ledger');
  // The worker spawns the trainer with its own environment: this is how the double finds its ledger.
  process.env.STANDIN_LEDGER = ledger;
  env = testEnv({
    PACEMAKER_BIN: double('fast-pacemaker.sh'),
    PACE_YAML2YACE_BIN: double('fast-pace-yaml2yace.sh'),
    PACE_ACTIVESET_BIN: double('fast-pace-activeset.sh'),
    MLIP_MAX_CONCURRENT_TRAININGS: String(CAPACITY),
    MLIP_FIT_THREADS: '3',
  });
  mongo = await MongoClient.connect(env.MONGODB_URI);
  await seedCampaign(env, 'cu-load', 3);
  running = await startWorkers(env);
}, 120_000);
afterAll(async () => {
  await running?.stop();
  await mongo?.close();
  delete process.env.STANDIN_LEDGER;
});

test(`${TRAININGS} trainings on one host with MLIP_MAX_CONCURRENT_TRAININGS=${CAPACITY}: all complete, at most ${CAPACITY} fits at once, every workspace cleaned, ${TRAININGS} registry versions without gaps`, async () => {
  const started = performance.now();
  const ids = Array.from(
    { length: TRAININGS },
    (_, i) => `load-${String(i).padStart(2, '0')}-${randomUUID().slice(0, 8)}`,
  );
  const handles = await Promise.all(
    ids.map((workflowId) =>
      running.client.workflow.start(trainPotential, {
        taskQueue: env.MLIP_TASK_QUEUE,
        workflowId,
        // One name for all: publishing must hand out versions 1..TRAININGS, each exactly once.
        args: [{ campaign: 'cu-load', potentialName: 'cu-load' }],
      }),
    ),
  );
  const watch = setInterval(() => {
    void Promise.all(ids.map((id) => running.client.workflow.getHandle(id).describe())).then((ds) => {
      const phases: Record<string, number> = {};
      for (const d of ds) {
        const phase = String(d.searchAttributes.MlipPhase?.[0] ?? d.status.name);
        phases[phase] = (phases[phase] ?? 0) + 1;
      }
      console.log(`load: ${((performance.now() - started) / 1000).toFixed(0)} s ${JSON.stringify(phases)}`);
    });
  }, 20_000);
  const results: TrainingResult[] = await Promise.all(handles.map((h) => h.result())).finally(() =>
    clearInterval(watch),
  );
  const seconds = (performance.now() - started) / 1000;

  const overlap = maxOverlap(fs.readFileSync(ledger, 'utf8'));
  console.log(
    `load: ${TRAININGS} trainings in ${seconds.toFixed(1)} s (${(seconds / TRAININGS).toFixed(2)} s each on average); ` +
      `at most ${overlap.max} stand-in fits at once (limit ${CAPACITY})`,
  );

  // All complete, each with its own published version.
  expect(results).toHaveLength(TRAININGS);
  expect(new Set(results.map((r) => r.potentialId)).size).toBe(TRAININGS);
  for (const r of results) {
    expect(r.dataset.structures).toBe(3);
    expect(r.metrics.train.structures).toBe(6); // the double's predictions: a real 6-structure fit
  }

  // The host never ran more fits than it may, and every fit that started ended.
  expect(overlap.starts).toBe(TRAININGS);
  expect(overlap.ends).toBe(TRAININGS);
  expect(overlap.max).toBeLessThanOrEqual(CAPACITY);
  expect(overlap.max).toBeGreaterThanOrEqual(2); // and it did run several at once
  // Each fit was held to the threads it was given (MLIP_FIT_THREADS), not TensorFlow's every core.
  expect(overlap.threads).toEqual(['3']);

  expect(workspacesLeft(env)).toEqual([]);

  // The registry: exactly one document per training, versions 1..TRAININGS without gaps or duplicates.
  const docs = await potentialsCollection(mongo.db(env.MLIP_DB))
    .find({ name: { $eq: 'cu-load' } })
    .toArray();
  expect(docs).toHaveLength(TRAININGS);
  expect(docs.map((d) => d.version).sort((a, b) => a - b)).toEqual(
    Array.from({ length: TRAININGS }, (_, i) => i + 1),
  );
  expect(new Set(docs.map((d) => d.publishKey)).size).toBe(TRAININGS);
  expect(docs.map((d) => d.workflowId).sort()).toEqual([...ids].sort());
  expect(docs.map((d) => d._id).sort()).toEqual(results.map((r) => r.potentialId).sort());
  expect(new Set(docs.map((d) => d.pacemakerVersion))).toEqual(new Set(['stand-in']));
  // Every version carries its active set (the pace_activeset double's file), next to its .yace.
  for (const d of docs) expect(d.files.asi?.path).toBe(path.join(d.directory, 'potential.asi'));
  // ... and on disk: one folder per version, nothing left staged.
  const published = fs.readdirSync(path.join(env.MLIP_POTENTIALS_DIR, 'cu-load')).sort();
  expect(published).toEqual(Array.from({ length: TRAININGS }, (_, i) => `v${i + 1}`).sort());
}, 480_000);
