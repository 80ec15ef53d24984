/**
 * TrainerParams: how the user describes the potential and its fit, in this package's terms. The JSON field
 * names are a public contract (users write them in files and in `temporal workflow start --input`); the
 * descriptions are user documentation (`mlip-train config --explain` prints them, docs/trainer-params.md mirrors them).
 *
 * pacemaker silently ignores keys it does not know, so this schema refuses unknown fields at every depth
 * (z.strictObject) and refuses settings pacemaker cannot honour (a non-zero stress weight) instead of
 * dropping them. The translation to pacemaker's input.yaml is src/pacemaker/input-yaml.ts.
 */
import { z } from 'zod';
import { FailureType, nonRetryable } from './failures';
import { isChemicalSymbol } from './elements';

const elementSymbol = z
  .string()
  .refine(isChemicalSymbol, { message: 'not a chemical element symbol (e.g. "Cu", "Ni")' });

/** "Cu-Ni": two element symbols joined by "-". */
const PAIR_PATTERN = /^([A-Z][a-z]?)-([A-Z][a-z]?)$/;

export function parsePairKey(key: string): [string, string] | undefined {
  const m = PAIR_PATTERN.exec(key);
  return m ? [m[1]!, m[2]!] : undefined;
}

/**
 * Per-order radial and angular sizes (nradmax_by_orders, lmax_by_orders) used when ace.nradmaxByOrder /
 * ace.lmaxByOrder are not given: pacemaker's own template for a single element (`pacemaker -t`, UNARY).
 * They hold thousands of functions; functionsPerElement then keeps the first N in pacemaker's order (low
 * orders, small n and l first), so the shapes never cut a request silently short.
 */
export const DEFAULT_NRADMAX_BY_ORDER = [15, 6, 4, 3, 2, 2];
export const DEFAULT_LMAX_BY_ORDER = [0, 3, 3, 2, 2, 1];
/** Default body order - 1: four-body ... five-body functions cover covalent and metallic bonding. */
export const DEFAULT_CORRELATION_ORDER = 4;
/** Default basis size: a first production fit in pacemaker's docs runs hundreds of functions per element. */
export const DEFAULT_FUNCTIONS_PER_ELEMENT = 300;
export const MAX_CORRELATION_ORDER = DEFAULT_NRADMAX_BY_ORDER.length;

/**
 * Default BFGS iterations: with the default basis, tensorpot on 2 CPU cores takes ~3 s per iteration for
 * 500 structures of 8-64 atoms, so the default fit of such a dataset ends within about half an hour.
 */
export const DEFAULT_MAX_ITERATIONS = 500;
/**
 * Early stopping: a fit stops once its test loss improved by less than 0.1 % per iteration at every test
 * evaluation over 100 iterations. On Kumagai silicon (docs/benchmarks.md#fidelity) the held-out force
 * error fell 12 % from iteration 200 to 300 (about 0.25 % of loss per iteration) and 3 % from 300 to 400
 * (under 0.1 %), so the rule stops there, where more iterations buy almost nothing.
 */
export const DEFAULT_MIN_TEST_IMPROVEMENT_PER_ITERATION = 1e-3;
export const DEFAULT_EARLY_STOPPING_PATIENCE = 100;
/** Share of the structures held out for testing by default. */
export const DEFAULT_TEST_SIZE = 0.1;

/** The κ that pacemaker uses when neither `kappa` nor `lossWeights.energy/forces` is given. */
export const DEFAULT_KAPPA = 0.3;
/** The seed's weights, used for whichever of lossWeights.energy / lossWeights.forces is missing. */
export const SEED_ENERGY_WEIGHT = 1;
export const SEED_FORCES_WEIGHT = 100;

const nonNegative = z.number().min(0);

