/**
 * `mlip-train seed-demo`: the mocked DFT factory. Inserts completed calculations into `calculations`, in
 * contract-v1 shape, for demos, tests and benches, labelled by one of two stand-ins for DFT (--labeller):
 * ASE's EMT calculator on fcc metals (python/emt_factory.py, the default), or matscipy's Kumagai many-body
 * potential on diverse silicon (python/silicon_factory.py), hard enough to tell a good fit from a poor one.
 *
 * Never touches existing data silently: a campaign that already has documents is refused unless
 * --append is given, and with --append documents whose (deterministic) _id is already there are left
 * alone, so running the same command twice inserts nothing the second time.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { loadEnv, PYTHON_HELPERS_DIR } from '../../config';
import {
  compressionTag,
  demoCandidate,
  isCompressed,
  type CompressionPlan,
  type FlatStructure,
} from '../../candidates';
import { COLLECTIONS, connectDatabase } from '../../db';
import { runProcessLines } from '../../process';
import { parseCommandArgs, numberFlag } from '../args';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';

const EMT_METALS = ['Al', 'Cu', 'Ag', 'Au', 'Ni', 'Pd', 'Pt'];
const INSERT_BATCH = 200;

/** What a mocked DFT "code" records about its settings; the hash lets selections pin these settings. */
export const EMT_DFT_SETTINGS = {
  code: 'ASE-EMT',
  xc: 'EMT',
  calculator: 'ase.calculators.emt.EMT',
} as const;
export const KUMAGAI_SI_DFT_SETTINGS = {
  code: 'matscipy-Kumagai',
  xc: 'Kumagai-Izumi-Hara-Sakai 2007 (Si)',
  calculator: 'matscipy.calculators.manybody.Manybody(Kumagai)',
} as const;

const settingsHash = (settings: object) =>
  createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
export const ERHART_ALBE_SIC_DFT_SETTINGS = {
  code: 'matscipy-TersoffBrenner',
  xc: 'Erhart-Albe 2005 (Si-C)',
  calculator: 'matscipy.calculators.manybody.Manybody(TersoffBrenner(Erhart_PRB_71_035211_SiC))',
} as const;
export const EMT_SETTINGS_HASH = settingsHash(EMT_DFT_SETTINGS);
export const KUMAGAI_SI_SETTINGS_HASH = settingsHash(KUMAGAI_SI_DFT_SETTINGS);
export const ERHART_ALBE_SIC_SETTINGS_HASH = settingsHash(ERHART_ALBE_SIC_DFT_SETTINGS);

interface Labeller {
  /** The factory script in python/. */
  script: string;
  /** Elements it can label, and the default. */
  elements: string[];
  defaultElements: string[];
  /** Whether the factory takes --elements (the silicon factory is Si only). */
  takesElements: boolean;
  /** How many distinct elements a structure may hold. */
  maxElements: number;
  dft: Record<string, string>;
  /** A word for the output: "EMT". */
  name: string;
  /** The _id's labeller part: `${campaign}/${idTag}-${elements}-seed${seed}-${index}`. */
  idTag: string;
  /** The campaign name when --campaign is not given. */
  defaultCampaign: string;
}

export const LABELLERS: Record<'emt' | 'kumagai-si' | 'erhart-albe-sic', Labeller> = {
  emt: {
    script: 'emt_factory.py',
    elements: EMT_METALS,
    defaultElements: ['Cu'],
    takesElements: true,
    maxElements: 2,
    dft: { ...EMT_DFT_SETTINGS, settingsHash: EMT_SETTINGS_HASH },
    name: 'EMT',
    idTag: 'emt',
    defaultCampaign: 'demo-cu',
  },
  'kumagai-si': {
    script: 'silicon_factory.py',
    elements: ['Si'],
    defaultElements: ['Si'],
    takesElements: false,
    maxElements: 1,
    dft: { ...KUMAGAI_SI_DFT_SETTINGS, settingsHash: KUMAGAI_SI_SETTINGS_HASH },
    name: 'Kumagai-Si',
    idTag: 'kumagai',
    defaultCampaign: 'demo-si',
  },
  'erhart-albe-sic': {
    script: 'sic_factory.py',
    elements: ['C', 'Si'],
    defaultElements: ['C', 'Si'],
    takesElements: false,
    maxElements: 2,
    dft: { ...ERHART_ALBE_SIC_DFT_SETTINGS, settingsHash: ERHART_ALBE_SIC_SETTINGS_HASH },
    name: 'Erhart-Albe-SiC',
    idTag: 'erhartalbe',
    defaultCampaign: 'demo-sic',
  },
};
type LabellerName = keyof typeof LABELLERS;

