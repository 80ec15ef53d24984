/**
 * The selection flags shared by `mlip-train start` and `mlip-train dataset export`: one definition of
 * the options, their help text and their parsing, so both commands select the same structures the same way.
 */
import { intFlag, numberFlag } from './args';
import { UsageError } from './command';
import type { InvalidRecordsPolicy, Selection } from '../api';

export const SELECTION_OPTIONS = {
  'max-generation': { type: 'string' },
  elements: { type: 'string' },
  'max-force': { type: 'string' },
  'dft-settings-hash': { type: 'string' },
  limit: { type: 'string' },
  'invalid-records': { type: 'string' },
} as const;

export const SELECTION_HELP = `  --max-generation G        selection.maxGeneration: only calculations with generation <= G
  --elements E1,E2          selection.elements: keep structures whose elements are all in this list
  --max-force F             selection.maxForce (eV/Å): leave out structures with a larger force component
  --dft-settings-hash H     selection.dftSettingsHash: only calculations with these DFT settings
  --limit N                 selection.limit: at most N structures
  --invalid-records fail|skip   documents that break contract v1: fail (default), or skip and report them`;

type FlagValues = { [K in keyof typeof SELECTION_OPTIONS]?: string };

/** The selection fields the flags set (unset flags are absent); the caller validates the whole selection. */
export function selectionFromFlags(values: FlagValues): Partial<Selection> {
  const fields: Partial<Selection> = {
    maxGeneration: intFlag('max-generation', values['max-generation']),
    elements: values.elements
      ?.split(',')
      .map((e) => e.trim())
      .filter(Boolean),
    maxForce: numberFlag('max-force', values['max-force']),
    dftSettingsHash: values['dft-settings-hash'],
    limit: intFlag('limit', values.limit),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

export function invalidRecordsFromFlags(values: FlagValues): InvalidRecordsPolicy | undefined {
  const policy = values['invalid-records'];
  if (policy === undefined) return undefined;
  if (policy !== 'fail' && policy !== 'skip')
    throw new UsageError(`--invalid-records must be fail or skip, got '${policy}'`);
  return policy;
}
