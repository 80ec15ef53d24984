import { rebasePaths } from '../../workflows/carry-over';

describe('results of steps done in a lost workspace, moved to the workspace that took it over', () => {
  const from = '/shared/work/train-1--abc--h1';
  const to = '/shared/work/train-1--abc--h2';
  test.each([
    ['a path inside the old workspace', `${from}/dataset.extxyz`, `${to}/dataset.extxyz`],
    ['the workspace itself', from, to],
    ['a path in a folder of the workspace', `${from}/report/train.png`, `${to}/report/train.png`],
    ['a workspace whose name starts the same is not this one', `${from}0/x`, `${from}0/x`],
    ['a relative name stays as it is', 'interim_potential_0.yaml', 'interim_potential_0.yaml'],
    [
      'a path elsewhere stays as it is',
      '/potentials/cu/v1/potential.yace',
      '/potentials/cu/v1/potential.yace',
    ],
  ])('%s', (_what, value, expected) => {
    expect(rebasePaths(value, from, to)).toBe(expected);
  });

  test('nested results keep their shape and numbers', () => {
    const done = {
      dataset: { extxyzPath: `${from}/dataset.extxyz`, structures: 12, elements: ['Cu'] },
      config: { inputYamlPath: `${from}/input.yaml`, kappa: 0.3, warmStart: undefined },
    };
    expect(rebasePaths(done, from, to)).toEqual({
      dataset: { extxyzPath: `${to}/dataset.extxyz`, structures: 12, elements: ['Cu'] },
      config: { inputYamlPath: `${to}/input.yaml`, kappa: 0.3, warmStart: undefined },
    });
  });
});
