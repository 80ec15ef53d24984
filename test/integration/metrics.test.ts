/**
 * The worker's Prometheus endpoint (MLIP_METRICS_ADDRESS), scraped while a training fits and after it ends:
 * a worker process (the Temporal runtime, and so its metrics, is one per process), the fast stand-in
 * trainer (test/doubles/fast-pacemaker.sh: three iteration lines STANDIN_FIT_SECONDS apart in all) and
 * everything else real. What a user reads off a dashboard: the training running on its host during the
 * fit, its iterations counted as they happen, each step's and each fit phase's duration, the SDK's own
 * metrics beside ours, and a failed training's failure under its type.
 */
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, type ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Env } from '../../src/config/env';
import { PROJECT_ROOT } from '../../src/config/paths';
import { freePort } from '../../src/dev-services';
import { MLIP_METRICS } from '../../src/telemetry';
import { trainPotential } from '../../workflows/train-potential';
import { seedCampaign, sleep, testEnv } from '../harness/training-env';
import { startWorkerProcess, waitUntilServing, type WorkerProcess } from '../harness/worker-process';

const HOST = 'metrics-host';
const FIT_SECONDS = 6;
const double = (name: string) => path.join(PROJECT_ROOT, 'test', 'doubles', name);

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus' text format, as far as the endpoint writes it (no escaped quotes in our label values). */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
      if (!m) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries(
        [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
      );
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** The sum of a metric's samples whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

let env: Env;
let url: string;
let worker: WorkerProcess;
let connection: Connection;
let client: Client;

async function scrape(): Promise<Sample[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return parse(await response.text());
}

beforeAll(async () => {
  const address = `127.0.0.1:${await freePort()}`;
  url = `http://${address}/metrics`;
  env = testEnv({
    MLIP_HOST_ID: HOST,
    MLIP_METRICS_ADDRESS: address,
    PACEMAKER_BIN: double('fast-pacemaker.sh'),
    PACE_YAML2YACE_BIN: double('fast-pace-yaml2yace.sh'),
    PACE_ACTIVESET_BIN: double('fast-pace-activeset.sh'),
  });
  await seedCampaign(env, 'cu-metrics', 3);
  worker = startWorkerProcess(env, { STANDIN_FIT_SECONDS: String(FIT_SECONDS) });
  connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  client = new Client({ connection });
  // The endpoint is up once the runtime is installed, before the worker polls; the log line says it serves.
  await waitUntilServing(worker, HOST);
}, 120_000);
afterAll(async () => {
  worker?.child.kill('SIGKILL');
  await connection?.close();
});

test('during a fit: the training runs on its host and its iterations are counted as they come; afterwards each step and phase has its duration, beside the SDK metrics', async () => {
  const idle = await scrape();
  expect(total(idle, MLIP_METRICS.trainingSlots.name, { host: HOST })).toBe(1);
  expect(total(idle, MLIP_METRICS.trainingsRunning.name, { host: HOST })).toBe(0);

  const started = Date.now();
  const handle = await client.workflow.start(trainPotential, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `metrics-${randomUUID()}`,
    args: [{ campaign: 'cu-metrics' }],
  });
  let finished = false;
  const result = handle.result().finally(() => (finished = true));
  // Scraped every 200 ms while it trains: the gauge and the counter as a dashboard would see them.
  const duringFit: Array<{ running: number; iterations: number }> = [];
  while (!finished) {
    const samples = await scrape();
    const running = total(samples, MLIP_METRICS.trainingsRunning.name, { host: HOST });
    if (running > 0)
      duringFit.push({
        running,
        iterations: total(samples, MLIP_METRICS.fitIterations.name, { host: HOST }),
      });
    await sleep(200);
  }
  await result;
  const trainingSeconds = (Date.now() - started) / 1000;

  expect(duringFit.length).toBeGreaterThan(0);
  expect(Math.max(...duringFit.map((s) => s.running))).toBe(1);
  // The double reports iterations #1 and #2 seconds apart: the counter is seen at two values at least,
  // never going down.
  const seen = duringFit.map((s) => s.iterations);
  expect(new Set(seen).size).toBeGreaterThanOrEqual(2);
  expect(seen).toEqual([...seen].sort((a, b) => a - b));

  const after = await scrape();
  expect(total(after, MLIP_METRICS.trainingsRunning.name, { host: HOST })).toBe(0);
  expect(total(after, MLIP_METRICS.trainingsWaiting.name, { host: HOST })).toBe(0);
  expect(total(after, MLIP_METRICS.fitIterations.name, { host: HOST, activityType: 'executeTraining' })).toBe(
    2,
  );

  const phase = (p: string, what: 'count' | 'sum') =>
    total(after, `${MLIP_METRICS.phaseSeconds.name}_${what}`, { host: HOST, phase: p });
  for (const p of ['waiting-for-slot', 'preparing', 'fitting', 'converting'])
    expect(phase(p, 'count')).toBe(1);
  // The double's fit is FIT_SECONDS long from its first line (iteration 0): that much is spent fitting.
  expect(phase('fitting', 'sum')).toBeGreaterThan(FIT_SECONDS * 0.7);
  expect(phase('fitting', 'sum')).toBeLessThan(trainingSeconds);

  const step = (activityType: string, what: 'count' | 'sum') =>
    total(after, `${MLIP_METRICS.activitySeconds.name}_${what}`, {
      host: HOST,
      activityType,
      outcome: 'completed',
    });
  for (const activityType of [
    'resolveTrainingRequest',
    'acquireWorkspace',
    'fetchTrainingData',
    'generatePacemakerConfig',
    'executeTraining',
    'buildActiveSet',
    'publishPotential',
    'cleanupWorkspace',
  ])
    expect([activityType, step(activityType, 'count')]).toEqual([activityType, 1]);
  expect(step('executeTraining', 'sum')).toBeGreaterThan(FIT_SECONDS * 0.7);
  // Buckets in seconds, up to days: a fit of a few seconds lands below the 10 s bucket, not in the first.
  const bucket = (le: string) =>
    total(after, `${MLIP_METRICS.activitySeconds.name}_bucket`, { activityType: 'executeTraining', le });
  expect(bucket('1')).toBe(0);
  expect(bucket('86400')).toBe(1);

  // The SDK's own metrics come out of the same endpoint.
  for (const sdk of [
    'temporal_activity_execution_latency_count',
    'temporal_workflow_completed',
    'temporal_workflow_task_execution_latency_count',
    'temporal_worker_task_slots_available',
  ])
    expect([sdk, after.some((s) => s.name === sdk)]).toEqual([sdk, true]);
});

