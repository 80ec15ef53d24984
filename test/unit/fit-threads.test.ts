import { fitThreadEnv, fitThreads } from '../../src/pacemaker/fit-threads';

test.each([
  // [setting, cores, concurrent fits, threads per fit]
  [undefined, 16, 1, 16],
  [undefined, 16, 2, 8],
  [undefined, 16, 3, 5],
  [undefined, 2, 4, 1],
  [4, 16, 1, 4],
  [1, 2, 2, 1],
])(
  'with MLIP_FIT_THREADS %p, %p cores and %p fits at once, each fit gets %p thread(s)',
  (setting, cores, fits, want) => {
    expect(fitThreads(setting, cores, fits)).toBe(want);
  },
);

test("a fit's TensorFlow and OpenMP pools are all held to its threads", () => {
  expect(fitThreadEnv(3)).toEqual({
    TF_NUM_INTRAOP_THREADS: '3',
    TF_NUM_INTEROP_THREADS: '3',
    OMP_NUM_THREADS: '3',
  });
});
