/**
 * `mlip-train seed-demo`: the mocked DFT factory (src/demo seeds; this file reads the flags). Inserts
 * completed calculations into `calculations`, in contract-v1 shape, for demos, tests and benches, labelled
 * by a stand-in for DFT (--labeller), a factory of python/mlip_autopipe/demo/: ASE's EMT calculator on fcc
 * metals (emt_factory.py, the default), matscipy's Kumagai many-body potential on diverse silicon
 * (silicon_factory.py) or its Erhart-Albe potential on silicon-carbon (sic_factory.py), hard enough to tell a
 * good fit from a poor one. A campaign that already has documents is refused unless --append is given.
 */
import { loadEnv } from '../../config';
import {
  EMT_METALS,
  isLabellerName,
  LABELLERS,
  seedDemo,
  type CompressionPlan,
  type LabellerName,
  type SeedDemoOptions,
} from '../../demo';
import { parseCommandArgs, numberFlag } from '../args';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';

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
  --elements E[,E2]   emt: one EMT metal, or two to five for an alloy (three and more: equiatomic, one
                      element dominant, or random compositions): ${EMT_METALS.join(', ')} (default: Cu);
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

function intFlag(name: string, value: string | undefined, fallback: number, min: number): number {
  const n = numberFlag(name, value) ?? fallback;
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got ${value}`);
  return n;
}

/** The labeller --labeller names (default emt). */
function labellerFlag(value: string | undefined): LabellerName {
  const labellerName = value ?? 'emt';
  if (!isLabellerName(labellerName))
    throw new UsageError(
      `--labeller must be one of ${Object.keys(LABELLERS).join(', ')}, got '${labellerName}'`,
    );
  return labellerName;
}

/** The elements --elements names, those the labeller can label (default: the labeller's). */
function elementsFlag(labellerName: LabellerName, value: string | undefined): string[] {
  const labeller = LABELLERS[labellerName];
  const elements = value === undefined ? labeller.defaultElements : value.split(',').map((e) => e.trim());
  if (labellerName === 'emt') {
    if (
      elements.length > labeller.maxElements ||
      elements.some((e) => !labeller.elements.includes(e)) ||
      new Set(elements).size !== elements.length
    )
      throw new UsageError(
        `--elements: one to ${labeller.maxElements} distinct EMT metals from ${EMT_METALS.join(', ')}, got '${value}'`,
      );
  } else if ([...elements].sort().join(',') !== labeller.defaultElements.join(',')) {
    throw new UsageError(
      `--elements: --labeller ${labellerName} labels ${labeller.defaultElements.join(',')} only (the default), got '${value}'`,
    );
  }
  return elements;
}

/** --compress-every and --compression, which only --candidates takes. */
function compressionFlags(values: {
  candidates?: boolean;
  'compress-every'?: string;
  compression?: string;
}): CompressionPlan {
  if (!values.candidates && (values['compress-every'] !== undefined || values.compression !== undefined))
    throw new UsageError('--compress-every and --compression apply to --candidates only');
  const plan: CompressionPlan = {
    every: intFlag('compress-every', values['compress-every'], 5, 0),
    compression: numberFlag('compression', values.compression) ?? 0.2,
  };
  if (!(plan.compression > 0 && plan.compression < 1))
    throw new UsageError(`--compression must be between 0 and 1 (exclusive), got ${values.compression}`);
  return plan;
}

/** The seeding the flags ask for, and whether to answer in JSON. */
function seedFlags(args: string[]): { options: SeedDemoOptions; json: boolean } {
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
  const labeller = labellerFlag(values.labeller);
  const campaign = values.campaign ?? LABELLERS[labeller].defaultCampaign;
  if (campaign.trim() === '') throw new UsageError('--campaign must not be empty');
  const elements = elementsFlag(labeller, values.elements);
  const count = intFlag('count', values.count, 60, 1);
  const seed = intFlag('seed', values.seed, 0, 0);
  const start = intFlag('start', values.start, 0, 0);
  const generation = intFlag('generation', values.generation, 0, 0);
  const plan = compressionFlags(values);
  return {
    options: {
      labeller,
      campaign,
      elements,
      count,
      seed,
      start,
      generation,
      append: values.append ?? false,
      ...(values.candidates ? { candidates: plan } : {}),
    },
    json: values.json ?? false,
  };
}

export const seedDemoCommand: CliCommand = {
  name: 'seed-demo',
  summary:
    'insert demo calculations labelled with ASE EMT or Kumagai silicon (the mocked DFT factory); --candidates: structures to score',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { options, json } = seedFlags(args);
    const { campaign, elements, seed } = options;
    const env = loadEnv(io.env);
    const seeded = await seedDemo(options, env);
    if (seeded.refused) {
      io.err(
        `mlip-train seed-demo: campaign '${campaign}' already has ${seeded.existing} document(s) in '${seeded.collection}' ` +
          `of database '${env.MLIP_DB}'; nothing was changed. Use --append to add to it, or another --campaign.`,
      );
      return ExitCode.Failed;
    }
    const { inserted, alreadyPresent } = seeded;
    const noun = options.candidates ? 'candidate(s)' : 'calculation(s)';
    if (json)
      io.out(
        JSON.stringify({
          campaign,
          database: env.MLIP_DB,
          labeller: options.labeller,
          elements,
          seed,
          collection: seeded.collection,
          inserted,
          alreadyPresent,
        }),
      );
    else
      io.out(
        `seeded ${inserted} ${LABELLERS[options.labeller].name} ${noun} of ${elements.join('-')} into campaign '${campaign}' ` +
          `(database '${env.MLIP_DB}')${alreadyPresent ? `; ${alreadyPresent} already present, left as they were` : ''}`,
      );
    return ExitCode.Ok;
  },
};
