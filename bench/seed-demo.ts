/** Seeding a bench's campaign through the real CLI (`mlip-train seed-demo`), against the bench's services. */
import { main as cli } from '../src/cli';

export interface SeedDemoOptions {
  campaign: string;
  count: number;
  /** seed-demo's --labeller (default: its own, EMT). */
  labeller?: 'emt' | 'kumagai-si' | 'erhart-albe-sic';
  seed?: number;
  /** Further seed-demo flags (--start, --generation, --append, ...). */
  extra?: readonly string[];
}

/** Runs `mlip-train seed-demo` in this process; resolves with what it printed, rejects when it fails. */
export async function seedDemo(
  env: { MONGODB_URI: string; MLIP_DB: string; MLIP_PYTHON: string },
  options: SeedDemoOptions,
): Promise<string> {
  const args = [
    'seed-demo',
    ...(options.labeller ? ['--labeller', options.labeller] : []),
    '--campaign',
    options.campaign,
    '--count',
    String(options.count),
    ...(options.seed === undefined ? [] : ['--seed', String(options.seed)]),
    ...(options.extra ?? []),
  ];
  const out: string[] = [];
  const code = await cli(args, {
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    env: { MONGODB_URI: env.MONGODB_URI, MLIP_DB: env.MLIP_DB, MLIP_PYTHON: env.MLIP_PYTHON },
  });
  if (code !== 0) throw new Error(`seed-demo failed:\n${out.join('\n')}`);
  return out.join(' ').trim();
}
