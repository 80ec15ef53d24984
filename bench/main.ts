/**
 * Benchmarks (not tests): `npm run bench -- NAME [options]`.
 */
const BENCHES: Record<
  string,
  { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> }
> = {
  backends: {
    summary:
      'pyace vs tensorpot evaluator on Kumagai silicon at three basis sizes: time per iteration, evals, held-out RMSE',
    load: () => import('./backends'),
  },
  committee: {
    summary:
      "committee members from bootstrap resamples vs. seed only: rank correlation of their force disagreement with the committee's error",
    load: () => import('./committee'),
  },
  'dry-run': {
    summary:
      "the config's pacemaker --dry-run on the fit's evaluator (tensorpot: TensorFlow imported) vs. on pyace with the installed check",
    load: () => import('./dry-run'),
  },
  fetch: {
    summary: 'fetchTrainingData vs. a pymongo + ASE baseline: structures/s, MB/s, peak RSS at two sizes',
    load: () => import('./fetch'),
  },
  'history-budget': {
    summary:
      'history events a training adds per hour of fitting: progress signals every 30 s (the old cadence) vs. heartbeats with rare reports',
    load: () => import('./history-budget'),
  },
  fidelity: {
    summary:
      'the default pipeline (trainPotential, every default) on Kumagai silicon: wall time, held-out RMSE vs. E < 5 meV/atom, F < 100 meV/Å (--direct: pacemaker alone)',
    load: () => import('./fidelity'),
  },
  orchestration: {
    summary:
      'trainPotential workflow vs. the same pacemaker fit run directly: overhead, worker CPU during the fit',
    load: () => import('./orchestration'),
  },
  score: {
    summary:
      'scoreCandidates on 10,000 vs 100,000 generated candidates: candidates/s, peak RSS of the worker and of the Python scorer',
    load: () => import('./score'),
  },
  'warm-start': {
    summary:
      "generation N+1 of Kumagai silicon: iterations and time a warm start (initialPotential) needs to reach the cold fit's final train RMSE",
    load: () => import('./warm-start'),
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const bench = name === undefined ? undefined : BENCHES[name];
  if (!bench) {
    if (name !== undefined && name !== '--help') console.error(`unknown bench '${name}'`);
    console.error('Usage: npm run bench -- <name> [options]\n\nBenches:');
    for (const [n, b] of Object.entries(BENCHES)) console.error(`  ${n.padEnd(13)} ${b.summary}`);
    return name === '--help' ? 0 : 2;
  }
  return (await bench.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
