import { committeeSpread, DEFAULT_TRAINER_SEED, memberRequest, resampleNote } from '../../src/api/committee';
import type { FinalMetrics } from '../../src/api/metrics';

describe('each member draws its own resample: its seed is the base seed + its index', () => {
  test.each([
    // [trainer, member, expected seed]
    [undefined, 0, DEFAULT_TRAINER_SEED],
    [undefined, 2, DEFAULT_TRAINER_SEED + 2],
    [{ seed: 7 }, 0, 7],
    [{ seed: 7 }, 1, 8],
    [{ seed: 0, testSize: 0.2 }, 3, 3],
  ])('trainer %p, member %p → seed %p', (trainer, member, seed) => {
    const request = { campaign: 'cu', ...(trainer ? { trainer } : {}) };
    const m = memberRequest(request, member);
    expect(m.trainer?.seed).toBe(seed);
    // Everything else the user set is kept, and the request itself is not changed.
    expect({ ...m.trainer, seed: undefined }).toEqual({ ...trainer, seed: undefined });
    expect(request).toEqual({ campaign: 'cu', ...(trainer ? { trainer } : {}) });
  });

  test('members are published under the potential name (or the campaign) with -m<i>', () => {
    const unnamed: { campaign: string; potentialName?: string } = { campaign: 'cu' };
    expect(memberRequest(unnamed, 1).potentialName).toBe('cu-m1');
    expect(memberRequest({ campaign: 'cu', potentialName: 'cu-bag' }, 0).potentialName).toBe('cu-bag-m0');
  });
});

test('the input.yaml header says what a member is fitted to and that testSize does not apply', () => {
  expect(resampleNote({ method: 'bootstrap', seed: 43, structures: 60, distinct: 38, outOfBag: 22 })).toBe(
    "Committee member: fitted to a bootstrap resample (seed 43) of the committee's 60 structures (38 distinct); " +
      'its test set is the 22 out-of-bag structures, and trainer.testSize does not apply.',
  );
  expect(resampleNote({ method: 'bootstrap', seed: 1, structures: 2, distinct: 2, outOfBag: 0 })).toContain(
    'the 0 out-of-bag structures (none: every structure was drawn)',
  );
});

describe("the committee's spread of errors", () => {
  const split = (forces: number) => ({
    structures: 5,
    atoms: 160,
    rmseEnergyMeVPerAtom: forces / 10,
    maeEnergyMeVPerAtom: forces / 20,
    rmseForcesMeVPerA: forces,
    maeForcesMeVPerA: forces / 2,
  });
  const metrics = (train: number, test: number | null): FinalMetrics => ({
    train: split(train),
    test: test === null ? null : split(test),
  });

  test('summarises the out-of-bag errors when every member has some', () => {
    const s = committeeSpread([metrics(10, 20), metrics(14, 30)]);
    expect(s.trainForcesMeVPerA).toEqual({ mean: 12, std: 2, min: 10, max: 14 });
    expect(s.testForcesMeVPerA).toEqual({ mean: 25, std: 5, min: 20, max: 30 });
  });

  test('has no test spread when a member had nothing out of bag', () => {
    expect(committeeSpread([metrics(10, 20), metrics(14, null)]).testForcesMeVPerA).toBeNull();
  });
});
