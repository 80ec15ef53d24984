/**
 * Warm starts (TrainingRequest.initialPotential): a training that continues from a published potential
 * instead of from zero coefficients. Pure: the registry lookup (activities/initial-potential.ts) hands
 * these functions what they need about the parent, and they decide the pacemaker input.
 *
 * pacemaker (python-ace 0.4, pyace/generalfit.py) offers two forms, and the basis the trainer asks for
 * picks one:
 *   - continue: `potential: parent.yaml`. The target basis IS the parent's file, coefficients included;
 *     the fit goes on from them. Used when the requested basis equals the parent's.
 *   - grow: `potential: {initial_potential: parent.yaml, <the usual basis description>}`. pacemaker's
 *     ladder scheme: the parent's functions keep their coefficients, the functions the larger basis adds
 *     start at zero. Without `fit.ladder_step` pacemaker adds them all in one step (one fit), which is what
 *     "a larger basis" means here; several ladder steps would each spend a whole iteration budget. Used
 *     when ace.functionsPerElement is larger than the parent's.
 * The radial basis, cutoffs, embedding and repulsion cannot change: the parent's coefficients belong to
 * them (pacemaker would keep the parent's blocks and silently ignore the new values). Unset ace fields
 * therefore default to the parent's, not to the TrainerParams defaults, so `initialPotential` alone
 * continues the parent exactly.
 *
 * Reference energies come from the parent, so that energies stay comparable across generations:
 * pacemaker stores the ones it subtracted in the potential's metadata (`reference_energy`, JSON, with a
 * per-atom `shift` when they were computed with "auto"), and the child gets them per element as
 * `data.reference_energy: {El: value}`, never "auto".
 */
import type { PacemakerDocument } from './input-yaml';
import type { TrainerParams, TrainerParamsInput } from '../api';
import { ReferenceEnergyError, referenceEnergiesPerElement } from './reference-energy';

/** What a warm start needs to know about its parent. Small: it is passed through workflow history. */
export interface ParentPotential {
  /** Registry id, "name@vK". */
  id: string;
  /** The parent's pacemaker potential (output_potential.yaml), absolute, readable on the training host. */
  potentialYamlPath: string;
  /** Elements the parent describes (its single-species blocks), sorted. */
  elements: string[];
  /** eV per atom of each element, as pacemaker subtracted them in the parent's fit (shift folded in). */
  referenceEnergy: Record<string, number>;
  /** The parent's resolved `ace` TrainerParams (what its basis was built from). */
  ace: TrainerParams['ace'];
}

export type WarmStartMode = 'continue' | 'grow';

export interface WarmStartPlan {
  from: string;
  mode: WarmStartMode;
  /** The child potential's elements: the parent's. */
  elements: string[];
}

/** One problem with a warm start, named by the request field it comes from ("initialPotential", "trainer.…"). */
export interface WarmStartIssue {
  field: string;
  message: string;
}