export const LossWeightsSchema = z
  .strictObject({
    energy: nonNegative
      .optional()
      .describe(
        `relative weight of the energy term. Unset by default: the balance then comes from kappa. When energy or ` +
          `forces is given, kappa = forces / (energy + forces) and the missing one takes the seed's value ` +
          `(energy ${SEED_ENERGY_WEIGHT}, forces ${SEED_FORCES_WEIGHT}). Cannot be combined with kappa`,
      ),
    forces: nonNegative
      .optional()
      .describe('relative weight of the force term; see lossWeights.energy for how it becomes kappa'),
    stress: nonNegative
      .refine((v) => v === 0, {
        message:
          'pacemaker cannot fit stress: its loss has only an energy and a force term, so a stress weight would be silently ignored; set it to 0 or leave it out',
      })
      .default(0)
      .describe('weight of the stress term. Must be 0: pacemaker has no stress term in its loss'),
  })
  .prefault({})
  .describe("loss weights in the seed spec's terms; pacemaker has one energy-force balance, kappa");

export const KappaSchema = z
  .union([
    z.number().min(0, 'must be a number in [0, 1] or "auto"').max(1, 'must be a number in [0, 1] or "auto"'),
    z.literal('auto'),
  ])
  .describe(
    `pacemaker's energy-force balance: loss = (1-kappa)·energy term + kappa·force term (per-atom energies and ` +
      `per-atom forces, weights normalised). A number in [0, 1], or "auto" (pacemaker picks it from the ` +
      `variance of energies and forces). Default ${DEFAULT_KAPPA} when lossWeights.energy/forces are not given ` +
      `either; giving both kappa and lossWeights.energy/forces is an error`,
  );

const RepulsionSchema = z
  .union([
    z.enum(['auto', 'none']),
    z.strictObject({
      innerCutoff: z.number().positive().describe('r_in in Å: below it only core repulsion acts'),
      delta: z.number().positive().default(0.5).describe('delta_in in Å: width of the transition to ACE'),
      prefactor: z
        .number()
        .positive()
        .default(100)
        .describe('core-repulsion prefactor in prefactor·exp(-λr²)/r'),
      lambda: z.number().positive().default(5).describe('core-repulsion λ in prefactor·exp(-λr²)/r'),
    }),
  ])
  .default('auto')
  .describe(
    'inner cutoff and core repulsion: "auto" (pacemaker\'s fit.repulsion: auto, ZBL core repulsion below the ' +
      'shortest distance of each element pair in the data; after the fit the switch to it is moved to start at ' +
      "0.95 of that distance and spread over 0.35 of it instead of pacemaker's 0.1 Å, so that forces stay " +
      'bounded and repulsive just inside the data; predictions inside the data are unchanged), "none", or ' +
      '{innerCutoff, delta, prefactor, lambda} set on every bond',
  );

