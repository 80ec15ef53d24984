/**
 * `npm run bench -- orchestration [--structures 24] [--functions 10] [--iterations 45] [--rounds 2]
 * [--keep]`: what the
 * trainPotential workflow costs on top of the fit it runs.
 *
 * Starts its own Temporal dev server and MongoDB-wire server (src/dev-services), seeds a campaign
 * with the mocked DFT factory (`mlip-train seed-demo`), runs a training worker in this process, and in the
 * same run measures:
 *   (a) the whole trainPotential workflow, start → result, with the real pacemaker;
 *   (b) the same `pacemaker input.yaml` run directly on an identical input.yaml + dataset (made with the
 *       activities' own functions, outside Temporal), then `pace_yaml2yace` on its output.
 * Rounds alternate A B B A (direct, workflow, workflow, direct, ...) so that drift in the machine's load hits
 * both sides alike; the figures are means over the rounds.
 * The difference is the orchestration's cost: fetching the data, the config's dry run, the prediction
 * metrics, publishing, Temporal's scheduling. Each step's share is read from the workflow's history. While
 * pacemaker runs under the workflow, the worker process's own CPU time (process.cpuUsage(): log parsing,
 * heartbeats, progress signals) is sampled at the moment the fit's pid file appears and disappears.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFetchTrainingDataActivity } from '../activities/fetch-training-data';
import { createGeneratePacemakerConfigActivity } from '../activities/generate-pacemaker-config';
import { connectDatabase } from '../src/db';
import type { TrainerParamsInput } from '../src/api';
import { startInProcessWorkers } from '../worker';
import { trainPotential } from '../workflows/train-potential';
import { startBenchServices } from './bench-worker';
import { intOption } from './options';
import { runCommand } from './run-command';
import { seedDemo } from './seed-demo';

const CAMPAIGN = 'bench-orchestration';

interface WorkflowRun {
  wall: number;
  /** Scheduled → completed of each activity, seconds. */
  steps: Record<string, number>;
  /** While the workspace's pacemaker.pid existed. */
  fitWall: number;
  /** This process's CPU time in that window. */
  fitCpu: number;
  /** This process's CPU time over the whole workflow. */
  cpu: number;
  potentialId: string;
}

interface DirectRun {
  wall: number;
  pacemakerWall: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const fmt = (x: number, digits = 1) => x.toFixed(digits);
const seconds = (t0: number) => (performance.now() - t0) / 1000;
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

/** Temporal event timestamps → ms. */
function eventMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
}

