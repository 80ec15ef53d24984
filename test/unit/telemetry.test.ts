/**
 * The metrics' parts that need no server: the MLIP_METRICS_ADDRESS setting, what the fit's instruments
 * count and time from its progress, how the activity interceptor classifies an attempt, and that the
 * Grafana dashboard and docs/operations.md name only metrics (and labels) that exist.
 * test/integration/metrics.test.ts scrapes a real worker.
 */
import type { Context } from '@temporalio/activity';
import {
  ApplicationFailure,
  CancelledFailure,
  type MetricCounter,
  type MetricGauge,
  type MetricHistogram,
  type MetricMeter,
  type MetricTags,
} from '@temporalio/common';
import fs from 'node:fs';
import path from 'node:path';
import { FailureType, type TrainingProgress } from '../../src/api';
import { EnvSchema, PROJECT_ROOT } from '../../src/config';
import { Semaphore } from '../../src/process';
import {
  activityMetricsInterceptor,
  fitMetrics,
  MLIP_METRICS,
  SDK_METRIC_PREFIX,
  type MetricDefinition,
} from '../../src/telemetry';

interface Recorded {
  name: string;
  value: number;
  tags: MetricTags;
}

/** A meter that remembers what was recorded, with the tags composed as the SDK composes them. */
function recordingMeter(recorded: Recorded[], tags: MetricTags = {}): MetricMeter {
  const put =
    (name: string) =>
    (value: number, extra: MetricTags = {}) =>
      void recorded.push({ name, value, tags: { ...tags, ...extra } });
  const counter = (name: string): MetricCounter => ({
    name,
    kind: 'counter',
    valueType: 'int',
    add: put(name),
    withTags: () => counter(name),
  });
  const histogram = (name: string): MetricHistogram => ({
    name,
    kind: 'histogram',
    valueType: 'float',
    record: put(name),
    withTags: () => histogram(name),
  });
  const gauge = (name: string): MetricGauge => ({
    name,
    kind: 'gauge',
    valueType: 'int',
    set: put(name),
    withTags: () => gauge(name),
  });
  return {
    createCounter: counter,
    createHistogram: histogram,
    createGauge: gauge,
    withTags: (more) => recordingMeter(recorded, { ...tags, ...more }),
  };
}

const sum = (recorded: Recorded[], name: string, match: MetricTags = {}) =>
  recorded
    .filter((r) => r.name === name && Object.entries(match).every(([k, v]) => r.tags[k] === v))
    .reduce((s, r) => s + r.value, 0);

describe('MLIP_METRICS_ADDRESS', () => {
  const parse = (v: string | undefined) => EnvSchema.shape.MLIP_METRICS_ADDRESS.safeParse(v);
  test('is off by default, and takes ip:port (IPv4 or bracketed IPv6)', () => {
    expect(parse(undefined)).toMatchObject({ success: true, data: 'off' });
    for (const ok of ['off', '0.0.0.0:9464', '127.0.0.1:9464', '[::]:9464', '[::1]:1'])
      expect([ok, parse(ok).success]).toEqual([ok, true]);
  });
  test('refuses host names (the SDK binds addresses), a missing or out-of-range port', () => {
    for (const bad of [
      'localhost:9464',
      '9464',
      ':9464',
      '127.0.0.1',
      '127.0.0.1:0',
      '127.0.0.1:65536',
      '1.2.3:80',
    ])
      expect([bad, parse(bad).success]).toEqual([bad, false]);
  });
});

describe("the fit's instruments", () => {
  let clock = 0;
  const at = (ms: number) => (clock = ms);
  const fitting = (iteration: number): TrainingProgress => ({
    phase: 'fitting',
    latest: { iteration, loss: 1, rmseEnergyMeVPerAtom: 1, rmseForcesMeVPerA: 1 },
  });

  test('count each iteration once, however often the same progress is seen, and time each phase that ends', () => {
    const recorded: Recorded[] = [];
    const fit = fitMetrics(recordingMeter(recorded), () => clock);
    at(0);
    fit.observe({ phase: 'waiting-for-slot' });
    at(2_000);
    fit.observe({ phase: 'preparing' });
    at(5_000);
    fit.observe(fitting(0)); // Initial state: no iteration done yet
    fit.observe(fitting(3));
    fit.observe(fitting(3)); // a heartbeat with the same numbers
    at(9_000);
    fit.observe(fitting(7));
    fit.observe({ ...fitting(7), phase: 'converting' });
    at(10_000);
    fit.end();

    expect(sum(recorded, MLIP_METRICS.fitIterations.name)).toBe(7);
    const phase = (p: string) => sum(recorded, MLIP_METRICS.phaseSeconds.name, { phase: p });
    expect([phase('waiting-for-slot'), phase('preparing'), phase('fitting'), phase('converting')]).toEqual([
      2, 3, 4, 1,
    ]);
  });

  test('a fit that starts over (a resumed attempt, the fit again from the beginning) counts from its new start', () => {
    const recorded: Recorded[] = [];
    const fit = fitMetrics(recordingMeter(recorded), () => clock);
    fit.observe(fitting(5));
    fit.observe({ phase: 'preparing' });
    fit.observe(fitting(0));
    fit.observe(fitting(2));
    // A new fit cycle numbers its iterations from 0 again, without a preparing phase in between.
    fit.observe(fitting(1));
    expect(sum(recorded, MLIP_METRICS.fitIterations.name)).toBe(5 + 2 + 1);
  });
});

