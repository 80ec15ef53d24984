import {
  metadataReferenceEnergy,
  ReferenceEnergyError,
  referenceEnergiesPerElement,
  withReferenceEnergies,
  yaceReferenceEnergies,
} from '../../src/pacemaker/reference-energy';

/** The first lines of a two-element .yace as pace_yaml2yace writes it, and a line of its body. */
const YACE = `elements: [Al, Ni]
E0: [0, 0]
deltaSplineBins: 0.001
functions:
  0:
    - {mu0: 0, rank: 1, ndensity: 2, ctildes: [0.044556294556147333, 0.021551409723987166]}
`;

describe('the reference energies pacemaker subtracted, per element', () => {
  test.each<[string, string | undefined, unknown, string[], Record<string, number>]>([
    [
      '"auto": each element’s energy less the per-atom shift',
      '{"Si": -4.0, "shift": 0.25}',
      'auto',
      ['Si'],
      { Si: -4.25 },
    ],
    [
      'a per-element dict, as pacemaker stores it',
      '{"Al": -0.2, "Ni": -0.5}',
      'auto',
      ['Al', 'Ni'],
      { Al: -0.2, Ni: -0.5 },
    ],
    ['a constant (pacemaker stores "{}"): the configured number', '{}', -3, ['Al', 'Ni'], { Al: -3, Ni: -3 }],
    ['no metadata: the configured dict', undefined, { Si: -4.5 }, ['Si'], { Si: -4.5 }],
  ])('%s', (_what, metadata, configured, elements, expected) => {
    expect(referenceEnergiesPerElement(metadata, configured, elements)).toEqual(expected);
  });

  test('a potential whose references are nowhere recorded is refused, naming the elements', () => {
    expect(() => referenceEnergiesPerElement('{"Al": 1}', 'auto', ['Al', 'Ni'])).toThrow(
      new ReferenceEnergyError(
        "no reference energy recorded for Al, Ni (neither in the potential's metadata nor in the fit's settings)",
      ),
    );
  });
});

describe('the .yace a user loads returns absolute energies', () => {
  test('the references become its E0, in the order of its elements line, every other byte kept', () => {
    const folded = withReferenceEnergies(YACE, { Ni: -5.123456789012345, Al: -3.75 });
    expect(folded.split('\n')[1]).toBe('E0: [-3.75, -5.123456789012345]');
    expect(folded.replace(/^E0: .*$/m, 'E0: [0, 0]')).toBe(YACE);
    expect(yaceReferenceEnergies(folded)).toEqual({ Al: -3.75, Ni: -5.123456789012345 });
  });

  test('folding twice gives the same file (a retried conversion does not add the references again)', () => {
    const once = withReferenceEnergies(YACE, { Al: -3.75, Ni: -5.5 });
    expect(withReferenceEnergies(once, { Al: -3.75, Ni: -5.5 })).toBe(once);
  });

  test('a big file is folded by its header alone', () => {
    const body = '    - {mu0: 0, rank: 1, ctildes: [1.0, 2.0]}\n'.repeat(50_000);
    const folded = withReferenceEnergies(YACE + body, { Al: -1, Ni: -2 });
    expect(folded.length).toBe((YACE + body).length + 'E0: [-1, -2]'.length - 'E0: [0, 0]'.length);
    expect(folded.endsWith(body)).toBe(true);
  });

  test.each([
    ['an element without a reference', YACE, { Al: -1 }, /no reference energy for Ni/],
    [
      'a file that is not a .yace',
      'metadata:\n  user: x\n',
      { Al: -1 },
      /no top-level "elements: \[...\]" line/,
    ],
    [
      'a .yace without E0',
      'elements: [Al]\ndeltaSplineBins: 0.001\n',
      { Al: -1 },
      /no top-level "E0: \[...\]" line/,
    ],
  ])('%s is refused', (_what, text, energies, message) => {
    expect(() => withReferenceEnergies(text, energies)).toThrow(message);
  });

  test('an E0 line whose length does not match the elements is refused', () => {
    expect(() => yaceReferenceEnergies('elements: [Al, Ni]\nE0: [0]\n')).toThrow(/1 values for 2 elements/);
  });
});

describe("reading reference_energy from a potential's metadata block", () => {
  test.each<[string, string, string | undefined]>([
    [
      'double-quoted JSON, as pacemaker writes it',
      'metadata:\n  _loss: 0.1\n  reference_energy: "{\\"Cu\\": 0.04, \\"shift\\": -0.02}"\n  user: x\nglobal:\n',
      '{"Cu": 0.04, "shift": -0.02}',
    ],
    ['single-quoted JSON', 'metadata:\n  reference_energy: \'{"Cu": 1}\'\nglobal:\n', '{"Cu": 1}'],
    ['none recorded', 'metadata:\n  user: x\nglobal:\n  DeltaSplineBins: 0.001\n', undefined],
    [
      'a reference_energy below the metadata block is not its',
      'metadata:\n  user: x\nspecies:\n  reference_energy: 1\n',
      undefined,
    ],
  ])('%s', (_what, text, expected) => {
    expect(metadataReferenceEnergy(text)).toBe(expected);
  });
});
