import {
  activeSetArgs,
  activeSetFileName,
  createOutputCollector,
  isActiveSetSummaryLine,
  parseActiveSetLog,
  underdeterminedReason,
} from '../../src/pacemaker/active-set';

// Excerpts of real pace_activeset 0.4.0rc1 logs (a 20-function Si fit on 30 structures; a binary made up
// from the same lines), progress bars and MaxVol counters included.
const SUCCESS = [
  "2026-11-29 03:48:16,365 - root - INFO - Constructing atomic_env column, cutoffmax=5.0, elements_to_index_map={'Si': 0}",
  '2026-11-29 03:48:16,370 - root - INFO - \tElement: Si, # atoms: 806, # B-func: 20, # projections: 20',
  '2026-11-29 03:48:16,370 - root - INFO - Required memory to store complete dataset projections: 125.9KiB',
  '  0%|          | 0/30 [00:00<?, ?it/s]\r100%|██████████| 30/30 [00:00<00:00, 2641.58it/s]',
  '2026-11-29 03:48:16,383 - root - INFO - \tElement: Si, B-projections shape: (806, 20)',
  'Species type: 0',
  'Iter 0/300: abs_max = 1.295 (tol = 1.010)',
  'Iter 10/300: abs_max = 1.141 (tol = 1.010)',
  '2026-11-29 03:48:16,394 - root - INFO - \tElement: Si, Active set inv. shape: (20, 20), gamma_max: 1.000',
  '2026-11-29 03:48:16,394 - root - INFO - Saving Active Set Inversion (ASI) to output_potential.asi',
].join('\n');

const UNDERDETERMINED = [
  '2026-11-29 03:48:39,780 - root - INFO - \tElement: Si, # atoms: 12, # B-func: 20, # projections: 20',
  '2026-11-29 03:48:39,782 - root - INFO - Compute active set (using MaxVol algorithm)',
  'Traceback (most recent call last):',
  '  File ".../pyace/activelearning.py", line 407, in compute_active_set',
  'ValueError: Insufficient atomic environments to determine active set for species type 0, system is under-determined, projections shape=(12, 20)',
].join('\n');

describe('pace_activeset command line and output file', () => {
  test('the linear active set over all training atoms, the dataset named explicitly', () => {
    expect(activeSetArgs('output_potential.yaml', '/ws/fitting_data_info.pckl.gzip')).toEqual([
      'output_potential.yaml',
      '--dataset',
      '/ws/fitting_data_info.pckl.gzip',
      '--all-atoms',
    ]);
  });

  test.each([
    ['output_potential.yaml', 'output_potential.asi'],
    ['interim_potential_0.yaml', 'interim_potential_0.asi'],
    // pace_activeset uses Python's str.replace: every ".yaml" goes.
    ['a.yaml.yaml', 'a.asi.asi'],
  ])('the .asi pace_activeset writes for %s is %s', (potential, asi) => {
    expect(activeSetFileName(potential)).toBe(asi);
  });
});

describe("reading pace_activeset's log", () => {
  test('a successful run gives, per element, training atoms, functions, active-set size and gamma_max', () => {
    expect(parseActiveSetLog(SUCCESS)).toEqual([
      { element: 'Si', atoms: 806, functions: 20, activeSetSize: 20, gammaMax: 1 },
    ]);
  });

  test('elements keep the order of their first line, and a failed run keeps what it printed', () => {
    const binary = [
      '\tElement: Cu, # atoms: 40, # B-func: 6, # projections: 6',
      '\tElement: Ni, # atoms: 3, # B-func: 6, # projections: 6',
      '\tElement: Cu, Active set inv. shape: (6, 6), gamma_max: 1.004',
    ].join('\n');
    expect(parseActiveSetLog(binary)).toEqual([
      { element: 'Cu', atoms: 40, functions: 6, activeSetSize: 6, gammaMax: 1.004 },
      { element: 'Ni', atoms: 3, functions: 6 },
    ]);
  });

  test('too few training atoms for the basis is recognised, naming the element and both counts', () => {
    expect(underdeterminedReason(UNDERDETERMINED)).toBe(
      'no active set: Si: 12 training atoms for 20 basis functions (MaxVol needs at least one atom per function)',
    );
  });

  test('any other failure is not mistaken for an under-determined active set', () => {
    expect(underdeterminedReason(SUCCESS)).toBeUndefined();
    expect(underdeterminedReason('MemoryError\nKilled')).toBeUndefined();
  });
});

describe('bounded capture of a long-running tool', () => {
  test('keeps the last characters and the summary lines, wherever the chunks split them', () => {
    const collector = createOutputCollector(isActiveSetSummaryLine, 200);
    const noise = Array.from({ length: 500 }, (_, i) => `Iter ${i}/300: abs_max = 1.1 (tol = 1.010)`).join(
      '\n',
    );
    const text = `${SUCCESS.split('\n').slice(0, 3).join('\n')}\n${noise}\n${SUCCESS}`;
    for (let i = 0; i < text.length; i += 37) collector.push(text.slice(i, i + 37));
    collector.end();
    expect(collector.tail().length).toBeLessThanOrEqual(200);
    expect(collector.tail().endsWith('to output_potential.asi')).toBe(true);
    expect(parseActiveSetLog(collector.kept())).toEqual(parseActiveSetLog(SUCCESS));
    expect(collector.kept()).not.toMatch(/Iter \d+/);
  });

  test('keeps a bounded number of lines however many match', () => {
    const collector = createOutputCollector(() => true, 100, 5);
    collector.push('a\n'.repeat(1000));
    collector.end();
    expect(collector.kept().split('\n')).toHaveLength(5);
  });
});