describe('the activity interceptor', () => {
  async function run(outcome: () => Promise<unknown>, cancelled = false) {
    const recorded: Recorded[] = [];
    const controller = new AbortController();
    if (cancelled) controller.abort();
    // The parts of an activity's Context the interceptor reads.
    const ctx = {
      metricMeter: recordingMeter(recorded, { activityType: 'fetchTrainingData' }),
      cancellationSignal: controller.signal,
    } as unknown as Context;
    const interceptors = activityMetricsInterceptor('host-a')(ctx);
    const error = await interceptors.inbound!.execute!({ args: [], headers: {} }, outcome).then(
      () => undefined,
      (err: unknown) => err,
    );
    const tags = interceptors.outbound!.getMetricTags!({ activityType: 'x' }, (t) => t);
    return { recorded, error, tags };
  }
  const outcomeOf = (recorded: Recorded[]) =>
    recorded.find((r) => r.name === MLIP_METRICS.activitySeconds.name)?.tags.outcome;
  const failures = (recorded: Recorded[]) =>
    recorded.filter((r) => r.name === MLIP_METRICS.activityFailures.name).map((r) => r.tags.failure_type);

  test('times a completed attempt and adds the host to every activity metric', async () => {
    const { recorded, error, tags } = await run(async () => 'ok');
    expect(error).toBeUndefined();
    expect(outcomeOf(recorded)).toBe('completed');
    expect(failures(recorded)).toEqual([]);
    expect(tags).toEqual({ activityType: 'x', host: 'host-a' });
  });

  test('counts a failure under its ApplicationFailure type, or a plain error under its name, and rethrows it', async () => {
    const typed = await run(async () => {
      throw ApplicationFailure.create({ type: FailureType.EmptyTrainingSet, message: 'nothing' });
    });
    expect(typed.error).toBeInstanceOf(ApplicationFailure);
    expect(outcomeOf(typed.recorded)).toBe('failed');
    expect(failures(typed.recorded)).toEqual(['EmptyTrainingSet']);
    const plain = await run(async () => {
      throw new TypeError('bug');
    });
    expect(failures(plain.recorded)).toEqual(['TypeError']);
  });

  test('a cancellation is an outcome, not a failure', async () => {
    const { recorded, error } = await run(async () => {
      throw new CancelledFailure('cancelled');
    }, true);
    expect(error).toBeInstanceOf(CancelledFailure);
    expect(outcomeOf(recorded)).toBe('cancelled');
    expect(failures(recorded)).toEqual([]);
  });
});

test("the training slots' observer hears every change of the running and waiting counts", async () => {
  const seen: string[] = [];
  const slots = new Semaphore(1, ({ running, waiting }) => seen.push(`${running}/${waiting}`));
  const first = await slots.acquire();
  const controller = new AbortController();
  const queued = slots.acquire(controller.signal).catch(() => undefined);
  const second = slots.acquire();
  controller.abort(new Error('cancelled'));
  await queued;
  first();
  (await second)();
  expect(seen).toEqual(['1/0', '1/1', '1/2', '1/1', '1/0', '0/0']);
});

describe('the Grafana dashboard and docs/operations.md', () => {
  /** The SDK's own metrics the dashboard plots (the integration test sees each served). */
  const SDK_METRICS = [
    'temporal_workflow_completed',
    'temporal_workflow_failed',
    'temporal_worker_task_slots_used',
  ];
  const HISTOGRAM_SERIES = ['_bucket', '_sum', '_count'];
  const ours = new Map<string, MetricDefinition>(Object.values(MLIP_METRICS).map((m) => [m.name, m]));
  /** The metric a series name belongs to (a histogram's _bucket, _sum and _count are its own). */
  const metricOf = (series: string) => {
    if (ours.has(series)) return ours.get(series);
    const suffix = HISTOGRAM_SERIES.find((s) => series.endsWith(s));
    const base = suffix ? ours.get(series.slice(0, -suffix.length)) : undefined;
    return base?.type === 'histogram' ? base : undefined;
  };

  const dashboard = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'grafana-dashboard.json'), 'utf8'),
  ) as {
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  };
  const expressions = dashboard.panels.flatMap((p) =>
    p.targets.map((t) => ({ panel: p.title, expr: t.expr })),
  );

  test('every metric a panel plots is one we define, or a known SDK metric', () => {
    expect(expressions.length).toBeGreaterThan(5);
    const unknown = expressions.flatMap(({ panel, expr }) =>
      [...expr.matchAll(new RegExp(`\\b(?:mlip_|${SDK_METRIC_PREFIX})\\w+`, 'g'))]
        .map((m) => m[0])
        .filter((name) => !metricOf(name) && !SDK_METRICS.includes(name))
        .map((name) => `${panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  test("every label a panel selects or groups our metrics by is one of that metric's labels", () => {
    const problems: string[] = [];
    for (const { panel, expr } of expressions) {
      const metrics = [...expr.matchAll(/\bmlip_\w+/g)].map((m) => metricOf(m[0])!);
      const labels = [
        ...[...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim())),
        ...[...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
          [...m[1]!.matchAll(/(\w+)\s*[=!]~?"/g)].map((l) => l[1]!),
        ),
      ];
      for (const metric of metrics)
        for (const label of labels)
          if (
            !(metric.labels as readonly string[]).includes(label) &&
            !(label === 'le' && metric.type === 'histogram')
          )
            problems.push(`${panel}: ${metric.name} has no label ${label}`);
    }
    expect(problems).toEqual([]);
  });

  test('docs/operations.md names each of our metrics with its type, and the SDK ones the dashboard plots', () => {
    const doc = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'operations.md'), 'utf8');
    const missing = Object.values(MLIP_METRICS)
      .filter((m) => !new RegExp(`\\|\\s*\`${m.name}\`\\s*\\|\\s*${m.type}\\s*\\|`).test(doc))
      .map((m) => `${m.name} (${m.type})`);
    expect(missing).toEqual([]);
    expect(SDK_METRICS.filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
    expect(doc).toContain('MLIP_METRICS_ADDRESS');
  });
});
