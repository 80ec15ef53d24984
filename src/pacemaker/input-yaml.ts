/**
 * The pure translation TrainerParams + dataset → pacemaker's input.yaml document (python-ace 0.4).
 * Every key written here is one pacemaker reads (checked against pyace/cli/pacemaker.py, generalfit.py,
 * preparedata.py, lossfuncspec.py, multispecies_basisextension.py): pacemaker ignores unknown keys silently,
 * so a misspelt key here would be a setting that quietly does nothing.
 */
import { Document, isScalar, isSeq, visit } from 'yaml';
import { parsePairKey, TrainerParamsError, type TrainerParams, type TrainerParamsIssue } from '../api';
import { pacemakerFunctionsRequest } from './species-blocks';

/** The part of the dataset summary the translation needs. */
export interface DatasetForConfig {
  /** Chemical symbols present in the data. */
  elements: string[];
  /** pacemaker's dataset (.pckl.gzip); written as given (absolute paths keep the file valid anywhere). */
  pacemakerDatasetPath: string;
  /** Structures in the dataset, when known: decides whether the test split leaves something to fit. */
  structures?: number;
  /**
   * A test set of its own (a committee member's out-of-bag structures): written as data.test_filename,
   * which pacemaker evaluates instead of splitting testSize off the training file.
   */
  testDatasetPath?: string;
}

/** Smoothing width of the outer cutoff (Å), pacemaker's documented value. */
export const BOND_DCUT = 0.01;
/** Spline resolution of the radial functions, pacemaker's documented value. */
export const DELTA_SPLINE_BINS = 0.001;

/** pacemaker's EnergyBasedWeightingPolicy with the settings its own template (`pacemaker -t`) writes. */
const ENERGY_BASED_WEIGHTING = {
  type: 'EnergyBasedWeightingPolicy',
  DElow: 1.0,
  DEup: 10.0,
  DFup: 50.0,
  DE: 1.0,
  DF: 1.0,
  wlow: 0.75,
  energy: 'convex_hull',
  reftype: 'all',
} as const;

export interface PacemakerDocument {
  seed: number;
  metadata: Record<string, string>;
  potential: {
    deltaSplineBins: number;
    elements: string[];
    embeddings: Record<string, Record<string, unknown>>;
    bonds: Record<string, Record<string, unknown>>;
    functions: Record<string, unknown>;
  };
  data: Record<string, unknown>;
  fit: Record<string, unknown>;
  backend: {
    evaluator: string;
    batch_size: number;
    display_step: number;
    batch_size_reduction?: boolean;
    gpu_config?: { gpu_ind: number; mem_limit: number };
  };
}

/**
 * How many structures pacemaker's train_test_split holds out of `structures` for `testSize`: a fraction is
 * rounded down (int(n * f)), a whole number is taken as it is.
 */
export function testStructureCount(testSize: number, structures: number): number {
  return testSize < 1 ? Math.floor(structures * testSize) : testSize;
}

/**
 * The test split pacemaker can make of this dataset: undefined when there is none to make (testSize 0,
 * or a dataset so small that the split would hold out nothing or leave nothing to fit).
 */
export function effectiveTestSize(testSize: number, structures: number | undefined): number | undefined {
  if (testSize <= 0) return undefined;
  if (structures === undefined) return testSize;
  const held = testStructureCount(testSize, structures);
  return held >= 1 && held < structures ? testSize : undefined;
}

/** The input.yaml header line saying why a requested test split was not made; undefined when it was made. */
export function unsplitNote(testSize: number, structures: number | undefined): string | undefined {
  if (testSize <= 0 || effectiveTestSize(testSize, structures) !== undefined) return undefined;
  const held = testStructureCount(testSize, structures!);
  return (
    `No test split: testSize ${testSize} of ${structures} structures holds out ` +
    `${held < 1 ? 'none' : `${held}, leaving nothing to fit`}; the whole dataset is fitted.`
  );
}

/**
 * The elements of the potential: the data's, or the given ones, which must then be exactly the data's.
 * Throws TrainerParamsError (field ace.elements) naming the elements that differ.
 */
