import { loggedErrors, MAX_MESSAGE_CHARS, trimPacemakerOutput } from '../../src/pacemaker/dry-run';

const traceback = `2026-11-28 20:38:38,969 - pyace.generalfit - INFO - Loading input.yaml
Traceback (most recent call last):
  File "/venv/bin/pacemaker", line 8, in <module>
    sys.exit(main())
             ^^^^^^
  File "/venv/lib/python3.11/site-packages/pyace/multispecies_basisextension.py", line 690, in create_species_block
    raise ValueError(
ValueError: Specified potential shape is too big and goes beyond the precomputed BBasisFunc white-list
for unified combination (0, 0, 0, 0, 0)
`;

describe("pacemaker's refusal is reported by its own message, trimmed", () => {
  test('keeps the exception line(s) of the traceback, not the frames or the log', () => {
    expect(trimPacemakerOutput(traceback)).toBe(
      'ValueError: Specified potential shape is too big and goes beyond the precomputed BBasisFunc white-list\nfor unified combination (0, 0, 0, 0, 0)',
    );
  });

  test('with chained exceptions, reports the last one', () => {
    const chained = `Traceback (most recent call last):\n  File "a.py", line 1\nKeyError: 'x'\n\nDuring handling of the above exception, another exception occurred:\n\n${traceback}`;
    expect(trimPacemakerOutput(chained)).toMatch(/^ValueError: Specified potential shape/);
  });

  test('without a traceback, keeps the last non-empty lines', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n\n');
    const trimmed = trimPacemakerOutput(lines).split('\n');
    expect(trimmed).toHaveLength(15);
    expect(trimmed.at(-1)).toBe('line 39');
  });

  test('is bounded, keeping the end', () => {
    const long = `Traceback (most recent call last):\n  File "x"\nRuntimeError: ${'y'.repeat(5000)}END`;
    const trimmed = trimPacemakerOutput(long);
    expect(trimmed.length).toBe(MAX_MESSAGE_CHARS);
    expect(trimmed.endsWith('END')).toBe(true);
  });

  test('colour codes are removed and empty output says so', () => {
    expect(trimPacemakerOutput('\x1b[31mboom\x1b[0m')).toBe('boom');
    expect(trimPacemakerOutput('\n\n')).toBe('(pacemaker printed nothing)');
  });

  test('ERROR log lines are picked out of a successful run', () => {
    const out = `2026-11-28 20:38:46,539 - pyace.generalfit - INFO - fine\n2026-11-28 20:38:46,539 - pyace.fitadapter - ERROR - No module named 'tensorpotential'\n`;
    expect(loggedErrors(out)).toEqual(["No module named 'tensorpotential'"]);
  });
});
