import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import {
  attemptMarker,
  iterationsCompleted,
  latestCheckpoint,
  resumeInputYaml,
  stoppedEarly,
} from '../../src/pacemaker/checkpoint';

describe('resuming a fit from its checkpoint', () => {
  const input = 'cutoff: 5\nfit:\n  loss: {kappa: 0.3}\n  maxiter: 100\n  optimizer: BFGS\n';

  test.each([
    [0, 100],
    [30, 70],
    [99, 1],
    [150, 1],
  ])('after %i iterations the resumed fit gets %i iterations', (done, expected) => {
    const { text, maxIterations } = resumeInputYaml(input, done);
    expect(maxIterations).toBe(expected);
    const doc = YAML.parse(text) as {
      cutoff: number;
      fit: { maxiter: number; optimizer: string; loss: { kappa: number } };
    };
    expect(doc).toEqual({ cutoff: 5, fit: { loss: { kappa: 0.3 }, maxiter: expected, optimizer: 'BFGS' } });
  });

  test('an input without fit.maxiter is used as it is', () => {
    expect(resumeInputYaml('cutoff: 5\n', 10)).toEqual({ text: 'cutoff: 5\n' });
  });

  test('the latest checkpoint is the interim potential of the highest fit cycle, ignoring the others', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
    try {
      expect(latestCheckpoint(dir)).toBeUndefined();
      for (const f of [
        'interim_potential_0.yaml',
        'interim_potential_2.yaml',
        'interim_potential_best_cycle.yaml',
        'interim_potential_ladder_step_1.yaml',
        'interim_potential_10.yaml.tmp',
      ]) {
        fs.writeFileSync(path.join(dir, f), '');
      }
      expect(latestCheckpoint(dir)).toBe('interim_potential_2.yaml');
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

describe('iterations a fit has completed over its runs, read from pacemaker.log', () => {
  const at = new Date('2026-12-01T00:00:00Z');
  const iteration = (n: number) =>
    `2026-12-01 00:00:00,000 - INFO - Iteration   #${n}   (${n + 1} evals):    Loss: 1.0e-02 | RMSE Energy(low): 10.00 (9.00) meV/at | Forces(low): 50.00 (40.00) meV/A | Time/eval: 1.00 mcs/at\n`;
  const initial =
    '2026-12-01 00:00:00,000 - INFO - Initial state:#0    (1 evals):        Loss: 2.6e-01 | RMSE Energy(low): 39.77 (39.77) meV/at | Forces(low): 540.47 (540.47) meV/A | Time/eval: 1.00 mcs/at\n';
  const run = (attempt: number, args: string[], last: number) =>
    attemptMarker(attempt, at, args) +
    initial +
    Array.from({ length: last }, (_, i) => iteration(i + 1)).join('');

  test.each([
    ['no run yet', '', 0],
    ['one run of 12 iterations', run(1, ['input.yaml'], 12), 12],
    [
      'a run continued from its checkpoint adds to the first',
      run(1, ['input.yaml'], 12) + run(2, ['input.resume.yaml', '-p', 'interim_potential_0.yaml'], 5),
      17,
    ],
    [
      'three runs, two of them continued (each counts from 0 again)',
      run(1, ['input.yaml'], 10) +
        run(2, ['input.resume.yaml', '-p', 'interim_potential_0.yaml'], 7) +
        run(3, ['input.resume.yaml', '-p', 'interim_potential_0.yaml'], 4),
      21,
    ],
    [
      'a run from scratch (an unreadable checkpoint) starts the count again',
      run(1, ['input.yaml'], 10) + run(2, ['input.yaml'], 3),
      3,
    ],
    [
      'a run that crashed before its first iteration adds nothing',
      run(1, ['input.yaml'], 8) +
        attemptMarker(2, at, ['input.resume.yaml', '-p', 'interim_potential_0.yaml']),
      8,
    ],
  ])('%s → %i', (_what, log, expected) => {
    expect(iterationsCompleted(log)).toBe(expected);
  });
});

describe('a fit that stopped early says so', () => {
  const stop =
    '2026-12-06 03:36:01,509 - pyace.generalfit - INFO - EARLY STOPPING: Too small or even positive TEST loss change (best=-1.31e-01  / iter, last=-1.31e-01/iter, threshold = -9.00e-01/iter) within last 10 iterations. Stopping\n';
  test.each([
    [
      'pacemaker logged the stop in its only run',
      `${attemptMarker(1, new Date(0), ['input.yaml'])}${stop}`,
      true,
    ],
    ['no stop logged', `${attemptMarker(1, new Date(0), ['input.yaml'])}Iteration #5\n`, false],
    [
      'an earlier run stopped, the last one continued and ran its budget',
      `${attemptMarker(1, new Date(0), ['input.yaml'])}${stop}${attemptMarker(2, new Date(0), ['input.resume.yaml', '-p', 'interim_potential_0.yaml'])}Iteration #5\n`,
      false,
    ],
  ])('%s', (_what, log, expected) => {
    expect(stoppedEarly(log)).toBe(expected);
  });
});
