import { basisShortfalls, countFunctionsPerElement } from '../../src/pacemaker/basis-size';

/** The shape of pacemaker's target_potential.yaml (species blocks with one `nbody` entry per function). */
const BINARY = `global:
  DeltaSplineBins: 0.001
species:
  - speciesblock: Cu
    nradmaxi: 2
    nbody:
      - {type: Cu Cu, nr: [1], nl: [0], c: [0, 0]}
      - {type: Cu Cu, nr: [2], nl: [0], c: [0, 0]}
      - {type: Cu Cu Cu, nr: [1, 1], nl: [1, 1], c: [0, 0]}
  - speciesblock: Cu Ni
    nbody:
      - {type: Cu Ni, nr: [1], nl: [0], c: [0, 0]}
  - speciesblock: Ni
    nbody:
      - {type: Ni Ni, nr: [1], nl: [0], c: [0, 0]}
  - speciesblock: Ni Cu
    nbody:
      - {type: Ni Cu, nr: [1], nl: [0], c: [0, 0]}
      - {type: Ni Cu Ni, nr: [1, 1], nl: [1, 1], c: [0, 0]}
`;

test('functions are counted per central element, over every species block it heads', () => {
  expect(Object.fromEntries(countFunctionsPerElement(BINARY))).toEqual({ Cu: 4, Ni: 3 });
});

test('a potential without functions counts none', () => {
  expect(countFunctionsPerElement('species: []\n').size).toBe(0);
});

test.each([
  // [requested per element, shortfalls]
  [3, []],
  [4, [{ element: 'Ni', available: 3 }]],
  [
    60,
    [
      { element: 'Cu', available: 4 },
      { element: 'Ni', available: 3 },
    ],
  ],
])('a request for %p functions per element falls short for %j', (requested, short) => {
  expect(basisShortfalls(requested, countFunctionsPerElement(BINARY), ['Cu', 'Ni'])).toEqual(short);
});

test('an element pacemaker built no function for is short by the whole request', () => {
  expect(basisShortfalls(1, new Map([['Cu', 5]]), ['Cu', 'Al'])).toEqual([{ element: 'Al', available: 0 }]);
});
