import type { CalculationRecord } from '../../src/calculations/calculation-schema';
import { formatFloat, formatFrame, quoteValue, voigtToMatrix } from '../../src/training-set/extxyz-writer';

const periodic: CalculationRecord = {
  id: 'calc-1',
  symbols: ['Cu', 'Ni'],
  positions: [0, 0, 0, 1.8050000000000002, 1.805, 1e-12],
  cell: [3.61, 0, 0, 0, 3.61, 0, 0, 0, 3.61],
  pbc: [true, true, false],
  energy: -7,
  forces: [0.1, -0.2, 0.3, -0.1, 0.2, -0],
  stress: [1, 2, 3, 4, 5, 6],
};

test('a periodic frame carries lattice, energy, 3x3 stress, pbc and the calculation id', () => {
  expect(formatFrame(periodic)).toBe(
    '2\n' +
      'Lattice="3.61 0.0 0.0 0.0 3.61 0.0 0.0 0.0 3.61" Properties=species:S:1:pos:R:3:forces:R:3 ' +
      'energy=-7.0 stress="1.0 6.0 5.0 6.0 2.0 4.0 5.0 4.0 3.0" pbc="T T F" calc_id="calc-1"\n' +
      'Cu 0 0 0 0.1 -0.2 0.3\n' +
      'Ni 1.8050000000000002 1.805 1e-12 -0.1 0.2 0\n',
  );
});

test('a molecule (cell null, not periodic, no stress) has no Lattice and no stress', () => {
  const frame = formatFrame({ ...periodic, cell: null, pbc: [false, false, false], stress: null });
  expect(frame.split('\n')[1]).toBe(
    'Properties=species:S:1:pos:R:3:forces:R:3 energy=-7.0 pbc="F F F" calc_id="calc-1"',
  );
});

test.each<[number, string]>([
  [-7, '-7.0'],
  [0, '0.0'],
  [-0, '0.0'],
  [0.1, '0.1'],
  [1e-12, '1e-12'],
  [1e21, '1e+21'],
  [-7.123456789012345, '-7.123456789012345'],
  [1.8050000000000002, '1.8050000000000002'],
])('the float %p prints as %p (shortest text that reads back to the same float64)', (x, text) => {
  expect(formatFloat(x)).toBe(text);
  expect(Number(text)).toBe(x === 0 ? 0 : x);
});

test('ids with quotes and backslashes are escaped the way ASE un-escapes them', () => {
  expect(quoteValue('a"b\\c')).toBe('"a\\"b\\\\c"');
});

test('Voigt stress becomes the symmetric 3x3 matrix ASE expects', () => {
  expect(voigtToMatrix([11, 22, 33, 23, 13, 12])).toEqual([11, 12, 13, 12, 22, 23, 13, 23, 33]);
});