export const AceParamsSchema = z
  .strictObject({
    elements: z
      .array(elementSymbol)
      .min(1)
      .optional()
      .describe(
        'chemical elements of the potential. Default: those in the training data; if given, they must be exactly those',
      ),
    radialBasis: z
      .enum(['SBessel', 'ChebExpCos', 'ChebPow'])
      .default('SBessel')
      .describe('radial basis functions (pacemaker radbase)'),
    radialParameters: z
      .array(z.number())
      .min(1)
      .default([5.25])
      .describe('parameters of the radial basis (pacemaker radparameters), e.g. the λ of ChebExpCos'),
    cutoff: z
      .number()
      .positive()
      .max(20)
      .default(5)
      .describe('outer cutoff in Å for every element pair (pacemaker bonds rcut)'),
    elementDependentCutoffs: z
      .record(
        z.string().regex(PAIR_PATTERN, 'must be two element symbols joined by "-", e.g. "Cu-Ni"'),
        z.number().positive().max(20),
      )
      .default({})
      .describe(
        'outer cutoffs in Å for particular element pairs, e.g. {"Cu-Ni": 5.5}; other pairs use cutoff',
      ),
    correlationOrder: z
      .number()
      .int()
      .min(1)
      .max(MAX_CORRELATION_ORDER)
      .default(DEFAULT_CORRELATION_ORDER)
      .describe('highest correlation order (rank) of the ACE functions; body order = correlationOrder + 1'),
    nradmaxByOrder: z
      .array(z.number().int().positive())
      .min(1)
      .max(MAX_CORRELATION_ORDER)
      .optional()
      .describe(
        `radial size for each order, one entry per order (pacemaker nradmax_by_orders). Default: the first ` +
          `correlationOrder entries of [${DEFAULT_NRADMAX_BY_ORDER.join(', ')}]`,
      ),
    lmaxByOrder: z
      .array(z.number().int().min(0))
      .min(1)
      .max(MAX_CORRELATION_ORDER)
      .optional()
      .describe(
        `angular size (lmax) for each order, one entry per order (pacemaker lmax_by_orders). Default: the ` +
          `first correlationOrder entries of [${DEFAULT_LMAX_BY_ORDER.join(', ')}]`,
      ),
    functionsPerElement: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_FUNCTIONS_PER_ELEMENT)
      .describe(
        'number of ACE basis functions per element (pacemaker number_of_functions_per_element). pacemaker ' +
          'takes the first N that nradmaxByOrder/lmaxByOrder allow; a request for more than the shapes hold ' +
          'is refused (with the maximum) instead of being cut short. With several elements it must be a multiple ' +
          'of the species blocks each element has (2 for two elements, 4 for three, 8 for four, 16 for five): ' +
          'the default becomes the largest multiple not above it. Hundreds suit the tensorpot evaluator; ' +
          'pyace (finite-difference gradients) is practical up to a few dozen',
      ),
    embedding: z
      .strictObject({
        npot: z
          .enum(['FinnisSinclairShiftedScaled', 'FinnisSinclair'])
          .default('FinnisSinclairShiftedScaled')
          .describe('embedding function (pacemaker npot)'),
        fsParameters: z
          .array(z.number())
          .min(2)
          .default([1, 1, 1, 0.5])
          .describe(
            '(coefficient, exponent) pairs of the embedding, one pair per density (pacemaker fs_parameters)',
          ),
        ndensity: z.number().int().positive().default(2).describe('number of densities (pacemaker ndensity)'),
      })
      .prefault({})
      .describe('embedding of the atomic densities, the same for every element'),
    repulsion: RepulsionSchema,
  })
  .prefault({})
  .describe("the ACE potential's architecture");

