import {
  DEFAULT_KAPPA,
  DEFAULT_MAX_ITERATIONS,
  kappaFromWeights,
  resolveTrainerParams,
  toInvalidTrainerConfig,
  TrainerParamsError,
} from '../../src/api/trainer-params';

function issuesOf(input: unknown): { field: string; message: string }[] {
  try {
    resolveTrainerParams(input);
  } catch (err) {
    if (err instanceof TrainerParamsError) return err.issues;
    throw err;
  }
  throw new Error('expected the parameters to be refused');
}

describe('TrainerParams defaults', () => {
  test('an empty object resolves to a complete, documented set of defaults', () => {
    const p = resolveTrainerParams({});
    expect(p.kappa).toBe(DEFAULT_KAPPA);
    expect(p.lossWeights).toEqual({ stress: 0 });
    expect(p.ace).toMatchObject({
      radialBasis: 'SBessel',
      cutoff: 5,
      correlationOrder: 4,
      nradmaxByOrder: [15, 6, 4, 3],
      lmaxByOrder: [0, 3, 3, 2],
      functionsPerElement: 300,
      repulsion: 'auto',
      elementDependentCutoffs: {},
      embedding: { npot: 'FinnisSinclairShiftedScaled', fsParameters: [1, 1, 1, 0.5], ndensity: 2 },
    });
    expect(p.optimizer).toEqual({
      algorithm: 'BFGS',
      maxIterations: DEFAULT_MAX_ITERATIONS,
      fitCycles: 1,
      earlyStopping: { minImprovementPerIteration: 1e-3, patience: 100 },
    });
    expect(p.backend).toEqual({
      evaluator: 'tensorpot',
      batchSize: 100,
      displayStep: 20,
      gpu: { index: 0, memoryLimitMb: 0 },
    });
    expect(p.testSize).toBe(0.1);
    expect(p.referenceEnergy).toBe('auto');
    expect(p.seed).toBe(42);
  });

  test('undefined input is the same as an empty object', () => {
    expect(resolveTrainerParams(undefined)).toEqual(resolveTrainerParams({}));
  });

  test('a higher correlation order takes per-order sizes from the default table', () => {
    const p = resolveTrainerParams({ ace: { correlationOrder: 5 } });
    expect(p.ace.nradmaxByOrder).toEqual([15, 6, 4, 3, 2]);
    expect(p.ace.lmaxByOrder).toEqual([0, 3, 3, 2, 2]);
  });
});

describe('loss weights become kappa', () => {
  test.each([
    [{ energy: 1, forces: 100 }, 100 / 101],
    [{ energy: 1, forces: 1 }, 0.5],
    [{ energy: 3, forces: 1 }, 0.25],
    [{ forces: 100 }, 100 / 101], // energy takes the seed's 1
    [{ energy: 100 }, 0.5], // forces takes the seed's 100
    [{ energy: 0, forces: 5 }, 1],
  ])('lossWeights %j give kappa %d', (lossWeights, kappa) => {
    expect(resolveTrainerParams({ lossWeights }).kappa).toBeCloseTo(kappa, 12);
  });

  test('kappa given directly is used as is, number or "auto"', () => {
    expect(resolveTrainerParams({ kappa: 0.08 }).kappa).toBe(0.08);
    expect(resolveTrainerParams({ kappa: 'auto' }).kappa).toBe('auto');
  });

  test('resolving resolved TrainerParams again changes nothing (they can be passed on as they are)', () => {
    for (const input of [{}, { lossWeights: { energy: 1, forces: 100 } }, { kappa: 'auto' as const }]) {
      const once = resolveTrainerParams(input);
      expect(resolveTrainerParams(once)).toEqual(once);
    }
  });

  test('the mapping is forces / (energy + forces)', () => {
    expect(kappaFromWeights(1, 3)).toBe(0.75);
  });
});