export function resolveElements(params: TrainerParams, dataElements: string[]): string[] {
  const data = [...new Set(dataElements)].sort();
  if (!params.ace.elements) return data;
  const given = [...new Set(params.ace.elements)].sort();
  const issues: TrainerParamsIssue[] = [];
  const missing = given.filter((e) => !data.includes(e));
  const notGiven = data.filter((e) => !given.includes(e));
  if (missing.length > 0)
    issues.push({
      field: 'ace.elements',
      message: `${missing.join(', ')} not in the training data (it has ${data.join(', ')})`,
    });
  if (notGiven.length > 0)
    issues.push({
      field: 'ace.elements',
      message: `the training data also has ${notGiven.join(', ')}: add them, or leave ace.elements out to use the data's`,
    });
  if (issues.length > 0) throw new TrainerParamsError(issues);
  return given;
}

/** pacemaker bond key for an element pair: the two symbols sorted and concatenated ("CuNi"). */
export function bondKey(a: string, b: string): string {
  return [a, b].sort().join('');
}

/** TrainerParams + dataset → pacemaker's input.yaml document. Pure; throws TrainerParamsError. */
export function buildPacemakerDocument(params: TrainerParams, dataset: DatasetForConfig): PacemakerDocument {
  const elements = resolveElements(params, dataset.elements);
  const bonds = bondsSection(params.ace, elements);
  const data = dataSection(params, dataset, referenceEnergyEntry(params, elements));
  return {
    seed: params.seed,
    metadata: { origin: 'mlip-autopipe-trainer generatePacemakerConfig' },
    potential: potentialSection(params.ace, elements, bonds),
    data,
    fit: fitSection(params, data),
    backend: backendSection(params.backend),
  };
}

type AceParams = TrainerParams['ace'];

/** potential.bonds: the shared radial basis (ALL) and a cutoff of its own for each pair that has one. */
function bondsSection(ace: AceParams, elements: string[]): Record<string, Record<string, unknown>> {
  const bondAll: Record<string, unknown> = {
    radbase: ace.radialBasis,
    radparameters: ace.radialParameters,
    rcut: ace.cutoff,
    dcut: BOND_DCUT,
  };
  if (typeof ace.repulsion === 'object') {
    bondAll.r_in = ace.repulsion.innerCutoff;
    bondAll.delta_in = ace.repulsion.delta;
    bondAll['core-repulsion'] = [ace.repulsion.prefactor, ace.repulsion.lambda];
  }
  const issues: TrainerParamsIssue[] = [];
  const bonds: Record<string, Record<string, unknown>> = { ALL: bondAll };
  for (const [key, rcut] of Object.entries(ace.elementDependentCutoffs)) {
    const pair = parsePairKey(key);
    if (!pair) continue; // refused by the schema
    const unknown = pair.filter((e) => !elements.includes(e));
    if (unknown.length > 0) {
      issues.push({
        field: `ace.elementDependentCutoffs.${key}`,
        message: `${[...new Set(unknown)].join(', ')} not among the potential's elements (${elements.join(', ')})`,
      });
      continue;
    }
    bonds[bondKey(pair[0], pair[1])] = { rcut };
  }
  if (issues.length > 0) throw new TrainerParamsError(issues);
  return bonds;
}

/** data.reference_energy: as given, or per element exactly the potential's elements. */
function referenceEnergyEntry(params: TrainerParams, elements: string[]): unknown {
  if (typeof params.referenceEnergy !== 'object') return params.referenceEnergy;
  const perElement = params.referenceEnergy;
  const given = Object.keys(perElement);
  const missing = elements.filter((e) => !given.includes(e));
  const extra = given.filter((e) => !elements.includes(e));
  const issues: TrainerParamsIssue[] = [];
  // pacemaker would take 0 for a missing element, silently.
  if (missing.length > 0)
    issues.push({ field: 'referenceEnergy', message: `no value for ${missing.join(', ')}` });
  if (extra.length > 0)
    issues.push({
      field: 'referenceEnergy',
      message: `${extra.join(', ')} not among the potential's elements (${elements.join(', ')})`,
    });
  if (issues.length > 0) throw new TrainerParamsError(issues);
  return Object.fromEntries(elements.map((e) => [e, perElement[e]]));
}