test('a failed training: its failure is counted under its type, by the step that failed', async () => {
  const handle = await client.workflow.start(trainPotential, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `metrics-empty-${randomUUID()}`,
    args: [{ campaign: 'no-such-campaign' }],
  });
  const failure = await handle.result().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const activity = (failure as WorkflowFailedError).cause;
  expect(activity).toBeInstanceOf(ActivityFailure);
  expect((activity?.cause as ApplicationFailure).type).toBe('EmptyTrainingSet');

  const samples = await scrape();
  if (process.env.METRICS_DUMP) fs.writeFileSync(process.env.METRICS_DUMP, await (await fetch(url)).text());
  const failed = { host: HOST, activityType: 'fetchTrainingData' };
  expect(
    total(samples, MLIP_METRICS.activityFailures.name, { ...failed, failure_type: 'EmptyTrainingSet' }),
  ).toBe(1);
  expect(total(samples, `${MLIP_METRICS.activitySeconds.name}_count`, { ...failed, outcome: 'failed' })).toBe(
    1,
  );
  // Every metric the Grafana dashboard plots is one this endpoint serves.
  const dashboard = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'grafana-dashboard.json'), 'utf8');
  const plotted = [...new Set([...dashboard.matchAll(/\b(?:mlip|temporal)_\w+/g)].map((m) => m[0]))];
  const served = new Set(samples.map((s) => s.name));
  expect(plotted.filter((name) => !served.has(name))).toEqual([]);
});
