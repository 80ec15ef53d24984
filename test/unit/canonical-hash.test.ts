import type { CalculationRecord } from '../../src/calculations/calculation-schema';
import { DatasetHasher, structureHash } from '../../src/training-set/canonical-hash';

const base: CalculationRecord = {
  id: 'a',
  symbols: ['Cu', 'Cu'],
  positions: [0, 0, 0, 1.805, 1.805, 0],
  cell: [3.61, 0, 0, 0, 3.61, 0, 0, 0, 3.61],
  pbc: [true, true, true],
  energy: -7.5,
  forces: [0.1, -0.2, 0.3, -0.1, 0.2, -0.3],
  stress: [1, 2, 3, 4, 5, 6],
};

const hex = (r: CalculationRecord) => structureHash(r).toString('hex');

test('the same content under another document id is the same structure', () => {
  expect(hex({ ...base, id: 'b' })).toBe(hex(base));
});

test('-0 and 0 are the same number for the hash', () => {
  expect(hex({ ...base, positions: [-0, 0, 0, 1.805, 1.805, 0] })).toBe(hex(base));
});

test.each<[string, Partial<CalculationRecord>]>([
  ['a symbol', { symbols: ['Cu', 'Ni'] }],
  ['a position by one ulp', { positions: [0, 0, 0, 1.8050000000000002, 1.805, 0] }],
  ['the cell', { cell: [3.62, 0, 0, 0, 3.61, 0, 0, 0, 3.61] }],
  ['cell null', { cell: null, pbc: [false, false, false] }],
  ['pbc', { pbc: [true, true, false] }],
  ['the energy', { energy: -7.500000000000001 }],
  ['a force', { forces: [0.1, -0.2, 0.3, -0.1, 0.2, -0.31] }],
  ['the stress', { stress: [1, 2, 3, 4, 5, 7] }],
  ['no stress', { stress: null }],
])('changing %s changes the structure hash', (_name, change) => {
  expect(hex({ ...base, ...change })).not.toBe(hex(base));
});

test('the dataset hash depends on the structures and their order, and is repeatable', () => {
  const other = { ...base, energy: -8 };
  const datasetHash = (records: CalculationRecord[]) => {
    const h = new DatasetHasher();
    for (const r of records) h.add(structureHash(r));
    return h.hex();
  };
  expect(datasetHash([base, other])).toBe(datasetHash([base, other]));
  expect(datasetHash([base, other])).not.toBe(datasetHash([other, base]));
  expect(datasetHash([base])).not.toBe(datasetHash([base, other]));
  expect(datasetHash([base])).toMatch(/^[0-9a-f]{64}$/);
});
