/**
 * `mlip-train seed-demo`: the mocked DFT factory. Inserts completed calculations labelled with ASE's EMT
 * calculator (python/emt_factory.py) into `calculations`, in contract-v1 shape, for demos and tests.
 *
 * Never touches existing data silently: a campaign that already has documents is refused unless
 * --append is given, and with --append documents whose (deterministic) _id is already there are left
 * alone, so running the same command twice inserts nothing the second time.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { loadEnv } from '../../config/env';
import { PYTHON_HELPERS_DIR } from '../../config/paths';
import { COLLECTIONS, connectDatabase } from '../../db/connection';
import { parseCommandArgs, numberFlag } from '../args';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';

const EMT_METALS = ['Al', 'Cu', 'Ag', 'Au', 'Ni', 'Pd', 'Pt'];
const INSERT_BATCH = 200;

/** What the mocked DFT "code" records about its settings; the hash lets selections pin these settings. */
export const EMT_DFT_SETTINGS = {
  code: 'ASE-EMT',
  xc: 'EMT',
  calculator: 'ase.calculators.emt.EMT',
} as const;
export const EMT_SETTINGS_HASH = createHash('sha256')
  .update(JSON.stringify(EMT_DFT_SETTINGS))
  .digest('hex')
  .slice(0, 16);

const usage = `Usage: mlip-train seed-demo [options]

Inserts completed demo calculations, labelled with ASE's EMT calculator (a stand-in for DFT), into the
'calculations' collection: strained and rattled 2x2x2 fcc supercells (32 atoms), vacancies (31 atoms) and
(111) surface slabs (16 atoms), with energy, forces and stress, in contract-v1 shape. The same
--seed gives the same structures; document ids are deterministic.

Options:
  --campaign NAME     campaign name (default: demo-cu)
  --elements E[,E2]   one EMT metal, or two for a binary alloy: ${EMT_METALS.join(', ')} (default: Cu)
  --count N           number of calculations (default: 60)
  --seed S            random seed (default: 0)
  --start K           first index of the generated sequence (default: 0), to extend a campaign
  --generation G      active-learning generation to record (default: 0)
  --append            add to a campaign that already has documents (ids already present are skipped)
  --json              print the result as JSON

Environment: MONGODB_URI, MLIP_DB, MLIP_PYTHON.
Exit codes: 0 seeded, 1 failed (database unreachable, campaign exists without --append), 2 usage.`;

function intFlag(name: string, value: string | undefined, fallback: number, min: number): number {
  const n = numberFlag(name, value) ?? fallback;
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got ${value}`);
  return n;
}

interface FactoryLine {
  index: number;
  kind: string;
  structure: unknown;
  results: unknown;
}

async function* factoryDocuments(
  python: string,
  args: string[],
): AsyncGenerator<FactoryLine, void, undefined> {
  const child = spawn(python, [path.join(PYTHON_HELPERS_DIR, 'emt_factory.py'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  try {
    for await (const line of readline.createInterface({ input: child.stdout })) {
      if (line.trim()) yield JSON.parse(line) as FactoryLine;
    }
    const code = await exited;
    if (code !== 0) throw new Error(`emt_factory.py exited with code ${code}: ${stderr.trim()}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
}

export const seedDemoCommand: CliCommand = {
  name: 'seed-demo',
  summary: 'insert demo calculations labelled with ASE EMT (the mocked DFT factory)',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(args, {
      campaign: { type: 'string' },
      elements: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      generation: { type: 'string' },
      append: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const campaign = values.campaign ?? 'demo-cu';
    if (campaign.trim() === '') throw new UsageError('--campaign must not be empty');
    const elements = (values.elements ?? 'Cu').split(',').map((e) => e.trim());
    if (
      elements.length > 2 ||
      elements.some((e) => !EMT_METALS.includes(e)) ||
      new Set(elements).size !== elements.length
    )
      throw new UsageError(
        `--elements: one or two distinct EMT metals from ${EMT_METALS.join(', ')}, got '${values.elements}'`,
      );
    const count = intFlag('count', values.count, 60, 1);
    const seed = intFlag('seed', values.seed, 0, 0);
    const start = intFlag('start', values.start, 0, 0);
    const generation = intFlag('generation', values.generation, 0, 0);
    const env = loadEnv(io.env);

    const database = connectDatabase(env.MONGODB_URI, env.MLIP_DB);
    try {
      const calculations = (await database.db()).collection<{ _id: string } & Record<string, unknown>>(
        COLLECTIONS.calculations,
      );
      const existing = await calculations.countDocuments({ campaign: { $eq: campaign } });
      if (existing > 0 && !values.append) {
        io.err(
          `mlip-train seed-demo: campaign '${campaign}' already has ${existing} document(s) in database ` +
            `'${env.MLIP_DB}'; nothing was changed. Use --append to add to it, or another --campaign.`,
        );
        return ExitCode.Failed;
      }
      const idOf = (index: number) =>
        `${campaign}/emt-${elements.join('')}-seed${seed}-${String(index).padStart(6, '0')}`;
      let inserted = 0;
      let alreadyPresent = 0;
      let batch: FactoryLine[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const ids = batch.map((d) => idOf(d.index));
        const present = new Set(
          (await calculations.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray()).map(
            (d) => d._id,
          ),
        );
        const completedAt = new Date();
        const docs = batch
          .filter((d) => !present.has(idOf(d.index)))
          .map((d) => ({
            _id: idOf(d.index),
            campaign,
            generation,
            status: 'completed',
            structure: d.structure,
            results: d.results,
            dft: { ...EMT_DFT_SETTINGS, settingsHash: EMT_SETTINGS_HASH, kind: d.kind },
            completedAt,
          }));
        if (docs.length) await calculations.insertMany(docs, { ordered: true });
        inserted += docs.length;
        alreadyPresent += present.size;
        batch = [];
      };
      const factoryArgs = [
        '--elements',
        elements.join(','),
        '--count',
        String(count),
        '--seed',
        String(seed),
      ];
      factoryArgs.push('--start', String(start));
      for await (const doc of factoryDocuments(env.MLIP_PYTHON, factoryArgs)) {
        batch.push(doc);
        if (batch.length >= INSERT_BATCH) await flush();
      }
      await flush();
      const result = { campaign, database: env.MLIP_DB, elements, seed, inserted, alreadyPresent };
      if (values.json) io.out(JSON.stringify(result));
      else
        io.out(
          `seeded ${inserted} EMT calculation(s) of ${elements.join('-')} into campaign '${campaign}' ` +
            `(database '${env.MLIP_DB}')${alreadyPresent ? `; ${alreadyPresent} already present, left as they were` : ''}`,
        );
      return ExitCode.Ok;
    } finally {
      await database.close();
    }
  },
};