export const TrainerParamsSchema = z
  .strictObject({
    lossWeights: LossWeightsSchema,
    kappa: KappaSchema.optional(),
    ace: AceParamsSchema,
    optimizer: z
      .strictObject({
        algorithm: z
          .enum(['BFGS', 'L-BFGS-B'])
          .default('BFGS')
          .describe('scipy minimiser (pacemaker fit.optimizer)'),
        maxIterations: z
          .number()
          .int()
          .positive()
          .default(DEFAULT_MAX_ITERATIONS)
          .describe('maximum iterations of each fit cycle (pacemaker fit.maxiter)'),
        fitCycles: z
          .number()
          .int()
          .positive()
          .default(1)
          .describe('consecutive fits, the best is kept (pacemaker fit.fit_cycles)'),
        earlyStopping: z
          .strictObject({
            minImprovementPerIteration: nonNegative
              .max(1)
              .default(DEFAULT_MIN_TEST_IMPROVEMENT_PER_ITERATION)
              .describe(
                'stop the fit when, at every test evaluation (each backend.displayStep iterations) over the last ' +
                  '`patience` iterations, the test loss fell by less than this share per iteration ' +
                  '(pacemaker fit.min_relative_test_loss_per_iter); 0 = never stop early. Needs a test set: ' +
                  'a fit without one runs its maxIterations',
              ),
            patience: z
              .number()
              .int()
              .positive()
              .default(DEFAULT_EARLY_STOPPING_PATIENCE)
              .describe(
                'iterations over which the test loss must have stopped improving (pacemaker fit.early_stopping_patience)',
              ),
          })
          .prefault({})
          .describe(
            'stopping a fit whose held-out error has stopped improving, so that time buys accuracy: on Kumagai ' +
              'silicon the default fit met its targets by iteration ~150 of 500 and gained 3 % force error in its ' +
              'last 100 iterations',
          ),
      })
      .prefault({})
      .describe('the optimiser'),
    regularization: z
      .strictObject({
        l1: nonNegative.default(1e-8).describe('L1 regularisation of the coefficients (pacemaker L1_coeffs)'),
        l2: nonNegative.default(1e-8).describe('L2 regularisation of the coefficients (pacemaker L2_coeffs)'),
        radialSmoothness: z
          .strictObject({
            w0: nonNegative.default(0).describe('pacemaker w0_rad'),
            w1: nonNegative.default(0).describe('pacemaker w1_rad'),
            w2: nonNegative.default(0).describe('pacemaker w2_rad'),
          })
          .prefault({})
          .describe('radial smoothness regularisation weights'),
      })
      .prefault({})
      .describe('regularisation terms of the loss (pacemaker fit.loss)'),
    weighting: z
      .enum(['uniform', 'energy'])
      .default('uniform')
      .describe(
        'weights of structures: "uniform", or "energy" (pacemaker EnergyBasedWeightingPolicy with its documented ' +
          'settings: structures near the convex hull weigh more; structures more than 10 eV/atom above it are left out)',
      ),
    testSize: z
      .number()
      .min(0)
      .default(DEFAULT_TEST_SIZE)
      .refine((v) => v < 1 || Number.isInteger(v), {
        message: 'must be a fraction below 1 or a whole number of structures',
      })
      .describe(
        'held-out test set: a fraction (< 1) or a number of structures; 0 = no test set (pacemaker data.test_size). ' +
          'The default holds out 10 %, so every training reports its error on structures it was not fitted to; ' +
          'a dataset too small to leave anything to fit after the split is fitted whole. Not used by committee ' +
          'members: each is tested on the structures its bootstrap resample left out',
      ),
    referenceEnergy: z
      .union([z.literal('auto'), z.number(), z.record(elementSymbol, z.number())])
      .default('auto')
      .describe(
        'single-atom reference energies in eV subtracted from the total energies: "auto" (least squares over the ' +
          'data), one number for every element, or one number per element, e.g. {"Cu": -0.1} (pacemaker data.reference_energy)',
      ),
    backend: z
      .strictObject({
        evaluator: z
          .enum(['tensorpot', 'pyace'])
          .default('tensorpot')
          .describe(
            '"tensorpot" (TensorFlow: exact gradients from automatic differentiation, CPU or GPU; the choice for ' +
              'production bases) or "pyace" (C++ on CPU; its fit differentiates by finite differences, one pass ' +
              'over the data per coefficient per iteration, so only tiny bases of a few dozen functions are practical)',
          ),
        batchSize: z
          .number()
          .int()
          .positive()
          .default(100)
          .describe(
            'structures per batch (pacemaker batch_size). tensorpot holds one batch at a time in memory (GPU or ' +
              'RAM): larger batches are faster until memory runs out, and then pacemaker halves the batch and ' +
              'goes on (batch_size_reduction)',
          ),
        displayStep: z
          .number()
          .int()
          .positive()
          .default(20)
          .describe('iterations between detailed metric reports in the log (pacemaker display_step)'),
        gpu: z
          .strictObject({
            index: z
              .number()
              .int()
              .min(-1)
              .default(0)
              .describe(
                'which GPU tensorpot fits on, counted from 0 (pacemaker gpu_config.gpu_ind); -1 = none, fit on ' +
                  'the CPU even where a GPU exists. Ignored on hosts without a GPU and by pyace',
              ),
            memoryLimitMb: z
              .number()
              .int()
              .min(0)
              .default(0)
              .describe(
                'most GPU memory TensorFlow may take, in MiB (pacemaker gpu_config.mem_limit); 0 = no limit. Set ' +
                  'it when several fits share one GPU',
              ),
          })
          .prefault({})
          .describe(
            'GPU placement of the tensorpot evaluator. Its arithmetic is float64 throughout (python-ace 0.4 / ' +
              'tensorpotential 0.6 offer no lower precision for ACE fits)',
          ),
      })
      .prefault({})
      .describe('pacemaker backend'),
    seed: z.number().int().min(0).default(42).describe('random seed (pacemaker seed)'),
  })
  .describe('TrainerParams');