export async function run(args: string[]): Promise<number> {
  const structures = intOption(args, 'structures', 24);
  const functions = intOption(args, 'functions', 10);
  const iterations = intOption(args, 'iterations', 45);
  const rounds = intOption(args, 'rounds', 2);
  const trainer: TrainerParamsInput = {
    ace: { functionsPerElement: functions },
    optimizer: { maxIterations: iterations },
  };
  // A private temp folder: nothing else (another bench, a cleanup of bench/out/) touches it mid-fit.
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlip-bench-orchestration-'));
  console.log(
    `bench orchestration: ${structures} structures (seed-demo), ${functions} functions/element, ` +
      `${iterations} iterations; work dir ${outDir}`,
  );

  const services = await startBenchServices('bench-orchestration', outDir);
  const { env } = services;
  const database = connectDatabase(env.MONGODB_URI, env.MLIP_DB);
  let stopWorkers = async () => {};
  try {
    await seedDemo(env, { campaign: CAMPAIGN, count: structures });

    // (b)'s inputs: the same dataset and input.yaml the workflow makes, by the same functions, untimed.
    const direct = path.join(outDir, 'direct-inputs');
    fs.mkdirSync(direct);
    const dataset = await createFetchTrainingDataActivity({
      database,
      python: env.MLIP_PYTHON,
    }).fetchTrainingData({
      workspaceDir: direct,
      campaign: CAMPAIGN,
      selection: {},
      invalidRecords: 'fail',
    });
    const config = await createGeneratePacemakerConfigActivity({
      pacemakerBin: env.PACEMAKER_BIN,
      python: env.MLIP_PYTHON,
    }).generatePacemakerConfig({ workspaceDir: direct, trainer, dataset });

    // A worker as `npm run worker` runs it (production cadences), in this process.
    const worker = await startInProcessWorkers(env);
    const { client } = worker;
    stopWorkers = () => worker.stop();

    // (a) The workflow, start → result; the fit's window from its pid file in the workspace.
    const runWorkflow = async (): Promise<WorkflowRun> => {
      const fit: { t0?: number; t1?: number; cpu0?: NodeJS.CpuUsage; cpu1?: NodeJS.CpuUsage } = {};
      const watcher = setInterval(() => {
        const root = env.MLIP_WORK_ROOT;
        const [ws] = fs.existsSync(root) ? fs.readdirSync(root) : [];
        const fitting = ws !== undefined && fs.existsSync(path.join(root, ws, 'pacemaker.pid'));
        if (fitting && fit.t0 === undefined) {
          fit.t0 = performance.now();
          fit.cpu0 = process.cpuUsage();
        } else if (!fitting && fit.t0 !== undefined && fit.t1 === undefined) {
          fit.t1 = performance.now();
          fit.cpu1 = process.cpuUsage();
        }
      }, 100);
      const workflowId = `bench-orchestration-${Date.now()}`;
      const cpuStart = process.cpuUsage();
      const t0 = performance.now();
      const result = await client.workflow
        .execute(trainPotential, {
          taskQueue: env.MLIP_TASK_QUEUE,
          workflowId,
          args: [{ campaign: CAMPAIGN, trainer }],
        })
        .finally(() => clearInterval(watcher));
      const wall = seconds(t0);
      const cpu = cpuSeconds(process.cpuUsage(cpuStart));
      if (result.dataset.sha256 !== dataset.sha256)
        throw new Error('the workflow fetched a different dataset than the direct run uses');

      // Each step's share, from the history: scheduled → completed of every activity.
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const scheduled = new Map<string, { type: string; at: number }>();
      const steps: Record<string, number> = {};
      for (const e of history.events ?? []) {
        const a = e.activityTaskScheduledEventAttributes;
        if (a)
          scheduled.set(String(e.eventId), { type: a.activityType?.name ?? '?', at: eventMs(e.eventTime) });
        const c = e.activityTaskCompletedEventAttributes;
        const from = c && scheduled.get(String(c.scheduledEventId));
        if (from) steps[from.type] = (eventMs(e.eventTime) - from.at) / 1000;
      }
      const fitWall = fit.t0 !== undefined && fit.t1 !== undefined ? (fit.t1 - fit.t0) / 1000 : NaN;
      const fitCpu = fit.cpu0 && fit.cpu1 ? cpuSeconds(fit.cpu1) - cpuSeconds(fit.cpu0) : NaN;
      const run = { wall, steps, fitWall, fitCpu, cpu, potentialId: result.potentialId };
      console.log(
        `  workflow: ${fmt(wall)} s start → result (${result.potentialId}); pacemaker ran ${fmt(fitWall)} s; ` +
          Object.entries(steps)
            .map(([k, v]) => `${k} ${fmt(v, 2)} s`)
            .join(', '),
      );
      return run;
    };

    // (b) The same fit, directly, in a fresh copy of the inputs: pacemaker input.yaml, then pace_yaml2yace.
    const runDirect = async (round: number): Promise<DirectRun> => {
      const dir = path.join(outDir, `direct-${round}`);
      fs.mkdirSync(dir);
      fs.copyFileSync(config.inputYamlPath, path.join(dir, 'input.yaml'));
      const t0 = performance.now();
      // As the worker runs pacemaker: a session and process group of its own, output to a log file.
      await runCommand(env.PACEMAKER_BIN, ['input.yaml'], {
        cwd: dir,
        logFile: path.join(dir, 'pacemaker.log'),
      });
      const pacemakerWall = seconds(t0);
      await runCommand(env.PACE_YAML2YACE_BIN, ['output_potential.yaml', '-o', 'potential.yace'], {
        cwd: dir,
      });
      const wall = seconds(t0);
      console.log(`  direct:   ${fmt(wall)} s (pacemaker ${fmt(pacemakerWall)} s + pace_yaml2yace)`);
      return { wall, pacemakerWall };
    };

    // A B B A: drift in the machine's load (other jobs on the same cores) hits both sides alike.
    const workflowRuns: WorkflowRun[] = [];
    const directRuns: DirectRun[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        directRuns.push(await runDirect(round));
        workflowRuns.push(await runWorkflow());
      } else {
        workflowRuns.push(await runWorkflow());
        directRuns.push(await runDirect(round));
      }
    }
    await stopWorkers();
    stopWorkers = async () => {};

    const workflowWall = mean(workflowRuns.map((r) => r.wall));
    const directWall = mean(directRuns.map((r) => r.wall));
    const directPacemaker = mean(directRuns.map((r) => r.pacemakerWall));
    const fitWall = mean(workflowRuns.map((r) => r.fitWall));
    const fitCpu = mean(workflowRuns.map((r) => r.fitCpu));
    const stepNames = Object.keys(workflowRuns[0]!.steps);
    const steps = Object.fromEntries(
      stepNames.map((k) => [k, mean(workflowRuns.map((r) => r.steps[k] ?? NaN))]),
    );
    const stepTotal = Object.values(steps).reduce((sum, v) => sum + v, 0);
    const execute = steps.executeTraining ?? NaN;
    const overhead = workflowWall - directWall;

    // Each round's pair ran back to back, under about the same load: their differences are the cleaner figure.
    console.log('');
    console.log('per round (workflow − direct, adjacent runs):');
    const pairs = workflowRuns.map((w, i) => {
      const d = directRuns[i]!;
      const pair = {
        overheadS: w.wall - d.wall,
        fitDifferenceS: w.fitWall - d.pacemakerWall,
        outsideFitS: w.wall - w.fitWall - (d.wall - d.pacemakerWall),
      };
      console.log(
        `  round ${i + 1}: overhead ${fmt(pair.overheadS)} s = ${fmt((pair.overheadS / d.wall) * 100)} %; ` +
          `pacemaker under the worker ${fmt(pair.fitDifferenceS, 2)} s vs. directly; ` +
          `everything around the fit ${fmt(pair.outsideFitS, 2)} s`,
      );
      return pair;
    });
    console.log('');
    console.log(`mean of ${rounds} run(s) each:`);
    console.log(`  workflow trainPotential, start → result   ${fmt(workflowWall).padStart(7)} s`);
    for (const [k, v] of Object.entries(steps)) console.log(`    ${k.padEnd(38)} ${fmt(v, 2).padStart(7)} s`);
    console.log(
      `    Temporal scheduling between steps       ${fmt(workflowWall - stepTotal, 2).padStart(7)} s`,
    );
    console.log(
      `  direct pacemaker + pace_yaml2yace         ${fmt(directWall).padStart(7)} s  (pacemaker ${fmt(directPacemaker)} s)`,
    );
    console.log(
      `  overhead of the workflow                  ${fmt(overhead).padStart(7)} s  = ${fmt((overhead / directWall) * 100)} % of the direct fit`,
    );
    console.log(
      `    pacemaker under the worker vs. directly: ${fmt(fitWall)} s vs. ${fmt(directPacemaker)} s ` +
        `(${fmt(fitWall - directPacemaker, 2)} s, ${fmt(((fitWall - directPacemaker) / directPacemaker) * 100)} %)`,
    );
    console.log(
      `    executeTraining beyond the direct fit (spawn, parsing, prediction metrics): ` +
        `${fmt(execute - directWall, 2)} s = ${fmt(((execute - directWall) / directWall) * 100)} %`,
    );
    console.log(
      `  worker CPU while pacemaker ran: ${fmt(fitCpu, 2)} CPU-s over ${fmt(fitWall)} s = ` +
        `${fmt((fitCpu / fitWall) * 1000, 1)} ms CPU per wall-second (${fmt((fitCpu / fitWall) * 100, 2)} % of one core); ` +
        `whole workflow: ${fmt(mean(workflowRuns.map((r) => r.cpu)), 2)} CPU-s in this process`,
    );
    console.log('');
    console.log('summary (JSON):');
    console.log(
      JSON.stringify({
        structures: dataset.structures,
        atoms: dataset.atoms,
        functionsPerElement: functions,
        iterations,
        rounds,
        workflowWallS: workflowWall,
        directWallS: directWall,
        directPacemakerWallS: directPacemaker,
        overheadS: overhead,
        overheadRatio: overhead / directWall,
        steps,
        schedulingS: workflowWall - stepTotal,
        fitWallUnderWorkerS: fitWall,
        workerCpuDuringFitS: fitCpu,
        workerCpuPerWallS: fitCpu / fitWall,
        runs: { workflow: workflowRuns, direct: directRuns, pairs },
      }),
    );
    return 0;
  } finally {
    await stopWorkers();
    await database.close();
    await services.stop();
    if (!args.includes('--keep')) fs.rmSync(outDir, { recursive: true, force: true });
  }
}
