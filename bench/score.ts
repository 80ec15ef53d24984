/**
 * `npm run bench -- score [--sizes 10000,100000] [--atoms 32] [--keep]`: the scoreCandidates workflow on
 * generated candidates, at two sizes in the same process, to show that memory stays flat as the number of
 * candidates grows: candidates/s, and the peak RSS of the worker process (this one: the bench runs the
 * worker in-process, at production cadences) and of the Python scorer, with the ratio largest/smallest.
 *
 * Starts its own Temporal dev server and MongoDB-wire server (FerretDB), seeds 10 EMT Cu structures with
 * `mlip-train seed-demo`, trains a tiny potential on them with the real pacemaker (trainPotential: 6
 * functions, pyace, no test split, so its active set covers every structure), then for each size inserts
 * that many candidates into a campaign of their own (fast: generated here, bulk inserts of 1,000) and
 * scores them. The candidates are 2x2x2 fcc Cu supercells, strained (2 %) and rattled (0.05 Å); every
 * tenth is compressed by 20 %, far outside the training data. A JSON summary goes to bench/out/.
 */
import type { ScoreCandidatesResult } from '../src/api';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { COLLECTIONS } from '../src/db';
import { startInProcessWorkers } from '../worker';
import { scoreCandidates } from '../workflows/score-candidates';
import { trainPotential } from '../workflows/train-potential';
import { startBenchServices } from './bench-worker';
import { fmt, writeSummary } from './pacemaker-fit';
import { rng } from './random';
import { seedDemo } from './seed-demo';

const TRAINING_CAMPAIGN = 'bench-score-training';
const INSERT_BATCH = 1000;

/** Standard normal from two uniforms (Box–Muller). */
const normal = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

/**
 * Candidate `index`: a cubic fcc Cu supercell of n x n x n conventional cells (4 n³ atoms), strained by a
 * random symmetric matrix (2 %), rattled by 0.05 Å; every tenth compressed by 20 %.
 */
export function syntheticCandidate(campaign: string, index: number, cells: number) {
  const r = rng(index + 1);
  const a0 = 3.61;
  const basis = [
    [0, 0, 0],
    [0.5, 0.5, 0],
    [0.5, 0, 0.5],
    [0, 0.5, 0.5],
  ];
  const e = Array.from({ length: 9 }, () => 0.02 * normal(r));
  const strain = [0, 1, 2].map((i) =>
    [0, 1, 2].map((j) => (i === j ? 1 : 0) + (e[3 * i + j]! + e[3 * j + i]!) / 2),
  );
  const scale = index % 10 === 9 ? 0.8 : 1;
  const cell = [0, 1, 2].map((i) => [0, 1, 2].map((j) => a0 * cells * strain[i]![j]! * scale));
  const positions: number[] = [];
  for (let x = 0; x < cells; x++)
    for (let y = 0; y < cells; y++)
      for (let z = 0; z < cells; z++)
        for (const b of basis) {
          const f = [(x + b[0]!) / cells, (y + b[1]!) / cells, (z + b[2]!) / cells];
          for (let k = 0; k < 3; k++)
            positions.push(
              f[0]! * cell[0]![k]! + f[1]! * cell[1]![k]! + f[2]! * cell[2]![k]! + 0.05 * normal(r),
            );
        }
  return {
    _id: `${campaign}/${String(index).padStart(7, '0')}`,
    campaign,
    generation: 0,
    structure: {
      symbols: Array.from({ length: positions.length / 3 }, () => 'Cu'),
      positions,
      cell: cell.flat(),
      pbc: [true, true, true],
    },
  };
}

interface SizeFigures {
  candidates: number;
  atomsPerCandidate: number;
  insertSeconds: number;
  wallSeconds: number;
  candidatesPerSecond: number;
  activitySeconds: number;
  workerRssBeforeMB: number;
  workerPeakRssMB: number;
  workerPeakHeapMB: number;
  scorerPeakRssMB: number | null;
  bands: ScoreCandidatesResult['bands'];
  scored: number;
  failed: number;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

export async function run(args: string[]): Promise<number> {
  const sizesArg = args.includes('--sizes') ? args[args.indexOf('--sizes') + 1] : undefined;
  const sizes = (sizesArg ?? '10000,100000').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    console.error(`--sizes must be positive integers, got ${sizesArg}`);
    return 2;
  }
  const atomsArg = args.includes('--atoms') ? Number(args[args.indexOf('--atoms') + 1]) : 32;
  const cells = Math.round(Math.cbrt(atomsArg / 4));
  if (4 * cells ** 3 !== atomsArg) {
    console.error(`--atoms must be 4 n³ (32, 108, 256, ...), got ${atomsArg}`);
    return 2;
  }
  const keep = args.includes('--keep');
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlip-bench-score-'));
  console.log(`bench score: sizes ${sizes.join(', ')}, ${atomsArg} atoms per candidate; work dir ${outDir}`);

