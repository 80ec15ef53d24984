/**
 * The compression check the e2e fits run (test/harness/short-distances.ts): it must report a curve that
 * turns attractive below the data, or the repulsive verdict on real fits would prove nothing.
 */
import { notRepulsive, type CompressionCurve } from '../harness/short-distances';

const curve = (energies: [number, number][]): CompressionCurve => ({
  pair: 'Si-Si',
  points: energies.map(([fraction, potential]) => ({
    fraction,
    distance: 2.3 * fraction,
    reference: 0,
    potential,
  })),
});

test.each([
  [
    'rising at every step closer',
    [
      [1.0, 0.5],
      [0.85, 4],
      [0.8, 6],
      [0.7, 10],
      [0.6, 20],
    ],
    [],
  ],
  [
    'a dip below the data (a spurious well)',
    [
      [0.85, 4],
      [0.8, 3.5],
      [0.7, 10],
      [0.6, 20],
    ],
    ['Si-Si 0.85→0.8: -0.500 eV'],
  ],
  [
    'flat at the end of the switch',
    [
      [0.85, 4],
      [0.7, 10],
      [0.6, 10],
    ],
    ['Si-Si 0.7→0.6: 0.000 eV'],
  ],
  [
    'a dip above 85 % only (outside what is checked)',
    [
      [1.0, 1],
      [0.95, 0.5],
      [0.85, 4],
      [0.6, 20],
    ],
    [],
  ],
] as [string, [number, number][], string[]][])('a compression curve %s', (_, energies, problems) => {
  expect(notRepulsive(curve(energies), 0.85)).toEqual(problems);
});
