/**
 * `npm run bench -- fetch [--sizes 5000,20000] [--heap-mb N] [--keep]`: the training-set export against a Python
 * baseline that does what an ASE user would write (pymongo → ase.Atoms + SinglePointCalculator →
 * ase.io.write(..., format="extxyz")), on the same data in the same run.
 *
 * Starts its own MongoDB-wire server (FerretDB, in bench/out/), fills a campaign with synthetic
 * contract-v1 calculations of 32–64 atoms, and at each size runs each side once in a fresh process:
 * structures/s, MB/s written, peak RSS. Two sizes show whether memory stays flat as the dataset grows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { INSTALLED, PROJECT_ROOT } from '../src/config';
import { startMongoWireServer, stopServices } from '../src/dev-services';
import { rng } from './random';
import { runJsonCommand } from './run-command';

interface Measurement {
  seconds: number;
  structures: number;
  bytes: number;
  maxRssKB: number;
  /** CPU time of the client process itself (user + system): its cost with the server's share taken out. */
  cpuSeconds: number;
}

/** A synthetic completed calculation: 32–64 Cu/Ni atoms in a periodic cell, contract v1. */
export function syntheticDoc(index: number) {
  const r = rng(index + 1);
  const n = 32 + Math.floor(r() * 33);
  const a = 3.6 * Math.cbrt(n / 4);
  return {
    _id: `bench-${String(index).padStart(7, '0')}`,
    campaign: 'bench',
    generation: 0,
    status: 'completed',
    structure: {
      symbols: Array.from({ length: n }, () => (r() < 0.7 ? 'Cu' : 'Ni')),
      positions: Array.from({ length: 3 * n }, () => r() * a),
      cell: [a, 0, 0, 0, a, 0, 0, 0, a],
      pbc: [true, true, true],
    },
    results: {
      energy: -3.5 * n + r(),
      forces: Array.from({ length: 3 * n }, () => (r() - 0.5) * 2),
      stress: Array.from({ length: 6 }, () => (r() - 0.5) * 0.01),
    },
    dft: { code: 'synthetic', xc: 'none', settingsHash: 'bench' },
  };
}

/** A measuring process (ours or the baseline): its last line of stdout is its Measurement. */
function runJson(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Measurement> {
  return runJsonCommand<Measurement>(command, args, { cwd: PROJECT_ROOT, env });
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);

export async function run(args: string[]): Promise<number> {
  const sizesArg = args.includes('--sizes') ? args[args.indexOf('--sizes') + 1] : undefined;
  const sizes = (sizesArg ?? '5000,20000')
    .split(',')
    .map(Number)
    .sort((a, b) => a - b);
  // --heap-mb N caps our process's V8 heap: finishing under a small cap shows the working set is bounded
  // (without it, V8 grows its heap lazily and peak RSS mostly measures garbage-collector headroom).
  const heapMb = args.includes('--heap-mb') ? Number(args[args.indexOf('--heap-mb') + 1]) : undefined;
  const oursEnv =
    heapMb === undefined
      ? process.env
      : {
          ...process.env,
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${heapMb}`.trim(),
        };
  if (sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
    console.error('--sizes: comma-separated positive integers, e.g. 5000,20000');
    return 2;
  }
  const outDir = path.join(PROJECT_ROOT, 'bench', 'out', `fetch-${Date.now()}`);
  fs.mkdirSync(outDir, { recursive: true });
  console.log(
    `bench fetch: sizes ${sizes.join(', ')}${heapMb ? `; our heap capped at ${heapMb} MiB` : ''}; work dir ${path.relative(PROJECT_ROOT, outDir)}`,
  );
  const server = await startMongoWireServer(path.join(outDir, 'mongo'), outDir);
  const client = await MongoClient.connect(server.uri);
  const rows: { size: number; ours: Measurement; baseline: Measurement }[] = [];
  try {
    const coll = client.db('bench').collection<ReturnType<typeof syntheticDoc>>('calculations');
    let inserted = 0;
    for (const size of sizes) {
      const t0 = performance.now();
      while (inserted < size) {
        const batch = Array.from({ length: Math.min(1000, size - inserted) }, (_, i) =>
          syntheticDoc(inserted + i),
        );
        await coll.insertMany(batch);
        inserted += batch.length;
      }
      console.log(
        `  ${size} structures in the database (filled in ${fmt((performance.now() - t0) / 1000)} s)`,
      );
      const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
      const ours = await runJson(
        tsx,
        [
          path.join(PROJECT_ROOT, 'bench', 'fetch-worker.ts'),
          server.uri,
          'bench',
          'bench',
          path.join(outDir, `ours-${size}.extxyz`),
        ],
        oursEnv,
      );
      const baseline = await runJson(INSTALLED.python, [
        path.join(PROJECT_ROOT, 'bench', 'fetch_baseline.py'),
        server.uri,
        'bench',
        'bench',
        path.join(outDir, `baseline-${size}.extxyz`),
      ]);
      if (ours.structures !== size || baseline.structures !== size)
        throw new Error(
          `expected ${size} structures, got ${ours.structures} (ours), ${baseline.structures} (baseline)`,
        );
      rows.push({ size, ours, baseline });
      const line = (name: string, m: Measurement) =>
        `    ${name.padEnd(9)} ${fmt(m.structures / m.seconds, 0).padStart(7)} structures/s  ` +
        `${fmt(m.bytes / 1e6 / m.seconds).padStart(6)} MB/s  ${fmt(m.seconds, 2).padStart(7)} s  ` +
        `${fmt(m.bytes / 1e6).padStart(6)} MB  peak RSS ${fmt(m.maxRssKB / 1024, 0).padStart(5)} MiB  client CPU ${fmt((m.cpuSeconds / m.structures) * 1000, 2)} ms/structure`;
      console.log(line('ours', ours));
      console.log(line('baseline', baseline));
      console.log(
        `    throughput ratio ours/baseline: ${fmt(baseline.seconds / ours.seconds, 2)}x wall-clock, ` +
          `${fmt(baseline.cpuSeconds / ours.cpuSeconds, 2)}x in client CPU per structure`,
      );
    }
  } finally {
    await client.close();
    await stopServices([server.handle]);
    if (!args.includes('--keep')) fs.rmSync(outDir, { recursive: true, force: true });
  }
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  console.log('');
  console.log('summary (JSON):');
  console.log(
    JSON.stringify({
      sizes: rows.map((r) => ({
        size: r.size,
        ours: {
          structuresPerS: r.size / r.ours.seconds,
          mbPerS: r.ours.bytes / 1e6 / r.ours.seconds,
          peakRssMiB: r.ours.maxRssKB / 1024,
          cpuSeconds: r.ours.cpuSeconds,
        },
        baseline: {
          structuresPerS: r.size / r.baseline.seconds,
          mbPerS: r.baseline.bytes / 1e6 / r.baseline.seconds,
          peakRssMiB: r.baseline.maxRssKB / 1024,
          cpuSeconds: r.baseline.cpuSeconds,
        },
        ratio: r.baseline.seconds / r.ours.seconds,
        clientCpuRatio: r.baseline.cpuSeconds / r.ours.cpuSeconds,
      })),
      oursRssGrowthMiB: (last.ours.maxRssKB - first.ours.maxRssKB) / 1024,
      baselineRssGrowthMiB: (last.baseline.maxRssKB - first.baseline.maxRssKB) / 1024,
    }),
  );
  return 0;
}
