/**
 * Content hashes: one per structure (to find identical structures) and one over a whole dataset (same
 * data → same hash, whatever the document ids or the machine).
 *
 * A structure's canonical content is its symbols, positions, cell, pbc, energy, forces and stress, with
 * every number as its IEEE-754 float64 bytes (little-endian, -0 folded into 0): two records hash alike
 * exactly when every number is bitwise the same. The document id is not content, so the same calculation
 * stored twice is a duplicate.
 */
import { createHash, type Hash } from 'node:crypto';
import type { CalculationRecord } from '../calculations/calculation-schema';

/** Bumped whenever the canonical byte layout changes (old and new hashes must never collide). */
export const CANONICAL_FORMAT = 'mlip-structure-v1';

function updateNumbers(hash: Hash, tag: string, values: readonly number[]) {
  const bytes = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = values[i]! + 0; // -0 + 0 === +0
  hash.update(`${tag}${values.length}:`);
  hash.update(new Uint8Array(bytes.buffer));
}

/** SHA-256 (32 bytes) over the canonical content of one structure. */
export function structureHash(record: CalculationRecord): Buffer {
  const hash = createHash('sha256');
  hash.update(`${CANONICAL_FORMAT}\nsymbols:${record.symbols.join(',')}\n`);
  updateNumbers(hash, 'positions', record.positions);
  if (record.cell === null) hash.update('cell:null');
  else updateNumbers(hash, 'cell', record.cell);
  hash.update(`pbc:${record.pbc.map((p) => (p ? 'T' : 'F')).join('')}`);
  updateNumbers(hash, 'energy', [record.energy]);
  updateNumbers(hash, 'forces', record.forces);
  if (record.stress === null) hash.update('stress:null');
  else updateNumbers(hash, 'stress', record.stress);
  return hash.digest();
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
