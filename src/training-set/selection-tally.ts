/**
 * The export's bookkeeping, document by document: which documents are kept and which are left out (invalid,
 * excluded by the selection, duplicates), with the counts and lists the manifest and the failures report.
 * Pure apart from hashing: the export feeds it the cursor's documents and writes what it keeps.
 */
import { decodeCalculation, type CalculationRecord } from '../calculations';
import type { InvalidRecordsPolicy, Selection } from '../api';
import { DatasetHasher, structureHash } from './canonical-hash';
import { MANIFEST_MAX_LISTED_IDS, type Manifest } from './manifest';

/** How many offending documents an InvalidTrainingData failure names (the total is always given). */
export const MAX_INVALID_IDS_IN_FAILURE = 20;

/** Why a valid record is left out by the selection, or undefined when it is kept. */
export function exclusionReason(
  record: CalculationRecord,
  selection: Selection,
  allowed: ReadonlySet<string> | undefined,
): { kind: 'elements' | 'maxForce'; reason: string } | undefined {
  if (allowed) {
    const outside = [...new Set(record.symbols.filter((s) => !allowed.has(s)))].sort();
    if (outside.length)
      return { kind: 'elements', reason: `elements: contains ${outside.join(', ')}, not in the selection` };
  }
  if (selection.maxForce !== undefined) {
    let max = 0;
    for (const f of record.forces) if (Math.abs(f) > max) max = Math.abs(f);
    if (max > selection.maxForce)
      return {
        kind: 'maxForce',
        reason: `maxForce: largest force component ${max} eV/Å > ${selection.maxForce} eV/Å`,
      };
  }
  return undefined;
}

export class SelectionTally {
  readonly hasher = new DatasetHasher();
  readonly atomsPerElement = new Map<string, number>();
  readonly structuresPerElement = new Map<string, number>();
  readonly excluded: Manifest['excluded'] = [];
  readonly excludedByReason = { elements: 0, maxForce: 0 };
  readonly duplicates: Manifest['duplicates'] = [];
  /** Under "skip", the skipped documents (listed up to the manifest's cap); under "fail", the first few. */
  readonly invalid: { id: string; reason: string }[] = [];
  invalidCount = 0;
  documentsRead = 0;
  structures = 0;
  atoms = 0;
  /** A list was cut at MANIFEST_MAX_LISTED_IDS entries. */
  truncated = false;
  private readonly allowed: ReadonlySet<string> | undefined;
  /** structure hash (base64) → id of the kept structure: 32 bytes per kept structure. */
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly selection: Selection,
    private readonly invalidRecords: InvalidRecordsPolicy,
  ) {
    this.allowed = selection.elements ? new Set(selection.elements) : undefined;
  }

  /** The record to write next, or undefined when the document is left out (and counted as such). */
  admit(doc: unknown): CalculationRecord | undefined {
    this.documentsRead++;
    const decoded = decodeCalculation(doc);
    if (!decoded.ok) {
      this.invalidCount++;
      if (this.invalidRecords === 'skip')
        this.listed(this.invalid, { id: decoded.id, reason: decoded.reason });
      else if (this.invalid.length < MAX_INVALID_IDS_IN_FAILURE)
        this.invalid.push({ id: decoded.id, reason: decoded.reason });
      return undefined;
    }
    // Under "fail" one invalid document dooms the run: keep reading only to count them all.
    if (this.doomed) return undefined;
    const record = decoded.record;
    const exclusion = exclusionReason(record, this.selection, this.allowed);
    if (exclusion) {
      this.excludedByReason[exclusion.kind]++;
      this.listed(this.excluded, { id: record.id, reason: exclusion.reason });
      return undefined;
    }
    const digest = structureHash(record);
    const key = digest.toString('base64');
    const first = this.seen.get(key);
    if (first !== undefined) {
      this.listed(this.duplicates, { id: record.id, duplicateOf: first });
      return undefined;
    }
    this.seen.set(key, record.id);
    this.hasher.add(digest);
    return record;
  }

  /** Counts a record admit() returned, once it is written. */
  written(record: CalculationRecord): void {
    this.structures++;
    this.atoms += record.symbols.length;
    for (const s of record.symbols) this.atomsPerElement.set(s, (this.atomsPerElement.get(s) ?? 0) + 1);
    for (const s of new Set(record.symbols))
      this.structuresPerElement.set(s, (this.structuresPerElement.get(s) ?? 0) + 1);
  }

  /** The selection's limit is reached: read no further. */
  get full(): boolean {
    return this.selection.limit !== undefined && this.structures >= this.selection.limit;
  }

  /** Invalid documents were found under invalidRecords "fail". */
  get doomed(): boolean {
    return this.invalidRecords === 'fail' && this.invalidCount > 0;
  }

  private listed<T>(list: T[], item: T): void {
    if (list.length < MANIFEST_MAX_LISTED_IDS) list.push(item);
    else this.truncated = true;
  }
}
