import fs from 'node:fs';
import path from 'node:path';
import { createProgressParser } from '../../src/pacemaker/progress-parser';

const realLog = fs.readFileSync(
  path.join(__dirname, '..', 'fixtures', 'pacemaker-output', 'pyace-fit-10-iterations.log'),
  'utf8',
);

describe('pacemaker progress parser', () => {
  test.each([
    [
      'initial state line',
      '2026-11-28 20:24:53,114 - pyace.metrics_aggregator - INFO - Initial state:#0    (1 evals):        Loss: 2.6400e-01 | RMSE Energy(low): 39.77 (39.77) meV/at | Forces(low): 540.47 (540.47) meV/A | Time/eval: 123.05 mcs/at\n',
      { iteration: 0, loss: 0.264, rmseEnergyMeVPerAtom: 39.77, rmseForcesMeVPerA: 540.47 },
    ],
    [
      'iteration line after carriage-returned Eval counters',
      'Eval 1: loss=0.2   \rEval 2: loss=0.19   \r2026-11-28 20:24:54,987 - pyace.metrics_aggregator - INFO - Iteration   #12   (15 evals):    Loss: 1.2e-03 | RMSE Energy(low): 17.95 (16.79) meV/at | Forces(low): 7.89 (7.04) meV/A | Time/eval: 106.12 mcs/at\n',
      { iteration: 12, loss: 1.2e-3, rmseEnergyMeVPerAtom: 17.95, rmseForcesMeVPerA: 7.89 },
    ],
  ])('reads the %s', (_label, text, expected) => {
    const parser = createProgressParser();
    expect(parser.push(text)).toBe(true);
    expect(parser.snapshot().latest).toEqual(expected);
  });

  test('ignores lines it does not know, such as warnings and Eval counters alone', () => {
    const parser = createProgressParser();
    expect(parser.push('WARNING: something\rEval 3: loss=0.1\nData loaded\n')).toBe(false);
    expect(parser.snapshot()).toEqual({ stats: {}, iterationLines: 0 });
  });

  test('a line split across chunks is parsed once it is complete', () => {
    const line =
      'Iteration   #3    (200 evals):      Loss: 2.0e-01 | RMSE Energy(low): 52.62 (52.62) meV/at | Forces(low): 534.13 (534.13) meV/A\n';
    const parser = createProgressParser();
    expect(parser.push(line.slice(0, 40))).toBe(false);
    expect(parser.push(line.slice(40))).toBe(true);
    expect(parser.snapshot().latest?.iteration).toBe(3);
  });

  test('a final line without newline is parsed at end()', () => {
    const parser = createProgressParser();
    parser.push(
      'Iteration   #4    (2 evals):  Loss: 1e-01 | RMSE Energy(low): 5 (5) meV/at | Forces(low): 6 (6) meV/A',
    );
    expect(parser.snapshot().latest).toBeUndefined();
    expect(parser.end()).toBe(true);
    expect(parser.snapshot().latest?.iteration).toBe(4);
  });

  test('reads the FIT STATS block that pacemaker prints every display_step iterations', () => {
    const parser = createProgressParser();
    parser.push(
      [
        '--------------------------------------------FIT STATS--------------------------------------------',
        'Iteration:  #5   Loss:    Total:  4.9314e-02 (100%) ',
        '                         Energy:  3.9829e-02 ( 81%) ',
        '           Energy/at, meV/at   Energy_low/at, meV/at      Force, meV/A        Force_low, meV/A   ',
        '   RMSE:          238.53               238.53               102.66                  102.66',
        '    MAE:          200.00               200.00                90.00                   90.00',
        '',
      ].join('\n'),
    );
    expect(parser.snapshot().stats.fit).toEqual({
      iteration: 5,
      loss: 0.049314,
      rmseEnergyMeVPerAtom: 238.53,
      rmseForcesMeVPerA: 102.66,
    });
  });

  test('follows a real pyace fit from the initial state to the last iteration, in any chunking', () => {
    for (const chunkSize of [7, 100, realLog.length]) {
      const parser = createProgressParser();
      for (let i = 0; i < realLog.length; i += chunkSize) parser.push(realLog.slice(i, i + chunkSize));
      parser.end();
      const progress = parser.snapshot();
      expect(progress.latest).toEqual({
        iteration: 9,
        loss: 2.5796e-3,
        rmseEnergyMeVPerAtom: 7.26,
        rmseForcesMeVPerA: 53.15,
      });
      expect(progress.stats.fit).toEqual({
        iteration: 10,
        loss: 2.3705e-3,
        rmseEnergyMeVPerAtom: 6.45,
        rmseForcesMeVPerA: 51.01,
      });
      expect(progress.stats.cycle?.iteration).toBe(10);
      expect(progress.iterationLines).toBe(9);
    }
  });

  test('a tensorpot fit with a test split: train progress only, test and init blocks kept apart', () => {
    const tensorpotLog = fs.readFileSync(
      path.join(__dirname, '..', 'fixtures', 'pacemaker-output', 'tensorpot-fit-6-iterations-test-split.log'),
      'utf8',
    );
    for (const chunkSize of [13, tensorpotLog.length]) {
      const parser = createProgressParser();
      for (let i = 0; i < tensorpotLog.length; i += chunkSize)
        parser.push(tensorpotLog.slice(i, i + chunkSize));
      parser.end();
      const progress = parser.snapshot();
      // "Initial(TEST):#0" and the TEST blocks are the held-out set's: never the fit's latest iteration.
      expect(progress.latest).toEqual({
        iteration: 5,
        loss: 2.8784e-2,
        rmseEnergyMeVPerAtom: 76.23,
        rmseForcesMeVPerA: 165.72,
      });
      expect(progress.iterationLines).toBe(4); // Initial state, #1, #3, #5 (tensorpot prints every other one)
      expect(progress.stats.fit).toEqual({
        iteration: 6,
        loss: 1.7555e-2,
        rmseEnergyMeVPerAtom: 93.15,
        rmseForcesMeVPerA: 112.94,
      });
      expect(progress.stats.test).toEqual({
        iteration: 6,
        loss: 4.1792e-2,
        rmseEnergyMeVPerAtom: 133.69,
        rmseForcesMeVPerA: 180.37,
      });
      expect(progress.stats.init?.rmseEnergyMeVPerAtom).toBe(29.97);
      expect(progress.stats.cycle).toMatchObject({ iteration: 7, rmseEnergyMeVPerAtom: 93.15 });
    }
  });
});
