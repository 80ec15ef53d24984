/**
 * The resume plan: how an attempt runs pacemaker given what earlier attempts left in the workspace.
 */
import YAML from 'yaml';
import { attemptMarker } from '../../src/pacemaker/checkpoint';
import { fitFromTheBeginning, planFitRun, type FitWorkspace } from '../../src/pacemaker/resume-plan';

const INPUT = 'cutoff: 5\nfit:\n  maxiter: 100\n';
const at = new Date('2026-12-01T00:00:00Z');
const iterations = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      `2026-12-01 00:00:00,000 - INFO - Iteration   #${i + 1}   (${i + 2} evals):    Loss: 1.0e-02 | RMSE Energy(low): 10.00 (9.00) meV/at | Forces(low): 50.00 (40.00) meV/A | Time/eval: 1.00 mcs/at\n`,
  ).join('');
const firstRun = (n: number) => attemptMarker(1, at, ['input.yaml']) + iterations(n);

const workspace = (left: Partial<FitWorkspace>, input = INPUT): FitWorkspace => ({
  inputYaml: { name: 'input.yaml', text: input },
  ...left,
});

describe('what an attempt runs, given what earlier attempts left', () => {
  test.each([
    [
      'nothing: the fit from the beginning, with the whole budget',
      workspace({}),
      { args: ['input.yaml'], maxIterations: 100, iterationsBefore: 0 },
    ],
    [
      'a log but no checkpoint (stopped before its first iteration): from the beginning again',
      workspace({ logText: attemptMarker(1, at, ['input.yaml']) }),
      { args: ['input.yaml'], maxIterations: 100, iterationsBefore: 0 },
    ],
    [
      'a checkpoint after 12 iterations: continued from it with the 88 left',
      workspace({ checkpoint: 'interim_potential_0.yaml', logText: firstRun(12) }),
      {
        args: ['input.resume.yaml', '-p', 'interim_potential_0.yaml'],
        maxIterations: 88,
        resumedFrom: 'interim_potential_0.yaml',
        iterationsBefore: 12,
        resumeInput: { cutoff: 5, fit: { maxiter: 88 } },
      },
    ],
    [
      'a checkpoint without a log (a workspace whose log is gone): continued with the whole budget',
      workspace({ checkpoint: 'interim_potential_1.yaml' }),
      {
        args: ['input.resume.yaml', '-p', 'interim_potential_1.yaml'],
        maxIterations: 100,
        resumedFrom: 'interim_potential_1.yaml',
        iterationsBefore: 0,
        resumeInput: { cutoff: 5, fit: { maxiter: 100 } },
      },
    ],
    [
      'a checkpoint after the whole budget: continued for one iteration, never zero',
      workspace({ checkpoint: 'interim_potential_0.yaml', logText: firstRun(100) }),
      {
        args: ['input.resume.yaml', '-p', 'interim_potential_0.yaml'],
        maxIterations: 1,
        resumedFrom: 'interim_potential_0.yaml',
        iterationsBefore: 100,
        resumeInput: { cutoff: 5, fit: { maxiter: 1 } },
      },
    ],
    [
      'a checkpoint and an input without fit.maxiter: continued with the budget asked for',
      workspace({ checkpoint: 'interim_potential_0.yaml', logText: firstRun(7) }, 'cutoff: 5\n'),
      {
        args: ['input.resume.yaml', '-p', 'interim_potential_0.yaml'],
        maxIterations: 100,
        resumedFrom: 'interim_potential_0.yaml',
        iterationsBefore: 7,
        resumeInput: { cutoff: 5 },
      },
    ],
  ])('%s', (_what, left, expected) => {
    // A continued run reads input.resume.yaml: the same input with the run's own budget.
    const run = planFitRun(left, 100);
    expect({
      ...run,
      ...(run.resumeInput ? { resumeInput: YAML.parse(run.resumeInput) as unknown } : {}),
    }).toEqual(expected);
  });

  test('a run from the beginning reads the input itself, with the whole budget', () => {
    expect(fitFromTheBeginning('input.yaml', 40)).toEqual({
      args: ['input.yaml'],
      maxIterations: 40,
      iterationsBefore: 0,
    });
  });
});