  const services = await startBenchServices('bench-score', outDir);
  const { env } = services;
  const mongo = await MongoClient.connect(env.MONGODB_URI);
  let stopWorkers = async () => {};
  try {
    await seedDemo(env, { campaign: TRAINING_CAMPAIGN, count: 10 });
    const worker = await startInProcessWorkers(env);
    stopWorkers = () => worker.stop();
    const { client } = worker;
    const trained = await client.workflow.execute(trainPotential, {
      taskQueue: env.MLIP_TASK_QUEUE,
      workflowId: `bench-score-train-${randomUUID()}`,
      args: [
        {
          campaign: TRAINING_CAMPAIGN,
          trainer: {
            ace: { functionsPerElement: 6, correlationOrder: 2 },
            optimizer: { maxIterations: 5 },
            backend: { evaluator: 'pyace', displayStep: 5 },
            testSize: 0,
          },
        },
      ],
    });
    if (!trained.activeSetPath) throw new Error('the bench potential has no active set');
    console.log(`trained ${trained.potentialId} (active set ${path.basename(trained.activeSetPath)})`);

    const candidates = mongo.db(env.MLIP_DB).collection<{ _id: string }>(COLLECTIONS.candidates);
    const figures: SizeFigures[] = [];
    for (const size of sizes) {
      const campaign = `bench-score-${size}`;
      let t0 = performance.now();
      for (let start = 0; start < size; start += INSERT_BATCH) {
        const batch = [];
        for (let i = start; i < Math.min(size, start + INSERT_BATCH); i++)
          batch.push(syntheticCandidate(campaign, i, cells));
        await candidates.insertMany(batch, { ordered: false });
      }
      const insertSeconds = (performance.now() - t0) / 1000;
      console.log(`${size}: inserted in ${fmt(insertSeconds)} s; scoring ...`);

      global.gc?.();
      const before = process.memoryUsage();
      let peakRss = before.rss;
      let peakHeap = before.heapUsed;
      const sampler = setInterval(() => {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
      }, 200);
      t0 = performance.now();
      let result: ScoreCandidatesResult;
      try {
        result = await client.workflow.execute(scoreCandidates, {
          taskQueue: env.MLIP_TASK_QUEUE,
          workflowId: `bench-score-${size}-${randomUUID()}`,
          args: [{ potentialId: trained.potentialId, campaign, topK: 10 }],
        });
      } finally {
        clearInterval(sampler);
      }
      const wallSeconds = (performance.now() - t0) / 1000;
      if (result.scored !== size) throw new Error(`scored ${result.scored} of ${size}`);
      const f: SizeFigures = {
        candidates: size,
        atomsPerCandidate: atomsArg,
        insertSeconds,
        wallSeconds,
        candidatesPerSecond: size / wallSeconds,
        activitySeconds: result.seconds,
        workerRssBeforeMB: mb(before.rss),
        workerPeakRssMB: mb(peakRss),
        workerPeakHeapMB: mb(peakHeap),
        scorerPeakRssMB: result.scorerPeakRssMB,
        bands: result.bands,
        scored: result.scored,
        failed: result.failed.count,
      };
      figures.push(f);
      console.log(
        `${size}: ${fmt(wallSeconds)} s (${fmt(f.candidatesPerSecond, 0)} candidates/s), worker RSS ` +
          `${f.workerRssBeforeMB} → peak ${f.workerPeakRssMB} MiB (heap peak ${f.workerPeakHeapMB} MiB), scorer peak ` +
          `${f.scorerPeakRssMB} MiB; bands ${JSON.stringify(result.bands)}`,
      );
    }

    console.log(
      '\n| candidates | candidates/s | wall | worker peak RSS | worker peak heap | scorer peak RSS |',
    );
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const f of figures)
      console.log(
        `| ${f.candidates.toLocaleString('en-US')} | ${fmt(f.candidatesPerSecond, 0)} | ${fmt(f.wallSeconds)} s | ` +
          `${f.workerPeakRssMB} MiB | ${f.workerPeakHeapMB} MiB | ${f.scorerPeakRssMB} MiB |`,
      );
    const [small, large] = [figures[0]!, figures[figures.length - 1]!];
    const ratios = {
      candidates: large.candidates / small.candidates,
      workerPeakRss: large.workerPeakRssMB / small.workerPeakRssMB,
      workerPeakHeap: large.workerPeakHeapMB / small.workerPeakHeapMB,
      scorerPeakRss:
        large.scorerPeakRssMB && small.scorerPeakRssMB ? large.scorerPeakRssMB / small.scorerPeakRssMB : null,
      candidatesPerSecond: large.candidatesPerSecond / small.candidatesPerSecond,
    };
    console.log(
      `\n${large.candidates}/${small.candidates}: worker peak RSS ×${fmt(ratios.workerPeakRss, 2)}, heap ×${fmt(ratios.workerPeakHeap, 2)}, ` +
        `scorer peak RSS ×${fmt(ratios.scorerPeakRss, 2)}, candidates/s ×${fmt(ratios.candidatesPerSecond, 2)} ` +
        `(bounded memory: ~1)`,
    );
    const file = writeSummary('score', {
      sizes,
      atomsPerCandidate: atomsArg,
      figures,
      ratios,
      host: os.hostname(),
    });
    console.log(`summary: ${file}`);
    return 0;
  } finally {
    await stopWorkers();
    await mongo.close();
    await services.stop();
    if (!keep) fs.rmSync(outDir, { recursive: true, force: true });
  }
}
