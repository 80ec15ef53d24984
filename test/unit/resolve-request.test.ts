import {
  checkedCommitteeInput,
  checkedTrainingRequest,
  MAX_TRAINING_TIMEOUT_MS,
  resolveCommitteeInput,
  resolveTrainingRequest,
} from '../../src/api/resolve-request';

describe('resolving a training request once per run', () => {
  test('defaults are filled in, so the recorded request says what the run used', () => {
    const resolved = resolveTrainingRequest({ campaign: 'cu' });
    expect(resolved).toMatchObject({
      ok: true,
      request: {
        campaign: 'cu',
        invalidRecords: 'fail',
        limits: { trainingTimeout: 72 * 3_600_000, maxHostAttempts: 3 },
      },
    });
  });

  test.each([
    ['a bad field', { campaign: '' }, 'InvalidTrainingRequest', /campaign/],
    [
      'a bad trainer field, named under "trainer"',
      { campaign: 'cu', trainer: { optimizer: { maxIterations: -1 } } },
      'InvalidTrainerConfig',
      /field names under "trainer"/,
    ],
    [
      'a fit longer than the history budget allows',
      { campaign: 'cu', limits: { trainingTimeout: '31d' } },
      'InvalidTrainingRequest',
      /trainingTimeout: at most "30d".*initialPotential/s,
    ],
  ])('%s is refused with a message that says what to do', (_what, input, failureType, message) => {
    const resolved = resolveTrainingRequest(input);
    expect(resolved.ok).toBe(false);
    if (resolved.ok) return;
    expect(resolved.failureType).toBe(failureType);
    expect(resolved.message).toMatch(message);
  });

  test('exactly 30 days is allowed', () => {
    expect(
      resolveTrainingRequest({ campaign: 'cu', limits: { trainingTimeout: MAX_TRAINING_TIMEOUT_MS } }).ok,
    ).toBe(true);
  });

  test('runs that started before the patch replay the checks of their time: no history budget', () => {
    expect(checkedTrainingRequest({ campaign: 'cu', limits: { trainingTimeout: '40d' } }).ok).toBe(true);
    // Before the patch the committee did not check TrainerParams at its start (its members did).
    expect(
      checkedCommitteeInput({ request: { campaign: 'cu', trainer: { kappa: 7 } }, committeeSize: 2 }).ok,
    ).toBe(true);
    expect(
      resolveCommitteeInput({ request: { campaign: 'cu', trainer: { kappa: 7 } }, committeeSize: 2 }).ok,
    ).toBe(false);
  });

  test('a committee size outside 2..16 is refused', () => {
    expect(resolveCommitteeInput({ request: { campaign: 'cu' }, committeeSize: 1 })).toMatchObject({
      ok: false,
      message: 'committeeSize: must be an integer from 2 to 16',
    });
  });
});
