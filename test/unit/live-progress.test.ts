import { mergeProgress } from '../../src/cli/live-progress';
import type { TrainingProgress } from '../../src/api/progress';

const metrics = (iteration: number) => ({
  iteration,
  loss: 0.1,
  rmseEnergyMeVPerAtom: 5,
  rmseForcesMeVPerA: 50,
});

describe("what the CLI shows: the workflow's story, with the fit's live heartbeat while it fits", () => {
  const heartbeat: TrainingProgress = { phase: 'fitting', maxIterations: 500, latest: metrics(312) };
  test.each<
    [string, TrainingProgress | undefined, TrainingProgress | undefined, TrainingProgress | undefined]
  >([
    ['nothing answers', undefined, undefined, undefined],
    ['only the query answers', { phase: 'fetching-data' }, undefined, { phase: 'fetching-data' }],
    ['only the heartbeat answers (no worker for queries)', undefined, heartbeat, heartbeat],
    [
      'while fitting, the heartbeat is newer than the last report',
      { phase: 'fitting', latest: metrics(40), checkpoint: 'interim_potential_0.yaml' },
      heartbeat,
      { phase: 'fitting', maxIterations: 500, latest: metrics(312), checkpoint: 'interim_potential_0.yaml' },
    ],
    [
      'a heartbeat still from before the fit began does not move the phase back',
      { phase: 'fitting', latest: metrics(1) },
      { phase: 'preparing', maxIterations: 500 },
      { phase: 'fitting', latest: metrics(1) },
    ],
    [
      'after the fit, a heartbeat left pending does not move the phase back',
      { phase: 'publishing' },
      heartbeat,
      { phase: 'publishing' },
    ],
  ])('%s', (_what, story, live, expected) => {
    expect(mergeProgress(story, live)).toEqual(expected);
  });
});
