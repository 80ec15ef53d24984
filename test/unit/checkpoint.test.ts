import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { latestCheckpoint, resumeInputYaml } from '../../src/pacemaker/checkpoint';

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
