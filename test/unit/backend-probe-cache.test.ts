import { reportIfCurrent } from '../../src/pacemaker/backend-probe-cache';

const report = {
  pyace: { available: true, version: '0.4.0rc1' },
  tensorpot: { available: true, tensorflow: '2.20.0', tensorpotential: '0.6.2.1', devices: [] },
};
const kept = JSON.stringify({ fingerprint: 'env-a', probedAt: '2026-12-07T16:00:00.000Z', report });

test.each([
  ['the same environment', kept, 'env-a', true],
  ['a changed environment (a package installed, a GPU driver added)', kept, 'env-b', false],
  ['no kept report', undefined, 'env-a', false],
  ['a file cut short', kept.slice(0, 40), 'env-a', false],
  [
    'a report of another shape',
    JSON.stringify({ fingerprint: 'env-a', probedAt: 'x', report: {} }),
    'env-a',
    false,
  ],
])('the kept backend report is used only for %s', (_, text, fingerprint, used) => {
  const current = reportIfCurrent(text, fingerprint);
  expect(current !== undefined).toBe(used);
  if (used) expect(current?.report).toMatchObject(report);
});
