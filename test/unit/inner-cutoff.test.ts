import { INNER_TRANSITION_SHARE, widenInnerTransition } from '../../src/pacemaker/inner-cutoff';

/** The species blocks of a two-element output_potential.yaml after `fit.repulsion: auto`, abridged. */
const AUTO = `metadata:
  user: fixture
species:
  - speciesblock: C
    ndensityi: 2
    r_in: 1.4
    delta_in: 0.10000000000000001
    inner_cutoff_type: zbl
    nbody:
      - {type: C C, nr: [1], nl: [0], c: [0.1, 0.2]}
  - speciesblock: C Si
    r_in: 1.6
    delta_in: 0.10000000000000001
    inner_cutoff_type: zbl
    nbody:
      - {type: C Si, nr: [1], nl: [0], c: [0.1, 0.2]}
  - speciesblock: C C Si
    nbody:
      - {type: C C Si, nr: [1, 1], nl: [0, 0], c: [0.1, 0.2]}
  - speciesblock: Si
    r_in: 2
    delta_in: 0.1
    inner_cutoff_type: zbl
`;

describe('the switch to core repulsion below the data is widened to a share of the shortest distance', () => {
  test('every ZBL block gets delta_in = share × r_in; every other line is kept', () => {
    const { text, changes } = widenInnerTransition(AUTO);
    expect(changes).toEqual([
      { block: 'C', rIn: 1.4, deltaInBefore: 0.1, deltaIn: 1.4 * INNER_TRANSITION_SHARE },
      { block: 'C Si', rIn: 1.6, deltaInBefore: 0.1, deltaIn: 1.6 * INNER_TRANSITION_SHARE },
      { block: 'Si', rIn: 2, deltaInBefore: 0.1, deltaIn: 2 * INNER_TRANSITION_SHARE },
    ]);
    const before = AUTO.split('\n');
    const after = text.split('\n');
    expect(after.length).toBe(before.length);
    const changed = after.flatMap((line, i) => (line === before[i] ? [] : [line]));
    expect(changed).toEqual([
      `    delta_in: ${1.4 * INNER_TRANSITION_SHARE}`,
      `    delta_in: ${1.6 * INNER_TRANSITION_SHARE}`,
      `    delta_in: ${2 * INNER_TRANSITION_SHARE}`,
    ]);
  });

  test('widening twice gives the same file (a retried conversion changes nothing more)', () => {
    const once = widenInnerTransition(AUTO).text;
    expect(widenInnerTransition(once).text).toBe(once);
  });

  test.each([
    [
      'an inner cutoff the user set (distance type)',
      AUTO.replace(/inner_cutoff_type: zbl/g, 'inner_cutoff_type: distance'),
    ],
    [
      'no core repulsion at all',
      'species:\n  - speciesblock: Cu\n    r_in: 0\n    delta_in: 0\n    inner_cutoff_type: distance\n',
    ],
    ['a file without species blocks', 'metadata:\n  user: x\n'],
  ])('%s is left as it is', (_what, text) => {
    expect(widenInnerTransition(text)).toEqual({ text, changes: [] });
  });

  test('keys of a nested mapping are not taken for the block’s own', () => {
    const nested = `species:\n  - speciesblock: Si\n    r_in: 2\n    delta_in: 0.1\n    inner_cutoff_type: zbl\n    extra:\n      delta_in: 7\n`;
    const { text } = widenInnerTransition(nested);
    expect(text).toContain(`    delta_in: ${2 * INNER_TRANSITION_SHARE}\n`);
    expect(text).toContain('      delta_in: 7\n');
  });
});
