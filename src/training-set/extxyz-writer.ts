/**
 * One structure as an ASE extended-XYZ frame, readable by `ase.io.read(path, index=":")`.
 *
 * Numbers are printed with JavaScript's shortest round-trip representation: parsing the text gives back
 * the same float64, bit for bit, so nothing that matters to a fit is lost. Stress is written as the full
 * symmetric 3×3 matrix (row-major), the form ASE's reader requires; ASE turns it back into Voigt order.
 */
import type { CalculationRecord } from '../calculations';

/** ASE's header for the per-atom columns this writer emits. */
export const PROPERTIES = 'Properties=species:S:1:pos:R:3:forces:R:3';

/** A float with round-trip precision that always reads back as a float (`-7` → `-7.0`). */
export function formatFloat(x: number): string {
  const s = String(x);
  return s.includes('.') || s.includes('e') || s.includes('N') || s.includes('I') ? s : `${s}.0`;
}

/** Per-atom numbers: shortest round-trip text, `-0` printed as `0`. */
function num(x: number): string {
  return String(x);
}

/** A double-quoted extxyz value with `"` and `\` escaped (ASE un-escapes them). */
export function quoteValue(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ')}"`;
}

/** Voigt (xx, yy, zz, yz, xz, xy) → the 9 entries of the symmetric 3×3 matrix, row-major. */
export function voigtToMatrix(s: readonly number[]): number[] {
  const [xx, yy, zz, yz, xz, xy] = s as [number, number, number, number, number, number];
  return [xx, xy, xz, xy, yy, yz, xz, yz, zz];
}

/** The comment (second) line of a frame. */
export function frameHeader(record: CalculationRecord): string {
  const parts: string[] = [];
  if (record.cell !== null) parts.push(`Lattice="${record.cell.map(formatFloat).join(' ')}"`);
  parts.push(PROPERTIES, `energy=${formatFloat(record.energy)}`);
  if (record.stress !== null)
    parts.push(`stress="${voigtToMatrix(record.stress).map(formatFloat).join(' ')}"`);
  parts.push(`pbc="${record.pbc.map((p) => (p ? 'T' : 'F')).join(' ')}"`);
  parts.push(`calc_id=${quoteValue(record.id)}`);
  return parts.join(' ');
}

/** A complete frame, ending with a newline. */
export function formatFrame(record: CalculationRecord): string {
  const { symbols, positions: p, forces: f } = record;
  let out = `${symbols.length}\n${frameHeader(record)}\n`;
  for (let i = 0, k = 0; i < symbols.length; i++, k += 3) {
    out += `${symbols[i]} ${num(p[k]!)} ${num(p[k + 1]!)} ${num(p[k + 2]!)} ${num(f[k]!)} ${num(f[k + 1]!)} ${num(f[k + 2]!)}\n`;
  }
  return out;
}
