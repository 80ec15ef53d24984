import { ObjectId } from 'mongodb';
import {
  decodeCalculation,
  decodeFlatFastPath,
  decodeWithSchema,
  documentId,
} from '../../src/calculations/calculation-schema';

/** Test documents are edited freely, bad shapes included. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

/** A valid contract-v1 document (flat arrays): two Cu atoms in a cubic periodic cell. */
function validDoc(): Doc {
  return {
    _id: 'calc-1',
    campaign: 'c',
    generation: 0,
    status: 'completed',
    structure: {
      symbols: ['Cu', 'Cu'],
      positions: [0, 0, 0, 1.805, 1.805, 0],
      cell: [3.61, 0, 0, 0, 3.61, 0, 0, 0, 3.61],
      pbc: [true, true, true],
    },
    results: {
      energy: -7.5,
      forces: [0.1, -0.2, 0.3, -0.1, 0.2, -0.3],
      stress: [1e-3, 2e-3, 3e-3, 4e-4, 5e-4, 6e-4],
    },
    dft: { code: 'VASP', xc: 'PBE', settingsHash: 'abc' },
  };
}

function withChange(change: (d: Doc) => void): Doc {
  const d = validDoc();
  change(d);
  return d;
}

describe('documents that follow contract v1 are accepted', () => {
  test.each<[string, (d: Doc) => void]>([
    ['flat arrays as in the contract', () => {}],
    ['without stress', (d) => delete d.results.stress],
    ['with stress null', (d) => (d.results.stress = null)],
    [
      'a molecule: cell null and pbc all false',
      (d) => ((d.structure.cell = null), (d.structure.pbc = [false, false, false])),
    ],
    [
      'a slab periodic in two directions with zero third lattice vector',
      (d) => {
        d.structure.cell = [3.61, 0, 0, 0, 3.61, 0, 0, 0, 0];
        d.structure.pbc = [true, true, false];
      },
    ],
    ['without generation (defaults to 0)', (d) => delete d.generation],
    ['with extra fields the reader does not use', (d) => (d.structure.info = { note: 'x' })],
  ])('%s', (_name, change) => {
    const doc = withChange(change);
    const result = decodeCalculation(doc);
    expect(result).toMatchObject({ ok: true });
    // The fast path for flat documents and the schema agree.
    expect(decodeWithSchema(doc)).toEqual(result);
  });
});

test('nested [[x,y,z], …] arrays decode to the same record as the flat layout', () => {
  const flat = decodeCalculation(validDoc());
  const nested = decodeCalculation(
    withChange((d) => {
      d.structure.positions = [
        [0, 0, 0],
        [1.805, 1.805, 0],
      ];
      d.structure.cell = [
        [3.61, 0, 0],
        [0, 3.61, 0],
        [0, 0, 3.61],
      ];
      d.results.forces = [
        [0.1, -0.2, 0.3],
        [-0.1, 0.2, -0.3],
      ];
      // a 3×3 stress tensor becomes Voigt xx, yy, zz, yz, xz, xy
      d.results.stress = [
        [1e-3, 6e-4, 5e-4],
        [6e-4, 2e-3, 4e-4],
        [5e-4, 4e-4, 3e-3],
      ];
    }),
  );
  expect(nested).toEqual(flat);
  expect(flat).toEqual({
    ok: true,
    record: {
      id: 'calc-1',
      symbols: ['Cu', 'Cu'],
      positions: [0, 0, 0, 1.805, 1.805, 0],
      cell: [3.61, 0, 0, 0, 3.61, 0, 0, 0, 3.61],
      pbc: [true, true, true],
      energy: -7.5,
      forces: [0.1, -0.2, 0.3, -0.1, 0.2, -0.3],
      stress: [1e-3, 2e-3, 3e-3, 4e-4, 5e-4, 6e-4],
    },
  });
});

