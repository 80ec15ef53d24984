import {
  INNER_CUTOFF_SHARE,
  INNER_TRANSITION_SHARE,
  moveInnerCutoff,
} from '../../src/pacemaker/inner-cutoff';

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

const moved = (shortest: number) => ({
  rIn: INNER_CUTOFF_SHARE * shortest,
  deltaIn: INNER_TRANSITION_SHARE * shortest,
});

describe('the switch to core repulsion moves below the data and widens to a share of its shortest distance', () => {
  test('every ZBL block pacemaker placed gets r_in and delta_in from its shortest distance; every other line is kept', () => {
    const { text, changes } = moveInnerCutoff(AUTO);
    expect(changes).toEqual([
      { block: 'C', shortest: 1.4, ...moved(1.4) },
      { block: 'C Si', shortest: 1.6, ...moved(1.6) },
      { block: 'Si', shortest: 2, ...moved(2) },
    ]);
    const before = AUTO.split('\n');
    const after = text.split('\n');
    expect(after.length).toBe(before.length);
    expect(after.flatMap((line, i) => (line === before[i] ? [] : [line]))).toEqual(
      [1.4, 1.6, 2].flatMap((d) => [`    r_in: ${moved(d).rIn}`, `    delta_in: ${moved(d).deltaIn}`]),
    );
  });

  test('moving twice gives the same file (a retried conversion changes nothing more)', () => {
    const once = moveInnerCutoff(AUTO).text;
    expect(moveInnerCutoff(once)).toEqual({ text: once, changes: [] });
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
    expect(moveInnerCutoff(text)).toEqual({ text, changes: [] });
  });

  test('keys of a nested mapping are not taken for the block’s own', () => {
    const nested = `species:\n  - speciesblock: Si\n    r_in: 2\n    delta_in: 0.1\n    inner_cutoff_type: zbl\n    extra:\n      delta_in: 7\n`;
    const { text } = moveInnerCutoff(nested);
    expect(text).toContain(`    delta_in: ${moved(2).deltaIn}\n`);
    expect(text).toContain('      delta_in: 7\n');
  });
});
