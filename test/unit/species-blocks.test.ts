import { resolveTrainerParams, TrainerParamsError, type TrainerParamsInput } from '../../src/api';
import { basisForElements, functionsBuilt, pacemakerFunctionsRequest } from '../../src/pacemaker';

// [elements, correlationOrder, functions per element pacemaker built for 300 asked] with the default
// shapes, counted with pyace 0.4.0rc1's create_multispecies_basis_config.
test.each([
  [1, 4, 300],
  [2, 4, 300],
  [3, 4, 300],
  [4, 4, 296],
  [5, 4, 288],
  [3, 3, 300],
  [4, 3, 296],
  [5, 3, 270],
  [3, 2, 300],
  [4, 2, 259],
  [5, 2, 198],
])('%p elements at correlationOrder %p: 300 asked builds %p per element', (elements, order, built) => {
  expect(functionsBuilt(300, elements, order)).toBe(built);
});

test.each([
  // [wanted, elements, correlationOrder, number_of_functions_per_element that builds it]
  [300, 1, 4, 300],
  [300, 3, 4, 300],
  [288, 5, 4, 288],
  [270, 5, 3, 288],
  [300, 3, 1, 400],
  [300, 5, 4, undefined],
  [271, 5, 3, undefined],
])(
  '%p per element for %p elements at correlationOrder %p is asked of pacemaker as %p',
  (wanted, elements, order, request) => {
    expect(pacemakerFunctionsRequest(wanted, elements, order)).toBe(request);
    if (request !== undefined) expect(functionsBuilt(request, elements, order)).toBe(wanted);
  },
);

const trainer = (input: TrainerParamsInput) => resolveTrainerParams(input);

test.each([
  // [elements, trainer input, functions per element used, whether input.yaml says why]
  [1, {}, 300, false],
  [2, {}, 300, false],
  [3, {}, 300, false],
  [4, {}, 296, true],
  [5, {}, 288, true],
  // 15 usable blocks of 16: 300 is a multiple, asked of pacemaker as 320.
  [5, { ace: { correlationOrder: 3 } }, 300, false],
  [4, { ace: { correlationOrder: 2 } }, 294, true],
  [5, { ace: { functionsPerElement: 288 } }, 288, false],
  [5, { ace: { functionsPerElement: 32, correlationOrder: 4 } }, 32, false],
  // More usable blocks than the default's functions: one function per block.
  [11, {}, 386, true],
] as [number, TrainerParamsInput, number, boolean][])(
  'with %p elements, trainer %j trains %p functions per element',
  (elements, input, functions, noted) => {
    const basis = basisForElements(trainer(input), input, elements);
    expect(basis.trainer.ace.functionsPerElement).toBe(functions);
    expect(basis.note !== undefined).toBe(noted);
    if (noted)
      expect(basis.note).toMatch(/^ace\.functionsPerElement: \d+, the default \d+ made a multiple of \d+/);
  },
);

test('a functionsPerElement the user set that pacemaker cannot build for the elements is refused with the nearest below that it can', () => {
  const input = { ace: { functionsPerElement: 300 } };
  let error: unknown;
  try {
    basisForElements(trainer(input), input, 5);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(TrainerParamsError);
  expect((error as TrainerParamsError).issues).toEqual([
    {
      field: 'ace.functionsPerElement',
      message: expect.stringMatching(
        /is 300, but with 5 elements .* multiple of 16 per element: ask for 288, or another multiple of 16$/,
      ),
    },
  ]);
});
