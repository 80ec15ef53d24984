import { formatProgressLine, progressBar } from '../../src/cli/progress-line';

describe('the watch progress line', () => {
  test.each([
    { done: 0, total: 10, bar: '[..........]' },
    { done: 5, total: 10, bar: '[#####.....]' },
    { done: 10, total: 10, bar: '[##########]' },
    { done: 12, total: 10, bar: '[##########]' },
    { done: 3, total: undefined, bar: '[..........]' },
  ])('the bar for $done of $total is $bar', ({ done, total, bar }) => {
    expect(progressBar(done, total, 10)).toBe(bar);
  });

  test('during the fit it shows the iteration out of the budget, loss and both RMSEs with units', () => {
    const line = formatProgressLine(
      {
        phase: 'fitting',
        maxIterations: 100,
        latest: { iteration: 40, loss: 0.001234, rmseEnergyMeVPerAtom: 17.954, rmseForcesMeVPerA: 7.89 },
      },
      10,
    );
    expect(line).toBe(
      'fitting              [####......]   40/100  loss 1.234e-3  RMSE E 17.95 meV/atom  F 7.9 meV/Å',
    );
  });

  test('before the fit reports it shows just the phase', () => {
    expect(formatProgressLine({ phase: 'fetching-data' })).toBe('fetching-data');
  });

  test('a resumed fit says where it resumed from', () => {
    const line = formatProgressLine({
      phase: 'fitting',
      maxIterations: 5,
      resumedFrom: 'interim_potential_0.yaml',
    });
    expect(line).toContain('0/5');
    expect(line).toMatch(/\(resumed from interim_potential_0\.yaml\)$/);
  });
});