export class WarmStartError extends Error {
  constructor(
    readonly from: string,
    readonly issues: WarmStartIssue[],
  ) {
    super(
      `cannot warm-start from initialPotential ${from}:\n${issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`,
    );
    this.name = 'WarmStartError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const formatEnergies = (e: Record<string, number>) =>
  Object.entries(e)
    .map(([el, v]) => `${el} ${v} eV`)
    .join(', ');

/**
 * The parent's reference energies per element (referenceEnergiesPerElement: its potential's metadata, or
 * its own TrainerParams.referenceEnergy where the metadata keeps none). Throws WarmStartError when neither
 * names every element.
 */
export function parentReferenceEnergy(
  from: string,
  metadataJson: string | undefined,
  parentTrainerReferenceEnergy: unknown,
  elements: string[],
): Record<string, number> {
  try {
    return referenceEnergiesPerElement(metadataJson, parentTrainerReferenceEnergy, elements);
  } catch (err) {
    if (!(err instanceof ReferenceEnergyError)) throw err;
    throw new WarmStartError(from, [
      {
        field: 'initialPotential',
        message:
          `the parent records no reference energy for ${elements.join(', ')} (neither in its potential's ` +
          `metadata nor in its trainer parameters), so this training could not keep its energies comparable`,
      },
    ]);
  }
}

/** Equal within what a JSON round trip of a float can change. */
const sameEnergy = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * The TrainerParams input of the child: the user's fields on top of the parent's `ace` (so that unset
 * basis fields keep the parent's basis), and the parent's reference energies. An explicit
 * `referenceEnergy` must agree with the parent's. Pure; throws WarmStartError.
 */
export function warmStartTrainerInput(
  child: TrainerParamsInput | undefined,
  parent: ParentPotential,
): TrainerParamsInput {
  const given = child ?? {};
  const issues: WarmStartIssue[] = [];
  const ref = given.referenceEnergy;
  if (ref !== undefined) {
    const agrees =
      ref !== 'auto' &&
      parent.elements.every((e) => {
        const v = typeof ref === 'number' ? ref : ref[e];
        return v !== undefined && sameEnergy(v, parent.referenceEnergy[e]!);
      });
    if (!agrees)
      issues.push({
        field: 'trainer.referenceEnergy',
        message:
          `${JSON.stringify(ref)} differs from the parent's reference energies (${formatEnergies(parent.referenceEnergy)}); ` +
          `a warm start subtracts the parent's so that energies stay comparable across generations: leave ` +
          `referenceEnergy out, or train without initialPotential`,
      });
  }
  if (issues.length > 0) throw new WarmStartError(parent.id, issues);

  const { elements: _parentElements, ...parentAce } = parent.ace;
  const childAce = given.ace ?? {};
  const ace: Record<string, unknown> = { ...parentAce, ...childAce };
  // A new correlation order without its own shapes takes the default shapes of that order, not the
  // parent's (whose length would not match).
  if (childAce.correlationOrder !== undefined && childAce.correlationOrder !== parent.ace.correlationOrder) {
    if (childAce.nradmaxByOrder === undefined) delete ace.nradmaxByOrder;
    if (childAce.lmaxByOrder === undefined) delete ace.lmaxByOrder;
  }
  return {
    ...given,
    ace: ace as TrainerParamsInput['ace'],
    referenceEnergy: Object.fromEntries(parent.elements.map((e) => [e, parent.referenceEnergy[e]!])),
  };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isRecord(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical(v[k])]),
    );
  return v;
}

/** ace fields that a warm start cannot change: the parent's coefficients belong to them. */
const FIXED_ACE_FIELDS = [
  'radialBasis',
  'radialParameters',
  'cutoff',
  'elementDependentCutoffs',
  'embedding',
  'repulsion',
] as const;

const atLeast = (child: number[], parent: number[]) => parent.every((p, i) => (child[i] ?? 0) >= p);

/**
 * Whether the child (its resolved TrainerParams, from warmStartTrainerInput) continues the parent's basis
 * or grows it, checked against the elements of the data. Pure; throws WarmStartError naming each problem.
 */
export function planWarmStart(
  trainer: TrainerParams,
  parent: ParentPotential,
  dataElements: string[],
): WarmStartPlan {
  const elements = [...parent.elements].sort();
  const child = trainer.ace;
  const prev = parent.ace;
  const sameBasis =
    child.functionsPerElement === prev.functionsPerElement &&
    child.correlationOrder === prev.correlationOrder &&
    sameJson(child.nradmaxByOrder, prev.nradmaxByOrder) &&
    sameJson(child.lmaxByOrder, prev.lmaxByOrder);
  const issues = [
    ...elementIssues(trainer, parent, elements, dataElements),
    ...fixedFieldIssues(child, parent),
    ...(sameBasis ? [] : growthIssues(child, parent)),
  ];
  if (issues.length > 0) throw new WarmStartError(parent.id, issues);
  return { from: parent.id, mode: sameBasis ? 'continue' : 'grow', elements };
}

/** A warm start describes the parent's elements (`elements`, sorted): the data may not have others. */
function elementIssues(
  trainer: TrainerParams,
  parent: ParentPotential,
  elements: string[],
  dataElements: string[],
): WarmStartIssue[] {
  const issues: WarmStartIssue[] = [];
  const lacking = [...new Set(dataElements)].filter((e) => !elements.includes(e)).sort();
  if (lacking.length > 0)
    issues.push({
      field: 'initialPotential',
      message:
        `the training data has ${lacking.join(', ')}, which ${parent.id} does not describe (it has ` +
        `${elements.join(', ')}); a warm start cannot add elements: train without initialPotential (a cold ` +
        `start) on data that includes ${lacking.join(', ')}, or narrow the data with selection.elements`,
    });
  const given = trainer.ace.elements;
  if (given !== undefined && !sameJson([...given].sort(), elements))
    issues.push({
      field: 'trainer.ace.elements',
      message: `${given.join(', ')} differs from ${parent.id}'s elements (${elements.join(', ')}); leave it out`,
    });
  return issues;
}

function fixedFieldIssues(child: TrainerParams['ace'], parent: ParentPotential): WarmStartIssue[] {
  const prev = parent.ace;
  return FIXED_ACE_FIELDS.filter((field) => !sameJson(child[field], prev[field])).map((field) => ({
    field: `trainer.ace.${field}`,
    message:
      `${JSON.stringify(child[field])} differs from ${parent.id}'s ${JSON.stringify(prev[field])}; a warm ` +
      `start keeps the parent's radial basis, cutoffs, embedding and repulsion, because its coefficients ` +
      `belong to them: leave it out, or train without initialPotential`,
  }));
}

/** A basis that differs from the parent's must grow it: pacemaker cannot shrink a basis. */
function growthIssues(child: TrainerParams['ace'], parent: ParentPotential): WarmStartIssue[] {
  const prev = parent.ace;
  const issues: WarmStartIssue[] = [];
  const keep = `a warm start keeps every function of ${parent.id} (pacemaker cannot shrink a basis)`;
  if (child.functionsPerElement <= prev.functionsPerElement)
    issues.push({
      field: 'trainer.ace.functionsPerElement',
      message:
        child.functionsPerElement < prev.functionsPerElement
          ? `${child.functionsPerElement} is fewer than ${parent.id}'s ${prev.functionsPerElement}; ${keep}: ` +
            `ask for ${prev.functionsPerElement} (continue its basis) or more (grow it)`
          : `the basis shapes differ from ${parent.id}'s but the size does not: ask for more than ` +
            `${prev.functionsPerElement} functions per element to grow the basis, or leave the shapes out to ` +
            `continue it`,
    });
  if (child.correlationOrder < prev.correlationOrder)
    issues.push({
      field: 'trainer.ace.correlationOrder',
      message: `${child.correlationOrder} is below ${parent.id}'s ${prev.correlationOrder}; ${keep}`,
    });
  // (Shapes of a lower order are short by construction: the order's message says it.)
  else if (!atLeast(child.nradmaxByOrder, prev.nradmaxByOrder))
    issues.push({
      field: 'trainer.ace.nradmaxByOrder',
      message: `[${child.nradmaxByOrder.join(', ')}] is smaller than ${parent.id}'s [${prev.nradmaxByOrder.join(', ')}] for some order; ${keep}`,
    });
  if (child.correlationOrder >= prev.correlationOrder && !atLeast(child.lmaxByOrder, prev.lmaxByOrder))
    issues.push({
      field: 'trainer.ace.lmaxByOrder',
      message: `[${child.lmaxByOrder.join(', ')}] is smaller than ${parent.id}'s [${prev.lmaxByOrder.join(', ')}] for some order; ${keep}`,
    });
  return issues;
}

/** input.yaml of a warm start: the `potential` section is the parent's file, or grows from it. */
export type WarmStartDocument = Omit<PacemakerDocument, 'potential'> & {
  potential: string | (PacemakerDocument['potential'] & { initial_potential: string });
};

/**
 * The cold document (buildPacemakerDocument of the child's TrainerParams, with the parent's elements)
 * turned into the warm start's. Everything but `potential` stays: data (with the parent's reference
 * energies), fit, backend.
 */
export function warmStartDocument(
  doc: PacemakerDocument,
  plan: WarmStartPlan,
  parent: Pick<ParentPotential, 'potentialYamlPath'>,
): WarmStartDocument {
  const metadata = { ...doc.metadata, initial_potential: plan.from, warm_start: plan.mode };
  if (plan.mode === 'continue') return { ...doc, metadata, potential: parent.potentialYamlPath };
  // initial_potential first: it is what the rest grows from.
  return { ...doc, metadata, potential: { initial_potential: parent.potentialYamlPath, ...doc.potential } };
}

/** The input.yaml header line that says where the fit starts. */
export function warmStartNote(plan: WarmStartPlan, parent: ParentPotential): string {
  const how =
    plan.mode === 'continue'
      ? `continues its basis and coefficients (potential: ${parent.potentialYamlPath})`
      : `grows its basis to ace.functionsPerElement, keeping its coefficients (potential.initial_potential)`;
  return (
    `Warm start from ${plan.from}: ${how}. Reference energies are the parent's ` +
    `(${formatEnergies(parent.referenceEnergy)}), so energies stay comparable across generations.`
  );
}
