import { BackendReportSchema, describeBackends } from '../../src/pacemaker/backends';

const report = (tensorpot: object, pyace: object = { available: true, version: '0.4.0rc1' }) =>
  BackendReportSchema.parse({ pyace, tensorpot });

test.each([
  [
    'CPU-only host',
    report({
      available: true,
      tensorflow: '2.20.0',
      tensorpotential: '0.6.2.1',
      devices: [{ type: 'CPU', name: 'cpu0' }],
    }),
    'pacemaker evaluators on this host: tensorpot (TensorFlow 2.20.0, tensorpotential 0.6.2.1; CPU only, no GPU); pyace (python-ace 0.4.0rc1, CPU)',
  ],
  [
    'GPU host',
    report({
      available: true,
      tensorflow: '2.20.0',
      tensorpotential: '0.6.2.1',
      devices: [
        { type: 'CPU', name: 'cpu0' },
        { type: 'GPU', name: 'NVIDIA H200' },
        { type: 'GPU', name: 'NVIDIA H200' },
      ],
    }),
    'pacemaker evaluators on this host: tensorpot (TensorFlow 2.20.0, tensorpotential 0.6.2.1; GPU 0: NVIDIA H200, 1: NVIDIA H200); pyace (python-ace 0.4.0rc1, CPU)',
  ],
])('the worker names its evaluators and devices: %s', (_label, r, line) => {
  expect(describeBackends(r)).toEqual({ line });
});

test('a host without TensorFlow is told that the default evaluator will be refused, and what to do', () => {
  const { line, warning } = describeBackends(
    report({ available: false, error: "ModuleNotFoundError: No module named 'tensorflow'" }),
  );
  expect(line).toBe(
    'pacemaker evaluators on this host: tensorpot unavailable; pyace (python-ace 0.4.0rc1, CPU)',
  );
  expect(warning).toMatch(/No module named 'tensorflow'.*npm run setup.*backend\.evaluator "pyace"/);
});
