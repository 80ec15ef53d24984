import type { TrainingProgress } from '../../src/api/progress';
import { reportReason, type LastReport } from '../../src/api/progress-reports';

const HOUR = 3_600_000;
const fitting: TrainingProgress = {
  phase: 'fitting',
  latest: { iteration: 40, loss: 0.01, rmseEnergyMeVPerAtom: 5, rmseForcesMeVPerA: 50 },
  checkpoint: 'interim_potential_0.yaml',
};
const lastFitting: LastReport = { phase: 'fitting', at: 0 };

describe('which fit progress reaches the workflow history (the rest stays in heartbeats)', () => {
  test.each<[string, LastReport | undefined, TrainingProgress, number, ReturnType<typeof reportReason>]>([
    ['the first report', undefined, { phase: 'waiting-for-slot' }, 0, 'phase'],
    ['a new phase', { phase: 'preparing', at: 0 }, fitting, 1_000, 'phase'],
    ['a new iteration in the same phase', lastFitting, fitting, 10 * 60_000, undefined],
    ['a checkpoint once the interval has passed', lastFitting, fitting, 4 * HOUR, 'checkpoint'],
    ['no checkpoint yet, however long', lastFitting, { phase: 'fitting' }, 40 * HOUR, undefined],
    [
      'an attempt that resumed',
      lastFitting,
      { ...fitting, resumedFrom: 'interim_potential_0.yaml' },
      1_000,
      'resumed',
    ],
  ])('%s', (_what, last, next, now, expected) => {
    expect(reportReason(last, next, now, 4 * HOUR)).toBe(expected);
  });

  test('a 30-day fit heartbeating every 5 s is reported fewer than 200 times', () => {
    let last: LastReport | undefined;
    let reports = 0;
    for (let t = 0; t <= 30 * 24 * HOUR; t += 5_000) {
      const next: TrainingProgress = t === 0 ? { phase: 'preparing' } : fitting;
      if (reportReason(last, next, t)) {
        reports += 1;
        last = { phase: next.phase, at: t };
      }
    }
    expect(reports).toBeLessThan(200);
    expect(reports).toBeGreaterThan(100); // still a coarse record of checkpoints, not silence
  });
});