const usage = `Usage: mlip-train seed-demo [options]

Inserts completed demo calculations, labelled by a stand-in for DFT, into the 'calculations' collection,
with energy, forces and stress, in contract-v1 shape. The same --seed gives the same structures; document
ids are deterministic. Three labellers (--labeller):
  emt         ASE's EMT calculator on fcc metals: strained and rattled 2x2x2 fcc supercells (32 atoms),
              vacancies (31 atoms) and (111) surface slabs (16 atoms). Fast and easy to fit.
  kumagai-si  matscipy's Kumagai many-body potential on diverse silicon (8-64 atoms): strained and rattled
              diamond, vacancies, compressed and stretched diamond, beta-tin, simple cubic, bcc and fcc.
              Directional, many-body bonding: a realistic test of a fit. Si only.
  erhart-albe-sic  matscipy's Erhart-Albe potential on silicon-carbon across compositions (8-64 atoms):
              diamond Si (and vacancies), Si with 5-30 % C, 3C- and 2H-SiC (strained, compressed and
              stretched), SiC with C antisites, diamond C. Two elements, covalent and polar bonds.

Options:
  --labeller NAME     emt|kumagai-si|erhart-albe-sic (default: emt)
  --campaign NAME     campaign name (default: demo-cu; demo-si with kumagai-si, demo-sic with erhart-albe-sic)
  --elements E[,E2]   emt: one EMT metal, or two for a binary alloy: ${EMT_METALS.join(', ')} (default: Cu);
                      kumagai-si: Si only; erhart-albe-sic: C,Si (the defaults)
  --count N           number of calculations (default: 60)
  --seed S            random seed (default: 0)
  --start K           first index of the generated sequence (default: 0), to extend a campaign
  --generation G      active-learning generation to record (default: 0)
  --append            add to a campaign that already has documents (ids already present are skipped)
  --json              print the result as JSON

Candidates (structures to score, no labels) instead of calculations:
  --candidates        write the factory's structures, unlabelled, to the 'candidates' collection (ids
                      <campaign>/cand-<labeller>-<elements>-seed<S>-<index>); with the same --seed and
                      --count as a seeded campaign they are its training structures
  --compress-every N  compress every N-th candidate (index % N = N - 1), far outside the training data
                      (default 5; 0: none, 1: all); its id ends in -c<percent>
  --compression F     linear compression of those: cell and positions scaled by 1 - F (default 0.2)

Environment: MONGODB_URI, MLIP_DB, MLIP_PYTHON.
Exit codes: 0 seeded, 1 failed (database unreachable, campaign exists without --append), 2 usage.`;

interface SeedTarget {
  collection: string;
  /** "calculation(s)" or "candidate(s)", for the summary line. */
  noun: string;
  idOf(index: number): string;
  document(line: FactoryLine, id: string): { _id: string } & Record<string, unknown>;
}

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

/** The longest line a factory or labeller may print (one JSON document): far beyond any demo structure. */
export const DOCUMENT_LINE_MAX_CHARS = 64 * 1024 * 1024;

async function* factoryDocuments(
  python: string,
  script: string,
  args: string[],
): AsyncGenerator<FactoryLine, void, undefined> {
  const stop = new AbortController();
  const factory = runProcessLines({
    command: python,
    args: [path.join(PYTHON_HELPERS_DIR, script), ...args],
    signal: stop.signal,
    tailBytes: 4000,
    maxLineChars: DOCUMENT_LINE_MAX_CHARS,
  });
  try {
    for await (const line of factory.lines) {
      if (line.trim()) yield JSON.parse(line) as FactoryLine;
    }
    const { code, stderrTail } = await factory.result;
    if (code !== 0) throw new Error(`${script} exited with code ${code ?? 1}: ${stderrTail.trim()}`);
  } finally {
    // A reader that stopped early (a failed insert): the factory has nobody left to print for.
    stop.abort();
    await factory.result.catch(() => undefined);
  }
}