/** data: the dataset, its reference energies, and its test set (a file of its own, or a split). */
function dataSection(params: TrainerParams, dataset: DatasetForConfig, referenceEnergy: unknown) {
  const data: Record<string, unknown> = {
    filename: dataset.pacemakerDatasetPath,
    reference_energy: referenceEnergy,
  };
  if (dataset.testDatasetPath !== undefined) {
    data.test_filename = dataset.testDatasetPath;
  } else {
    const testSize = effectiveTestSize(params.testSize, dataset.structures);
    if (testSize !== undefined) data.test_size = testSize;
  }
  return data;
}

/** fit: the loss, the optimizer and its stopping rules, the weighting, the repulsion. */
function fitSection(params: TrainerParams, data: Record<string, unknown>): Record<string, unknown> {
  const loss = {
    kappa: params.kappa,
    L1_coeffs: params.regularization.l1,
    L2_coeffs: params.regularization.l2,
    w0_rad: params.regularization.radialSmoothness.w0,
    w1_rad: params.regularization.radialSmoothness.w1,
    w2_rad: params.regularization.radialSmoothness.w2,
  };
  const fit: Record<string, unknown> = {
    loss,
    optimizer: params.optimizer.algorithm,
    maxiter: params.optimizer.maxIterations,
    fit_cycles: params.optimizer.fitCycles,
  };
  // pacemaker measures the test loss only where there is a test set; without one the rule could never fire.
  const { minImprovementPerIteration, patience } = params.optimizer.earlyStopping;
  if (minImprovementPerIteration > 0 && (data.test_size !== undefined || data.test_filename !== undefined)) {
    fit.min_relative_test_loss_per_iter = minImprovementPerIteration;
    fit.early_stopping_patience = patience;
  }
  if (params.weighting === 'energy') fit.weighting = { ...ENERGY_BASED_WEIGHTING, seed: params.seed };
  if (params.ace.repulsion === 'auto') fit.repulsion = 'auto';
  return fit;
}

function potentialSection(
  ace: AceParams,
  elements: string[],
  bonds: PacemakerDocument['potential']['bonds'],
): PacemakerDocument['potential'] {
  return {
    deltaSplineBins: DELTA_SPLINE_BINS,
    elements,
    embeddings: {
      ALL: {
        npot: ace.embedding.npot,
        fs_parameters: ace.embedding.fsParameters,
        ndensity: ace.embedding.ndensity,
      },
    },
    bonds,
    functions: {
      // The request that builds functionsPerElement for each element (species-blocks.ts); where none does,
      // as asked, for the truncation check to name what pacemaker built.
      number_of_functions_per_element:
        pacemakerFunctionsRequest(ace.functionsPerElement, elements.length, ace.correlationOrder) ??
        ace.functionsPerElement,
      ALL: { nradmax_by_orders: ace.nradmaxByOrder, lmax_by_orders: ace.lmaxByOrder },
    },
  };
}

function backendSection(backend: TrainerParams['backend']): PacemakerDocument['backend'] {
  return {
    evaluator: backend.evaluator,
    batch_size: backend.batchSize,
    display_step: backend.displayStep,
    // tensorpot only: halve the batch and go on when TensorFlow runs out of memory, instead of failing
    // hours into a fit; and the GPU placement (pyace ignores both).
    ...(backend.evaluator === 'tensorpot'
      ? {
          batch_size_reduction: true,
          gpu_config: { gpu_ind: backend.gpu.index, mem_limit: backend.gpu.memoryLimitMb },
        }
      : {}),
  };
}

/** input.yaml text: a header saying where it came from and the κ it uses, then the document. */
export function renderPacemakerYaml(
  doc: Omit<PacemakerDocument, 'potential'> & { potential: unknown },
  note?: string,
): string {
  const kappa = doc.fit.loss as { kappa: number | 'auto' };
  const header = [
    '# pacemaker input.yaml generated by mlip-autopipe-trainer (generatePacemakerConfig) from TrainerParams.',
    '# Edit the TrainerParams, not this file: a new training regenerates it.',
    `# Energy-force balance: fit.loss.kappa = ${kappa.kappa} (loss = (1-kappa)*energy + kappa*forces; no stress term).`,
    ...(note ? note.split('\n').map((l) => `# ${l}`) : []),
  ];
  const yamlDoc = new Document(doc);
  // Lists of numbers and symbols read best on one line: [1, 1, 1, 0.5].
  visit(yamlDoc, {
    Seq(_key, node) {
      if (isSeq(node) && node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return `${header.join('\n')}\n${yamlDoc.toString({ lineWidth: 0 })}`;
}
