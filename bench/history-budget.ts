/**
 * `npm run bench -- history-budget [--minutes 4] [--structures 30]`: how many history events a training
 * adds per hour of fitting, and so how long a fit its history allows.
 *
 * Starts its own Temporal dev server and MongoDB-wire server, seeds a campaign with the mocked DFT
 * factory, and in the same run fits the same tiny potential twice for --minutes each (a fit too long to
 * end, cancelled after that time):
 *   (a) baseline: executeTraining reporting its progress to the workflow every 30 s, the cadence of the
 *       progress signal before the history budget (its report interval set to 30 s);
 *   (b) the default: heartbeats only, with a report to the workflow on a phase change, a resumption, and at
 *       most one checkpoint per CHECKPOINT_REPORT_INTERVAL_MS.
 * For each it counts the events the workflow's history gains while the fit runs, from the moment the
 * workflow knows it is fitting (its phase reports are then behind it) to --minutes later, and extrapolates
 * events per hour and the events of a 30-day fit (plus the fixed events of a whole training, measured from
 * a completed short one). Figures, not a test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTrainingProgress, main as cli } from '../src/cli';
import { CHECKPOINT_REPORT_INTERVAL_MS, progressQuery } from '../src/api';
import { startInProcessWorkers } from '../worker';
import { trainPotential } from '../workflows/train-potential';
import { startBenchServices } from './bench-worker';

const CAMPAIGN = 'bench-history';
/** Small, but not so small that BFGS converges within the measuring window (6 functions stop after ~2,000 iterations in 2 min). */
const TINY = { ace: { functionsPerElement: 20, correlationOrder: 2 }, backend: { displayStep: 5 } };

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!(value > 0)) throw new Error(`--${name} must be a positive number, got ${args[i + 1]}`);
  return value;
}

/** The event types that can appear while a fit runs (temporal.api.enums.v1.EventType numbers). */
const EVENT_NAMES: Record<number, string> = {
  5: 'WorkflowTaskScheduled',
  6: 'WorkflowTaskStarted',
  7: 'WorkflowTaskCompleted',
  8: 'WorkflowTaskTimedOut',
  9: 'WorkflowTaskFailed',
  26: 'WorkflowExecutionSignaled',
  40: 'UpsertWorkflowSearchAttributes',
  46: 'WorkflowPropertiesModified',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(args: string[]): Promise<number> {
  const minutes = option(args, 'minutes', 4);
  const structures = option(args, 'structures', 30);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-history-'));
  const services = await startBenchServices('bench-history', outDir);
  console.log(
    `bench history-budget: a tiny Cu fit for ${minutes} min per cadence (${structures} structures); ` +
      `default checkpoint report interval ${CHECKPOINT_REPORT_INTERVAL_MS / 3_600_000} h`,
  );
  try {
    const { env } = services;
    const seeded = await cli(['seed-demo', '--campaign', CAMPAIGN, '--count', String(structures)], {
      out: () => undefined,
      err: (l) => console.error(l),
      env: { MONGODB_URI: env.MONGODB_URI, MLIP_DB: env.MLIP_DB },
    });
    if (seeded !== 0) throw new Error('seed-demo failed');

    /** Events of one fit running for `minutes`, under a worker with this report interval. */
    const measureFit = async (label: string, reportIntervalMs: number | undefined) => {
      const worker = await startInProcessWorkers(env, {
        tuning: reportIntervalMs ? { checkpointReportIntervalMs: reportIntervalMs } : {},
      });
      try {
        const handle = await worker.client.workflow.start(trainPotential, {
          taskQueue: env.MLIP_TASK_QUEUE,
          workflowId: `history-${label}-${Date.now()}`,
          args: [
            {
              campaign: CAMPAIGN,
              potentialName: `cu-${label}`,
              trainer: { ...TINY, optimizer: { maxIterations: 100_000 } },
            },
          ],
        });
        // The window opens once the workflow itself says "fitting": the phase reports are behind it then.
        for (let i = 0; i < 600; i++) {
          if ((await handle.query(progressQuery)).phase === 'fitting') break;
          await sleep(1_000);
        }
        const before = (await handle.fetchHistory()).events ?? [];
        const t0 = Date.now();
        await sleep(minutes * 60_000);
        const events = (await handle.fetchHistory()).events ?? [];
        const hours = (Date.now() - t0) / 3_600_000;
        const window = events.slice(before.length);
        const during = window.length;
        const signals = window.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
        const live = await readTrainingProgress(handle);
        const iterations = live?.latest?.iteration ?? 0;
        if (live?.phase !== 'fitting')
          throw new Error(
            `the fit ended (${live?.phase}) inside the window: use fewer --minutes or more --structures`,
          );
        await handle.cancel();
        await handle.result().catch(() => undefined);
        const byType = new Map<string, number>();
        for (const e of window) {
          const type = String(e.eventType ?? '?');
          byType.set(type, (byType.get(type) ?? 0) + 1);
        }
        const kinds = [...byType].map(([t, n]) => `${EVENT_NAMES[Number(t)] ?? t} ${n}`).join(', ');
        return { label, during, signals, iterations, hours, perHour: during / hours, kinds };
      } finally {
        await worker.stop();
      }
    };

    // The fixed part: every event of a short training that completes, at the default cadence.
    const fixedWorker = await startInProcessWorkers(env);
    let fixed: number;
    try {
      const handle = await fixedWorker.client.workflow.start(trainPotential, {
        taskQueue: env.MLIP_TASK_QUEUE,
        workflowId: `history-fixed-${Date.now()}`,
        args: [
          {
            campaign: CAMPAIGN,
            potentialName: 'cu-fixed',
            trainer: { ...TINY, optimizer: { maxIterations: 20 } },
          },
        ],
      });
      await handle.result();
      fixed = (await handle.fetchHistory()).events?.length ?? 0;
    } finally {
      await fixedWorker.stop();
    }

    const baseline = await measureFit('baseline-30s', 30_000);
    const current = await measureFit('default', undefined);
    const thirtyDays = 30 * 24;
    const row = (r: typeof baseline) =>
      `  ${r.label.padEnd(14)} ${String(r.during).padStart(6)} events in ${(r.hours * 60).toFixed(1)} min of fitting ` +
      `(${r.signals} signals, fit at iteration ${r.iterations}): ${r.perHour.toFixed(0).padStart(5)} events/h → ` +
      `30-day fit ≈ ${Math.round(fixed + r.perHour * thirtyDays).toLocaleString('en')} events`;
    console.log(`  a whole short training (20 iterations, completed): ${fixed} events`);
    console.log(row(baseline));
    console.log(`      ${baseline.kinds}`);
    console.log(row(current));
    console.log(`      ${current.kinds}`);
    // The default's checkpoint reports are too rare to appear in a few minutes: its bound comes from the interval.
    const reportsIn30Days = (thirtyDays * 3_600_000) / CHECKPOINT_REPORT_INTERVAL_MS;
    console.log(
      `  default, by its interval: ≤ ${reportsIn30Days} checkpoint reports × 4 events in 30 days → ` +
        `≤ ${Math.round(fixed + current.perHour * thirtyDays + reportsIn30Days * 4).toLocaleString('en')} events ` +
        `(Temporal warns at 10,240 and terminates at 51,200)`,
    );
    console.log(
      `  during the fit: baseline ${baseline.during} events, default ${current.during}` +
        (current.during > 0 ? ` (ratio ${(baseline.during / current.during).toFixed(1)}×)` : ' (none)'),
    );
    return 0;
  } finally {
    await services.stop();
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}
