/**
 * Absolute energies in the files users load. pacemaker fits `energy_corrected`: the data's total energy
 * minus each atom's single-atom reference energy (python-ace 0.4, pyace/process_df.py). With
 * `reference_energy: auto` it fits per-element energies e and a per-atom `shift` s by least squares and
 * subtracts e - s per atom; it keeps them only as JSON in output_potential.yaml's metadata
 * (`reference_energy: '{"Si": e, "shift": s}'`), a constant leaves '{}' there, and an explicit
 * per-element dict is stored as given. `pace_yaml2yace` writes `E0: [0, …]` into the .yace, and ML-PACE
 * (pyace, LAMMPS) adds each atom's element E0 to its energy: unless the references go into E0, a published
 * potential returns energies electronvolts away from the data's (measured 4.3–5.3 eV/atom for silicon).
 *
 * The B-basis YAML (output_potential.yaml) has no E0 field at all (ACEBBasisSet fills its E0 with zeros
 * when it reads one, ace_b_basis.cpp), so there the references stay in the metadata: the extrapolation
 * grade it gives with the active set does not depend on them, and warm starts read them from there.
 * Pure.
 */

/** Why the reference energies of a potential could not be told: names what is missing. */
export class ReferenceEnergyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReferenceEnergyError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * eV per atom of each element that pacemaker subtracted from the data, pacemaker's `shift` folded in.
 * `metadataJson` is output_potential.yaml's `metadata.reference_energy`; `configured` is what the fit was
 * told (input.yaml's `data.reference_energy`, or TrainerParams.referenceEnergy): a number or a per-element
 * dict decides where the metadata keeps nothing usable. Throws ReferenceEnergyError when neither names
 * every element.
 */
export function referenceEnergiesPerElement(
  metadataJson: string | undefined,
  configured: unknown,
  elements: readonly string[],
): Record<string, number> {
  let stored: unknown;
  try {
    stored = metadataJson === undefined ? undefined : JSON.parse(metadataJson);
  } catch {
    stored = undefined;
  }
  if (isRecord(stored) && elements.every((e) => typeof stored[e] === 'number')) {
    const shift = typeof stored.shift === 'number' ? stored.shift : 0;
    return Object.fromEntries(elements.map((e) => [e, (stored[e] as number) - shift]));
  }
  if (typeof configured === 'number') return Object.fromEntries(elements.map((e) => [e, configured]));
  if (isRecord(configured) && elements.every((e) => typeof configured[e] === 'number'))
    return Object.fromEntries(elements.map((e) => [e, configured[e] as number]));
  throw new ReferenceEnergyError(
    `no reference energy recorded for ${elements.join(', ')} (neither in the potential's metadata nor in the ` +
      `fit's settings)`,
  );
}

/** The header of a .yace: its `elements:` and `E0:` lines, which pace_yaml2yace writes first. */
const HEADER_LINES = 20;
const ELEMENTS_LINE = /^elements:\s*\[([^\]]*)\]\s*$/;
const E0_LINE = /^E0:\s*\[([^\]]*)\]\s*$/;

function headerLine(lines: string[], pattern: RegExp, what: string): { index: number; items: string[] } {
  for (let i = 0; i < Math.min(lines.length, HEADER_LINES); i++) {
    const m = pattern.exec(lines[i]!);
    if (m) {
      const items = m[1]!
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      return { index: i, items };
    }
  }
  throw new ReferenceEnergyError(
    `not a .yace written by pace_yaml2yace: no top-level "${what}: [...]" line in its first ${HEADER_LINES} lines`,
  );
}

/** The first whole lines of a .yace (at least 4 KiB of it) and the rest. */
function splitHeader(yaceText: string): { head: string; rest: string } {
  const cut = yaceText.indexOf('\n', Math.min(yaceText.length, 4096));
  return cut < 0 ? { head: yaceText, rest: '' } : { head: yaceText.slice(0, cut), rest: yaceText.slice(cut) };
}

/** The elements of a .yace and the E0 (eV per atom) it adds for each. Throws ReferenceEnergyError. */
export function yaceReferenceEnergies(yaceText: string): Record<string, number> {
  const lines = splitHeader(yaceText).head.split('\n');
  const elements = headerLine(lines, ELEMENTS_LINE, 'elements').items;
  const e0 = headerLine(lines, E0_LINE, 'E0').items.map(Number);
  if (e0.length !== elements.length || e0.some((v) => !Number.isFinite(v)))
    throw new ReferenceEnergyError(
      `its E0 line has ${e0.length} values for ${elements.length} elements (${elements.join(', ')})`,
    );
  return Object.fromEntries(elements.map((e, i) => [e, e0[i]!]));
}

/**
 * The .yace text with `energies` as its E0, in the order of its `elements:` line; every other byte kept.
 * Sets rather than adds, so folding twice gives the same file. Throws ReferenceEnergyError when the file
 * has no such header or `energies` lacks one of its elements.
 */
export function withReferenceEnergies(yaceText: string, energies: Record<string, number>): string {
  const { head, rest } = splitHeader(yaceText);
  const lines = head.split('\n');
  const elements = headerLine(lines, ELEMENTS_LINE, 'elements').items;
  const e0 = headerLine(lines, E0_LINE, 'E0');
  const missing = elements.filter((e) => typeof energies[e] !== 'number' || !Number.isFinite(energies[e]));
  if (missing.length > 0)
    throw new ReferenceEnergyError(`no reference energy for ${missing.join(', ')} of the potential`);
  // JavaScript's shortest round-trip form: the file holds exactly the double that was fitted.
  lines[e0.index] = `E0: [${elements.map((e) => String(energies[e])).join(', ')}]`;
  return lines.join('\n') + rest;
}

/**
 * The reference energies of a fitted potential, per element of its .yace: from its output_potential.yaml's
 * metadata, or what the fit was told (`configured`, as for referenceEnergiesPerElement). What
 * executeTraining folds into every new .yace and `potentials --absolute` into one published before.
 * Throws ReferenceEnergyError.
 */
export function fittedReferenceEnergies(
  yaceText: string,
  potentialYamlText: string,
  configured: unknown,
): Record<string, number> {
  return referenceEnergiesPerElement(
    metadataReferenceEnergy(potentialYamlText),
    configured,
    Object.keys(yaceReferenceEnergies(yaceText)),
  );
}

/**
 * `metadata.reference_energy` of a pacemaker potential (output_potential.yaml), read from its `metadata:`
 * block alone: the functions below it can be megabytes. Undefined when there is none.
 */
export function metadataReferenceEnergy(potentialYamlText: string): string | undefined {
  const lines = potentialYamlText.split('\n', 200);
  const start = lines.findIndex((l) => /^metadata:\s*$/.test(l));
  if (start < 0) return undefined;
  for (let i = start + 1; i < lines.length && /^\s/.test(lines[i]!); i++) {
    const m = /^\s+reference_energy:\s*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    const value = m[1]!.trim();
    // pacemaker writes the JSON as a YAML string: single-quoted ('' for a quote), double-quoted or plain.
    if (value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1).replace(/''/g, "'");
    if (value.startsWith('"')) {
      try {
        return JSON.parse(value) as string;
      } catch {
        return undefined;
      }
    }
    return value;
  }
  return undefined;
}
