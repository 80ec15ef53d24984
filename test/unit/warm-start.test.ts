import { parse } from 'yaml';
import { buildPacemakerDocument, renderPacemakerYaml } from '../../src/pacemaker/input-yaml';
import { resolveTrainerParams, type TrainerParamsInput } from '../../src/api/trainer-params';
import {
  parentReferenceEnergy,
  planWarmStart,
  warmStartDocument,
  WarmStartError,
  warmStartNote,
  warmStartTrainerInput,
  type ParentPotential,
} from '../../src/pacemaker/warm-start';
import { parseTrainingRequest } from '../../src/api/training-request';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML is checked field by field
type Yaml = any;

const PARENT_TRAINER: TrainerParamsInput = {
  ace: { functionsPerElement: 40, correlationOrder: 3, cutoff: 5.5, radialBasis: 'ChebExpCos' },
};
const SI: ParentPotential = {
  id: 'si@v1',
  potentialYamlPath: '/potentials/si/v1/output_potential.yaml',
  elements: ['Si'],
  referenceEnergy: { Si: -4.1 },
  ace: resolveTrainerParams(PARENT_TRAINER).ace,
};
const CUNI: ParentPotential = {
  ...SI,
  id: 'cuni@v2',
  potentialYamlPath: '/potentials/cuni/v2/output_potential.yaml',
  elements: ['Cu', 'Ni'],
  referenceEnergy: { Cu: -0.2, Ni: -0.5 },
};
const DATA = '/ws/gen1/data/training.pckl.gzip';

/** The child's input.yaml as generatePacemakerConfig builds it, parsed back. */
function warmYaml(child: TrainerParamsInput, parent: ParentPotential, dataElements: string[]) {
  const trainer = resolveTrainerParams(warmStartTrainerInput(child, parent));
  const plan = planWarmStart(trainer, parent, dataElements);
  const doc = buildPacemakerDocument(trainer, { elements: plan.elements, pacemakerDatasetPath: DATA });
  const text = renderPacemakerYaml(warmStartDocument(doc, plan, parent), warmStartNote(plan, parent));
  return { plan, trainer, text, y: parse(text) as Yaml };
}

function warmStartIssues(run: () => unknown): { field: string; message: string }[] {
  try {
    run();
  } catch (err) {
    if (err instanceof WarmStartError) return err.issues;
    throw err;
  }
  throw new Error('expected a WarmStartError');
}

describe('the parent reference energies a warm start subtracts', () => {
  test.each<[string, string | undefined, unknown, string[], Record<string, number>]>([
    [
      'pacemaker\'s "auto" metadata: the per-atom shift is folded into each element',
      '{"Si": -4.0, "shift": 0.25}',
      'auto',
      ['Si'],
      { Si: -4.25 },
    ],
    [
      'an explicit per-element dict, as pacemaker stores it',
      '{"Cu": -0.2, "Ni": -0.5}',
      { Cu: -0.2, Ni: -0.5 },
      ['Cu', 'Ni'],
      { Cu: -0.2, Ni: -0.5 },
    ],
    [
      'a constant reference energy (pacemaker stores "{}"): the parent trainer says it',
      '{}',
      -3,
      ['Cu', 'Ni'],
      { Cu: -3, Ni: -3 },
    ],
    ['no metadata, a per-element trainer setting', undefined, { Si: -4.5 }, ['Si'], { Si: -4.5 }],
  ])('%s', (_what, metadata, trainerRef, elements, expected) => {
    expect(parentReferenceEnergy('p@v1', metadata, trainerRef, elements)).toEqual(expected);
  });

  test('a parent whose energies are nowhere recorded is refused, naming initialPotential', () => {
    const issues = warmStartIssues(() => parentReferenceEnergy('p@v1', '{"Cu": 1}', 'auto', ['Cu', 'Ni']));
    expect(issues).toEqual([
      { field: 'initialPotential', message: expect.stringMatching(/no reference energy for Cu, Ni/) },
    ]);
  });
});