/** What users write: every field optional, at every depth. */
export type TrainerParamsInput = z.input<typeof TrainerParamsSchema>;
/**
 * The schema of what users write (the `trainer` field of a request). Parsing applies the defaults; the
 * cross-field rules and derived values (kappa, per-order sizes) are resolveTrainerParams's.
 */
export const TrainerParamsInputSchema = TrainerParamsSchema;

type Parsed = z.output<typeof TrainerParamsSchema>;

/** TrainerParams with every default applied and every derived value resolved (what a training uses). */
export type TrainerParams = Omit<Parsed, 'kappa' | 'ace'> & {
  kappa: number | 'auto';
  ace: Omit<Parsed['ace'], 'nradmaxByOrder' | 'lmaxByOrder'> & {
    nradmaxByOrder: number[];
    lmaxByOrder: number[];
  };
};

/** One problem with a TrainerParams, named by its dotted path. */
export interface TrainerParamsIssue {
  field: string;
  message: string;
}

export class TrainerParamsError extends Error {
  constructor(readonly issues: TrainerParamsIssue[]) {
    super(`invalid trainer parameters:\n${issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`);
    this.name = 'TrainerParamsError';
  }
}

/** What the alternatives of each union field are, in words (zod only says "Invalid input"). */
const UNION_MESSAGES: Record<string, string> = {
  kappa: 'must be a number in [0, 1] or "auto"',
  referenceEnergy: 'must be "auto", a number (eV), or one number per element, e.g. {"Cu": -0.1}',
  'ace.repulsion': 'must be "auto", "none", or {innerCutoff, delta, prefactor, lambda} with positive numbers',
};

function issuesFromZod(error: z.ZodError): TrainerParamsIssue[] {
  const out: TrainerParamsIssue[] = [];
  for (const issue of error.issues) {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          field: at ? `${at}.${key}` : key,
          message: 'unknown field (a typo would otherwise be ignored)',
        });
      }
    } else if (issue.code === 'invalid_key') {
      out.push({ field: at, message: `invalid key: ${issue.issues.map((i) => i.message).join('; ')}` });
    } else if (issue.code === 'invalid_union' && UNION_MESSAGES[at] !== undefined) {
      out.push({ field: at, message: UNION_MESSAGES[at] });
    } else {
      out.push({ field: at || '(root)', message: issue.message });
    }
  }
  return out;
}

/** κ from the weights: pacemaker's loss is (1-κ)·E + κ·F, so wE : wF = (1-κ) : κ. */
export function kappaFromWeights(energy: number, forces: number): number {
  return forces / (energy + forces);
}

/**
 * Validates user input and resolves every default and derived value. Throws TrainerParamsError naming each
 * bad field. Elements are checked against the data in pacemaker-config.ts (the data is not known here).
 */
export function resolveTrainerParams(input: unknown): TrainerParams {
  const parsed = TrainerParamsSchema.safeParse(input ?? {});
  if (!parsed.success) throw new TrainerParamsError(issuesFromZod(parsed.error));
  const p = parsed.data;
  const issues: TrainerParamsIssue[] = [];
  const kappa = resolveKappa(p, issues);
  const { ace } = p;
  const { nradmax, lmax } = basisShapes(ace, issues);
  const emb = ace.embedding;
  if (emb.fsParameters.length !== 2 * emb.ndensity)
    issues.push({
      field: 'ace.embedding.fsParameters',
      message: `needs 2 numbers (coefficient, exponent) per density: ${2 * emb.ndensity} for ndensity ${emb.ndensity}, got ${emb.fsParameters.length}`,
    });
  if (ace.elements && new Set(ace.elements).size !== ace.elements.length)
    issues.push({ field: 'ace.elements', message: 'lists an element twice' });
  checkPairCutoffs(ace.elementDependentCutoffs, issues);
  if (issues.length > 0) throw new TrainerParamsError(issues);
  return { ...p, kappa, ace: { ...ace, nradmaxByOrder: nradmax, lmaxByOrder: lmax } };
}