describe('documents that break contract v1 are rejected with a reason naming the field', () => {
  test.each<[string, (d: Doc) => void, RegExp]>([
    [
      'unknown chemical symbol',
      (d) => (d.structure.symbols = ['Cu', 'Xx']),
      /structure\.symbols\.1: unknown chemical symbol/,
    ],
    [
      'symbol in the wrong case',
      (d) => (d.structure.symbols = ['cu', 'Cu']),
      /structure\.symbols\.0: unknown chemical symbol/,
    ],
    [
      'no atoms',
      (d) => ((d.structure.symbols = []), (d.structure.positions = []), (d.results.forces = [])),
      /at least one atom/,
    ],
    [
      'positions shorter than 3N',
      (d) => d.structure.positions.pop(),
      /structure\.positions: expected 3N = 6 numbers \(N = 2 symbols\), got 5/,
    ],
    [
      'positions longer than 3N',
      (d) => d.structure.positions.push(1),
      /structure\.positions: expected 3N = 6/,
    ],
    ['forces not 3N', (d) => (d.results.forces = [0, 0, 0]), /results\.forces: expected 3N = 6 numbers/],
    [
      'nested positions with a row of 2',
      (d) =>
        (d.structure.positions = [
          [0, 0],
          [1, 1, 1],
        ]),
      /structure\.positions/,
    ],
    [
      'NaN in positions',
      (d) => (d.structure.positions[2] = NaN),
      /structure\.positions\.2: expected a finite number/,
    ],
    [
      'Infinity in forces',
      (d) => (d.results.forces[0] = Infinity),
      /results\.forces\.0: expected a finite number/,
    ],
    [
      'a string in positions',
      (d) => (d.structure.positions[0] = '0'),
      /structure\.positions\.0: expected a finite number/,
    ],
    [
      'cell of 6 numbers',
      (d) => (d.structure.cell = [1, 0, 0, 0, 1, 0]),
      /structure\.cell: expected 9 numbers or null/,
    ],
    ['NaN in cell', (d) => (d.structure.cell[4] = NaN), /structure\.cell\.4: expected a finite number/],
    ['pbc of two booleans', (d) => (d.structure.pbc = [true, true]), /structure\.pbc/],
    ['pbc of strings', (d) => (d.structure.pbc = ['T', 'T', 'T']), /structure\.pbc/],
    [
      'periodic but cell null',
      (d) => (d.structure.cell = null),
      /structure\.cell: pbc is periodic along a, b, c but cell is null/,
    ],
    [
      'periodic along a zero lattice vector',
      (d) => (d.structure.cell = [3.61, 0, 0, 0, 0, 0, 0, 0, 3.61]),
      /lattice vector b is zero/,
    ],
    [
      'fully periodic with a flat (zero-volume) cell',
      (d) => (d.structure.cell = [1, 0, 0, 0, 1, 0, 1, 1, 0]),
      /zero volume/,
    ],
    [
      'two periodic vectors parallel',
      (d) => {
        d.structure.cell = [1, 0, 0, 2, 0, 0, 0, 0, 0];
        d.structure.pbc = [true, true, false];
      },
      /parallel/,
    ],
    ['energy missing', (d) => delete d.results.energy, /results\.energy/],
    ['energy NaN', (d) => (d.results.energy = NaN), /results\.energy: expected a finite number/],
    ['energy as text', (d) => (d.results.energy = '-7.5'), /results\.energy: expected a finite number/],
    [
      'stress of 5 numbers',
      (d) => (d.results.stress = [0, 0, 0, 0, 0]),
      /results\.stress: expected 6 numbers \(Voigt\)/,
    ],
    [
      'stress with Infinity',
      (d) => (d.results.stress[5] = -Infinity),
      /results\.stress\.5: expected a finite number/,
    ],
    ['no structure', (d) => delete d.structure, /structure:/],
    ['no results', (d) => delete d.results, /results:/],
    ['negative generation', (d) => (d.generation = -1), /generation/],
  ])('%s', (_name, change, reason) => {
    const doc = withChange(change);
    const result = decodeCalculation(doc);
    expect(result.ok).toBe(false);
    expect(decodeFlatFastPath(doc)).toBeUndefined();
    if (!result.ok) {
      expect(result.id).toBe('calc-1');
      expect(result.reason).toMatch(reason);
    }
  });
});

test('a document with many problems names the first three and how many more', () => {
  const result = decodeCalculation(
    withChange((d) => {
      d.structure.positions = [NaN, NaN, NaN, NaN, NaN, NaN];
    }),
  );
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.reason).toMatch(/\(\+3 more\)$/);
});

test.each<[string, unknown, string]>([
  ['a string id as itself', 'abc', 'abc'],
  ['an ObjectId as its hex digits', new ObjectId('65a1b2c3d4e5f60718293a4b'), '65a1b2c3d4e5f60718293a4b'],
  ['a number as its digits', 42, '42'],
  ['anything else as JSON', { a: 1 }, '{"a":1}'],
])('document ids print %s', (_name, id, text) => {
  expect(documentId(id)).toBe(text);
});