describe('warm start: continue the parent basis or grow it', () => {
  test("initialPotential alone continues the parent: its file is the potential, its basis and reference energies are the child's", () => {
    const { plan, trainer, y, text } = warmYaml({ optimizer: { maxIterations: 50 } }, SI, ['Si']);
    expect(plan).toEqual({ from: 'si@v1', mode: 'continue', elements: ['Si'] });
    expect(y.potential).toBe(SI.potentialYamlPath);
    expect(y.data.reference_energy).toEqual({ Si: -4.1 });
    expect(y.fit.maxiter).toBe(50);
    // The recorded TrainerParams say what was fitted: the parent's basis, not the TrainerParams defaults.
    expect(trainer.ace).toMatchObject({ functionsPerElement: 40, correlationOrder: 3, cutoff: 5.5 });
    expect(trainer.referenceEnergy).toEqual({ Si: -4.1 });
    expect(text).toMatch(/^# Warm start from si@v1: continues its basis and coefficients/m);
  });

  test('a larger functionsPerElement grows the basis from the parent (initial_potential + the larger basis)', () => {
    const { plan, y } = warmYaml({ ace: { functionsPerElement: 80 } }, SI, ['Si']);
    expect(plan.mode).toBe('grow');
    expect(y.potential.initial_potential).toBe(SI.potentialYamlPath);
    expect(y.potential.functions.number_of_functions_per_element).toBe(80);
    expect(y.potential.bonds.ALL).toMatchObject({ rcut: 5.5, radbase: 'ChebExpCos' });
    expect(y.potential.elements).toEqual(['Si']);
    expect(y.data.reference_energy).toEqual({ Si: -4.1 });
    // No ladder_step: pacemaker adds every new function in one step, so one iteration budget.
    expect(y.fit.ladder_step).toBeUndefined();
  });

  test("growing to a higher correlation order takes that order's default shapes, not the parent's", () => {
    const { plan, y } = warmYaml({ ace: { functionsPerElement: 80, correlationOrder: 4 } }, SI, ['Si']);
    expect(plan.mode).toBe('grow');
    expect(y.potential.functions.ALL.nradmax_by_orders).toHaveLength(4);
  });

  test("data with fewer elements than the parent keeps the parent's elements and energies", () => {
    const { plan, y } = warmYaml({}, CUNI, ['Cu']);
    expect(plan.elements).toEqual(['Cu', 'Ni']);
    expect(y.data.reference_energy).toEqual({ Cu: -0.2, Ni: -0.5 });
  });

  test.each<[string, TrainerParamsInput, ParentPotential, string[], string[], RegExp]>([
    [
      'an element of the data that the parent lacks',
      {},
      SI,
      ['Ge', 'Si'],
      ['initialPotential'],
      /the training data has Ge, which si@v1 does not describe \(it has Si\).*cold start/,
    ],
    [
      'a different cutoff',
      { ace: { cutoff: 6 } },
      SI,
      ['Si'],
      ['trainer.ace.cutoff'],
      /6 differs from si@v1's 5.5/,
    ],
    [
      'fewer functions than the parent',
      { ace: { functionsPerElement: 20 } },
      SI,
      ['Si'],
      ['trainer.ace.functionsPerElement'],
      /20 is fewer than si@v1's 40.*cannot shrink/,
    ],
    [
      'other shapes at the same size',
      { ace: { nradmaxByOrder: [16, 6, 4] } },
      SI,
      ['Si'],
      ['trainer.ace.functionsPerElement'],
      /shapes differ from si@v1's but the size does not/,
    ],
    [
      'a larger basis from smaller radial shapes',
      { ace: { functionsPerElement: 80, nradmaxByOrder: [10, 6, 4] } },
      SI,
      ['Si'],
      ['trainer.ace.nradmaxByOrder'],
      /\[10, 6, 4\] is smaller than si@v1's \[15, 6, 4\]/,
    ],
    [
      'a lower correlation order',
      { ace: { functionsPerElement: 80, correlationOrder: 2 } },
      SI,
      ['Si'],
      ['trainer.ace.correlationOrder'],
      /2 is below si@v1's 3/,
    ],
    [
      "ace.elements other than the parent's",
      { ace: { elements: ['Cu'] } },
      CUNI,
      ['Cu'],
      ['trainer.ace.elements'],
      /Cu differs from cuni@v2's elements \(Cu, Ni\)/,
    ],
  ])('refused: %s', (_what, child, parent, dataElements, fields, message) => {
    const issues = warmStartIssues(() =>
      planWarmStart(resolveTrainerParams(warmStartTrainerInput(child, parent)), parent, dataElements),
    );
    expect(issues.map((i) => i.field)).toEqual(fields);
    expect(issues.map((i) => i.message).join('\n')).toMatch(message);
  });

  test.each<[string, TrainerParamsInput['referenceEnergy'], boolean]>([
    ['the same per-element values', { Cu: -0.2, Ni: -0.5 }, true],
    ['other per-element values', { Cu: -0.2, Ni: -0.6 }, false],
    ['"auto" (would recompute them from this generation)', 'auto', false],
    ["one number that is not the parent's", -0.2, false],
  ])('an explicit trainer.referenceEnergy: %s', (_what, referenceEnergy, accepted) => {
    const run = () => warmStartTrainerInput({ referenceEnergy }, CUNI);
    if (accepted) expect(run().referenceEnergy).toEqual(CUNI.referenceEnergy);
    else
      expect(warmStartIssues(run)).toEqual([
        {
          field: 'trainer.referenceEnergy',
          message: expect.stringMatching(
            /differs from the parent's reference energies \(Cu -0.2 eV, Ni -0.5 eV\)/,
          ),
        },
      ]);
  });
});

describe('TrainingRequest.initialPotential', () => {
  test('takes a registry id name@vK', () => {
    const parsed = parseTrainingRequest({ campaign: 'si', initialPotential: 'si-gen0@v3' });
    expect(parsed.ok && parsed.request.initialPotential).toBe('si-gen0@v3');
  });
  test.each(['si', 'si@3', 'si@v0', '../si@v1'])('refuses %j, naming the field', (initialPotential) => {
    const parsed = parseTrainingRequest({ campaign: 'si', initialPotential });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/initialPotential: a registry id "name@vK"/);
  });
});