type ParsedTrainerParams = z.infer<typeof TrainerParamsSchema>;

/** κ as given, or from the loss weights (not both, unless they agree); the default without either. */
function resolveKappa(p: ParsedTrainerParams, issues: TrainerParamsIssue[]): number | 'auto' {
  const { energy, forces } = p.lossWeights;
  const weightsGiven = energy !== undefined || forces !== undefined;
  const fromWeights = (): number | undefined => {
    const wE = energy ?? SEED_ENERGY_WEIGHT;
    const wF = forces ?? SEED_FORCES_WEIGHT;
    return wE + wF === 0 ? undefined : kappaFromWeights(wE, wF);
  };
  if (p.kappa !== undefined && weightsGiven && p.kappa === fromWeights()) {
    return p.kappa; // an already resolved TrainerParams: resolving it again changes nothing
  } else if (p.kappa !== undefined && weightsGiven) {
    issues.push({
      field: 'kappa',
      message:
        'give either kappa or lossWeights.energy/lossWeights.forces, not both (they set the same energy-force balance)',
    });
  } else if (p.kappa !== undefined) {
    return p.kappa;
  } else if (weightsGiven) {
    const k = fromWeights();
    if (k !== undefined) return k;
    issues.push({ field: 'lossWeights', message: 'energy and forces weights cannot both be 0' });
  }
  return DEFAULT_KAPPA;
}

/** The basis shapes per correlation order, the defaults cut to the order; one entry per order. */
function basisShapes(
  ace: ParsedTrainerParams['ace'],
  issues: TrainerParamsIssue[],
): { nradmax: number[]; lmax: number[] } {
  const order = ace.correlationOrder;
  const nradmax = ace.nradmaxByOrder ?? DEFAULT_NRADMAX_BY_ORDER.slice(0, order);
  const lmax = ace.lmaxByOrder ?? DEFAULT_LMAX_BY_ORDER.slice(0, order);
  if (nradmax.length !== order)
    issues.push({
      field: 'ace.nradmaxByOrder',
      message: `has ${nradmax.length} entries but ace.correlationOrder is ${order}: give one per order`,
    });
  if (lmax.length !== order)
    issues.push({
      field: 'ace.lmaxByOrder',
      message: `has ${lmax.length} entries but ace.correlationOrder is ${order}: give one per order`,
    });
  if (lmax[0] !== undefined && lmax[0] !== 0)
    issues.push({ field: 'ace.lmaxByOrder', message: 'the first entry (order 1, pair functions) must be 0' });
  return { nradmax, lmax };
}

/** Each pair of chemical elements, and each pair once (Cu-Ni and Ni-Cu are the same pair). */
function checkPairCutoffs(cutoffs: Record<string, number>, issues: TrainerParamsIssue[]): void {
  const seenPairs = new Map<string, string>();
  for (const key of Object.keys(cutoffs)) {
    const pair = parsePairKey(key);
    if (!pair) continue; // the schema already refused it
    for (const el of pair)
      if (!isChemicalSymbol(el))
        issues.push({
          field: `ace.elementDependentCutoffs.${key}`,
          message: `"${el}" is not a chemical element symbol`,
        });
    const canonical = [...pair].sort().join('-');
    const other = seenPairs.get(canonical);
    if (other !== undefined)
      issues.push({ field: `ace.elementDependentCutoffs.${key}`, message: `the same pair as "${other}"` });
    seenPairs.set(canonical, key);
  }
}

/** The same, as the non-retryable activity failure (InvalidTrainerConfig) naming the fields. */
export function toInvalidTrainerConfig(err: TrainerParamsError) {
  return nonRetryable(FailureType.InvalidTrainerConfig, err.message, {
    fields: err.issues.map((i) => i.field),
  });
}