describe('invalid TrainerParams are refused with an error naming the field', () => {
  test.each<[string, unknown, string, RegExp]>([
    ['negative energy weight', { lossWeights: { energy: -1 } }, 'lossWeights.energy', />=0/],
    ['negative forces weight', { lossWeights: { forces: -2 } }, 'lossWeights.forces', />=0/],
    [
      'non-zero stress weight',
      { lossWeights: { stress: 10 } },
      'lossWeights.stress',
      /pacemaker cannot fit stress/,
    ],
    ['kappa above 1', { kappa: 1.5 }, 'kappa', /\[0, 1\] or "auto"/],
    ['kappa below 0', { kappa: -0.1 }, 'kappa', /\[0, 1\] or "auto"/],
    ['kappa as another word', { kappa: 'high' }, 'kappa', /\[0, 1\] or "auto"/],
    ['kappa together with weights', { kappa: 0.3, lossWeights: { forces: 10 } }, 'kappa', /not both/],
    ['both weights zero', { lossWeights: { energy: 0, forces: 0 } }, 'lossWeights', /both be 0/],
    ['unknown radial basis', { ace: { radialBasis: 'Gaussian' } }, 'ace.radialBasis', /SBessel/],
    ['unknown field at the top', { kapa: 0.3 }, 'kapa', /unknown field/],
    [
      'unknown field deep inside',
      { ace: { embedding: { nDensity: 2 } } },
      'ace.embedding.nDensity',
      /unknown field/,
    ],
    ['unknown optimiser', { optimizer: { algorithm: 'Adam' } }, 'optimizer.algorithm', /BFGS/],
    ['non-positive cutoff', { ace: { cutoff: 0 } }, 'ace.cutoff', />0/],
    [
      'malformed pair key',
      { ace: { elementDependentCutoffs: { CuNi: 5 } } },
      'ace.elementDependentCutoffs.CuNi',
      /Cu-Ni/,
    ],
    [
      'pair with a non-element',
      { ace: { elementDependentCutoffs: { 'Cu-Xx': 5 } } },
      'ace.elementDependentCutoffs.Cu-Xx',
      /Xx/,
    ],
    [
      'the same pair twice',
      { ace: { elementDependentCutoffs: { 'Cu-Ni': 5, 'Ni-Cu': 5.5 } } },
      'ace.elementDependentCutoffs.Ni-Cu',
      /same pair/,
    ],
    ['not an element', { ace: { elements: ['Cu', 'Cuu'] } }, 'ace.elements.1', /chemical element/],
    [
      'too many radial sizes',
      { ace: { correlationOrder: 2, nradmaxByOrder: [6, 2, 2] } },
      'ace.nradmaxByOrder',
      /one per order/,
    ],
    [
      'pair functions with l > 0',
      { ace: { correlationOrder: 3, lmaxByOrder: [1, 2, 1] } },
      'ace.lmaxByOrder',
      /must be 0/,
    ],
    [
      'fs parameters not matching ndensity',
      { ace: { embedding: { ndensity: 1 } } },
      'ace.embedding.fsParameters',
      /ndensity 1/,
    ],
    ['fractional test size above 1', { testSize: 1.5 }, 'testSize', /fraction below 1/],
    ['unknown evaluator', { backend: { evaluator: 'torch' } }, 'backend.evaluator', /pyace/],
    ['referenceEnergy as another word', { referenceEnergy: 'VASP' }, 'referenceEnergy', /"auto"/],
  ])('%s', (_label, input, field, message) => {
    const issues = issuesOf(input);
    const issue = issues.find((i) => i.field === field);
    expect(issue).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  test('the activity failure is non-retryable InvalidTrainerConfig and lists the fields', () => {
    let failure;
    try {
      resolveTrainerParams({ lossWeights: { stress: 1 }, ace: { radialBasis: 'X' } });
    } catch (err) {
      failure = toInvalidTrainerConfig(err as TrainerParamsError);
    }
    expect(failure?.type).toBe('InvalidTrainerConfig');
    expect(failure?.nonRetryable).toBe(true);
    expect(failure?.message).toMatch(/lossWeights\.stress: pacemaker cannot fit stress/);
    expect(failure?.details).toEqual([{ fields: ['lossWeights.stress', 'ace.radialBasis'] }]);
  });
});