export const seedDemoCommand: CliCommand = {
  name: 'seed-demo',
  summary:
    'insert demo calculations labelled with ASE EMT or Kumagai silicon (the mocked DFT factory); --candidates: structures to score',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(args, {
      labeller: { type: 'string' },
      campaign: { type: 'string' },
      elements: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      generation: { type: 'string' },
      append: { type: 'boolean' },
      json: { type: 'boolean' },
      candidates: { type: 'boolean' },
      'compress-every': { type: 'string' },
      compression: { type: 'string' },
    });
    const labellerName = values.labeller ?? 'emt';
    if (!Object.hasOwn(LABELLERS, labellerName))
      throw new UsageError(
        `--labeller must be one of ${Object.keys(LABELLERS).join(', ')}, got '${labellerName}'`,
      );
    const labeller = LABELLERS[labellerName as LabellerName];
    const campaign = values.campaign ?? labeller.defaultCampaign;
    if (campaign.trim() === '') throw new UsageError('--campaign must not be empty');
    const elements =
      values.elements === undefined
        ? labeller.defaultElements
        : values.elements.split(',').map((e) => e.trim());
    if (labellerName === 'emt') {
      if (
        elements.length > labeller.maxElements ||
        elements.some((e) => !labeller.elements.includes(e)) ||
        new Set(elements).size !== elements.length
      )
        throw new UsageError(
          `--elements: one or two distinct EMT metals from ${EMT_METALS.join(', ')}, got '${values.elements}'`,
        );
    } else if ([...elements].sort().join(',') !== labeller.defaultElements.join(',')) {
      throw new UsageError(
        `--elements: --labeller ${labellerName} labels ${labeller.defaultElements.join(',')} only (the default), got '${values.elements}'`,
      );
    }
    const count = intFlag('count', values.count, 60, 1);
    const seed = intFlag('seed', values.seed, 0, 0);
    const start = intFlag('start', values.start, 0, 0);
    const generation = intFlag('generation', values.generation, 0, 0);
    if (!values.candidates && (values['compress-every'] !== undefined || values.compression !== undefined))
      throw new UsageError('--compress-every and --compression apply to --candidates only');
    const plan: CompressionPlan = {
      every: intFlag('compress-every', values['compress-every'], 5, 0),
      compression: numberFlag('compression', values.compression) ?? 0.2,
    };
    if (!(plan.compression > 0 && plan.compression < 1))
      throw new UsageError(`--compression must be between 0 and 1 (exclusive), got ${values.compression}`);
    const env = loadEnv(io.env);
    const baseId = (index: number, prefix = '') =>
      `${campaign}/${prefix}${labeller.idTag}-${elements.join('')}-seed${seed}-${String(index).padStart(6, '0')}`;
    const target: SeedTarget = values.candidates
      ? {
          collection: COLLECTIONS.candidates,
          noun: 'candidate(s)',
          idOf: (index) =>
            isCompressed(index, plan)
              ? baseId(index, 'cand-') + compressionTag(plan)
              : baseId(index, 'cand-'),
          document: (d) =>
            demoCandidate(
              { index: d.index, kind: d.kind, structure: d.structure as FlatStructure },
              {
                baseId: baseId(d.index, 'cand-'),
                campaign,
                generation,
                generator: labeller.name,
                seed,
                plan,
              },
            ),
        }
      : {
          collection: COLLECTIONS.calculations,
          noun: 'calculation(s)',
          idOf: (index) => baseId(index),
          document: (d, id) => ({
            _id: id,
            campaign,
            generation,
            status: 'completed',
            structure: d.structure,
            results: d.results,
            dft: { ...labeller.dft, kind: d.kind },
            completedAt: new Date(),
          }),
        };

    const database = connectDatabase(env.MONGODB_URI, env.MLIP_DB);
    try {
      const calculations = (await database.db()).collection<{ _id: string } & Record<string, unknown>>(
        target.collection,
      );
      const existing = await calculations.countDocuments({ campaign: { $eq: campaign } });
      if (existing > 0 && !values.append) {
        io.err(
          `mlip-train seed-demo: campaign '${campaign}' already has ${existing} document(s) in '${target.collection}' ` +
            `of database '${env.MLIP_DB}'; nothing was changed. Use --append to add to it, or another --campaign.`,
        );
        return ExitCode.Failed;
      }
      const idOf = target.idOf;
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
        const docs = batch
          .filter((d) => !present.has(idOf(d.index)))
          .map((d) => target.document(d, idOf(d.index)));
        if (docs.length) await calculations.insertMany(docs, { ordered: true });
        inserted += docs.length;
        alreadyPresent += present.size;
        batch = [];
      };
      const factoryArgs = [
        ...(labeller.takesElements ? ['--elements', elements.join(',')] : []),
        '--count',
        String(count),
        '--seed',
        String(seed),
        '--start',
        String(start),
      ];
      for await (const doc of factoryDocuments(env.MLIP_PYTHON, labeller.script, factoryArgs)) {
        batch.push(doc);
        if (batch.length >= INSERT_BATCH) await flush();
      }
      await flush();
      const result = {
        campaign,
        database: env.MLIP_DB,
        labeller: labellerName,
        elements,
        seed,
        collection: target.collection,
        inserted,
        alreadyPresent,
      };
      if (values.json) io.out(JSON.stringify(result));
      else
        io.out(
          `seeded ${inserted} ${labeller.name} ${target.noun} of ${elements.join('-')} into campaign '${campaign}' ` +
            `(database '${env.MLIP_DB}')${alreadyPresent ? `; ${alreadyPresent} already present, left as they were` : ''}`,
        );
      return ExitCode.Ok;
    } finally {
      await database.close();
    }
  },
};
