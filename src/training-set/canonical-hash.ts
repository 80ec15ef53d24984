/**
 * Content hashes: one per structure (to find identical structures) and one over a whole dataset (same
 * data → same hash, whatever the document ids or the machine).
 *
 * A structure's canonical content is its symbols, positions, cell, pbc, energy, forces and stress, with
 * every number as its IEEE-754 float64 bytes (little-endian, -0 folded into 0): two records hash alike
 * exactly when every number is bitwise the same. The document id is not content, so the same calculation
 * stored twice is a duplicate.
 */
import { createHash } from 'node:crypto';
import type { CalculationRecord } from '../calculations';

/** Bumped whenever the canonical byte layout changes (old and new hashes must never collide). */
export const CANONICAL_FORMAT = 'mlip-structure-v1';

/** SHA-256 (32 bytes) over the canonical content of one structure. */
export function structureHash(record: CalculationRecord): Buffer {
  const { positions, cell, forces, stress } = record;
  const count = positions.length + (cell?.length ?? 0) + 1 + forces.length + (stress?.length ?? 0);
  const numbers = new Float64Array(count);
  let k = 0;
  const put = (values: readonly number[]) => {
    for (let i = 0; i < values.length; i++) numbers[k++] = values[i]! + 0; // -0 + 0 === +0
  };
  put(positions);
  if (cell) put(cell);
  numbers[k++] = record.energy + 0;
  put(forces);
  if (stress) put(stress);
  // The header fixes how the numbers split into fields, so different layouts never collide.
  const header =
    `${CANONICAL_FORMAT}\nsymbols:${record.symbols.join(',')}\npbc:${record.pbc.map((p) => (p ? 'T' : 'F')).join('')}` +
    `\npositions:${positions.length}\ncell:${cell ? cell.length : 'null'}\nenergy:1\nforces:${forces.length}` +
    `\nstress:${stress ? stress.length : 'null'}\n`;
  return createHash('sha256').update(header).update(new Uint8Array(numbers.buffer)).digest();
}

/** SHA-256 over a dataset: its structures' hashes in dataset order. Feed with add(), read with hex(). */
export class DatasetHasher {
  private readonly hash = createHash('sha256').update(`mlip-dataset-v1/${CANONICAL_FORMAT}\n`);
  private count = 0;

  add(structureDigest: Buffer): void {
    this.hash.update(structureDigest);
    this.count++;
  }

  hex(): string {
    return this.hash.update(`count:${this.count}`).digest('hex');
  }
}
