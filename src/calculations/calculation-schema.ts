/**
 * Calculation documents (contract v1, docs/data-contracts.md) → normalized, validated records ready to write.
 *
 * The reader accepts the contract's flat arrays and the nested `[[x, y, z], …]` layout that other tools
 * write to a real MongoDB; both decode to the same flat record. Every rule is checked per document and
 * reported as a short reason (`structure.positions: expected 3N = 6 numbers (N = 2 symbols), got 5`), so
 * a bad document can be named with what is wrong with it.
 */
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import { isChemicalSymbol } from '../api';

/** A validated calculation, flat arrays throughout (row-major, Å, eV, eV/Å, eV/Å³). */
export interface CalculationRecord {
  /** The document's `_id` as text (an ObjectId as its 24 hex digits). */
  id: string;
  symbols: string[];
  /** 3N numbers, Å. */
  positions: number[];
  /** 9 numbers (lattice vectors as rows, Å), or null for a molecule. */
  cell: number[] | null;
  pbc: [boolean, boolean, boolean];
  /** Total energy, eV. */
  energy: number;
  /** 3N numbers, eV/Å. */
  forces: number[];
  /** Voigt order xx, yy, zz, yz, xz, xy, eV/Å³; null when the document has none. */
  stress: number[] | null;
}

export type DecodeResult =
  { ok: true; record: CalculationRecord } | { ok: false; id: string; reason: string };

const finite = z.number({ error: 'expected a finite number' });

/** `[[x,y,z], …]` → `[x, y, z, …]`; anything else passes through unchanged (and is judged by the schema). */
function flattenTriples(value: unknown): unknown {
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0])) return value;
  if (!value.every((row) => Array.isArray(row) && row.length === 3)) return value;
  return (value as unknown[][]).flat();
}

/** A 3×3 stress tensor (nested) → Voigt 6; a flat array passes through. */
function stressToVoigt(value: unknown): unknown {
  if (!Array.isArray(value) || value.length !== 3 || !value.every((r) => Array.isArray(r) && r.length === 3))
    return value;
  const m = value as unknown[][];
  return [m[0]![0], m[1]![1], m[2]![2], m[1]![2], m[0]![2], m[0]![1]];
}

const vectorList = z.preprocess(flattenTriples, z.array(finite));

/**
 * The `structure` of a calculation document, shared by every collection that holds structures (the
 * `candidates` contract reuses it): symbols, positions (3N), cell (9 or null), pbc. Checks that need
 * several fields together are in structureIssues.
 */
export const StructureSchema = z.looseObject({
  symbols: z
    .array(z.string().refine(isChemicalSymbol, { message: 'unknown chemical symbol' }))
    .min(1, 'expected at least one atom'),
  positions: vectorList,
  cell: z.preprocess(flattenTriples, z.array(finite).length(9, 'expected 9 numbers or null').nullable()),
  pbc: z.preprocess(
    (v) => (typeof v === 'boolean' ? [v, v, v] : v),
    z.tuple([z.boolean(), z.boolean(), z.boolean()], { error: 'expected three booleans' }),
  ),
});

const ResultsSchema = z.looseObject({
  energy: finite,
  forces: vectorList,
  stress: z.preprocess(stressToVoigt, z.array(finite).length(6, 'expected 6 numbers (Voigt)').nullish()),
});

/** The parts of a contract-v1 document that make a training structure (other fields are ignored). */
export const CalculationDocumentSchema = z
  .looseObject({
    _id: z.unknown(),
    campaign: z.string().optional(),
    generation: z.number().int().min(0).optional(),
    structure: StructureSchema,
    results: ResultsSchema,
  })
  .superRefine((doc, ctx) => {
    structureIssues(doc.structure, ctx);
    const issue = lengthIssue(doc.results.forces, doc.structure.symbols.length);
    if (issue) ctx.addIssue({ code: 'custom', path: ['results', 'forces'], message: issue });
  });

export type Structure = z.infer<typeof StructureSchema>;

function lengthIssue(values: number[], n: number): string | undefined {
  return values.length === 3 * n
    ? undefined
    : `expected 3N = ${3 * n} numbers (N = ${n} symbols), got ${values.length}`;
}

/** What StructureSchema cannot check field by field: positions of 3N numbers, a cell for the periodic directions. */
export function structureIssues(
  structure: Structure,
  ctx: z.RefinementCtx,
  path: PropertyKey[] = ['structure'],
) {
  const issue = lengthIssue(structure.positions, structure.symbols.length);
  if (issue) ctx.addIssue({ code: 'custom', path: [...path, 'positions'], message: issue });
  const problem = cellProblem(structure.cell, structure.pbc);
  if (problem) ctx.addIssue({ code: 'custom', path: [...path, 'cell'], message: problem });
}

const EPS = 1e-8;

/** Why a cell cannot serve the periodic directions, or undefined when it can. */
export function cellProblem(cell: number[] | null, pbc: readonly boolean[]): string | undefined {
  const periodic = [0, 1, 2].filter((i) => pbc[i]);
  if (periodic.length === 0) return undefined;
  if (cell === null)
    return `pbc is periodic along ${periodic.map((i) => 'abc'[i]).join(', ')} but cell is null`;
  const v = (i: number) => [cell[3 * i]!, cell[3 * i + 1]!, cell[3 * i + 2]!];
  const norm = (a: number[]) => Math.hypot(a[0]!, a[1]!, a[2]!);
  const cross = (a: number[], b: number[]) => [
    a[1]! * b[2]! - a[2]! * b[1]!,
    a[2]! * b[0]! - a[0]! * b[2]!,
    a[0]! * b[1]! - a[1]! * b[0]!,
  ];
  for (const i of periodic)
    if (norm(v(i)) < EPS) return `lattice vector ${'abc'[i]} is zero but that direction is periodic`;
  if (periodic.length === 2 && norm(cross(v(periodic[0]!), v(periodic[1]!))) < EPS)
    return 'the two periodic lattice vectors are parallel (degenerate cell)';
  if (periodic.length === 3) {
    const c = cross(v(0), v(1));
    const volume = c[0]! * cell[6]! + c[1]! * cell[7]! + c[2]! * cell[8]!;
    if (Math.abs(volume) < EPS)
      return 'the cell has zero volume (degenerate) but all directions are periodic';
  }
  return undefined;
}

/** The `_id` of a document as text: an ObjectId as hex, a string as itself, anything else as JSON. */
export function documentId(id: unknown): string {
  if (typeof id === 'string') return id;
  if (id instanceof ObjectId) return id.toHexString();
  if (typeof id === 'number' || typeof id === 'bigint') return String(id);
  try {
    return JSON.stringify(id) ?? String(id);
  } catch {
    return String(id);
  }
}

const MAX_ISSUES_IN_REASON = 3;

/** Why a document failed its schema, in one line: the first few issues by field, and how many more. */
export function documentIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues
    .slice(0, MAX_ISSUES_IN_REASON)
    .map((i) => `${i.path.length ? i.path.join('.') : '(document)'}: ${i.message}`);
  if (issues.length > MAX_ISSUES_IN_REASON) shown.push(`(+${issues.length - MAX_ISSUES_IN_REASON} more)`);
  return shown.join('; ');
}

function isFiniteNumberArray(value: unknown, length: number): value is number[] {
  if (!Array.isArray(value) || value.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const x: unknown = value[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) return false;
  }
  return true;
}

/**
 * The common case, checked without building zod's issue lists: a contract-v1 document with flat arrays
 * that passes every rule. Returns undefined for anything else, which then goes through the schema (the
 * single source of truth for what is accepted and for the reasons given). It accepts a subset of what the
 * schema accepts; the unit tests check both agree.
 */
export function decodeFlatFastPath(doc: unknown): CalculationRecord | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const { structure, results, generation, campaign, _id } = doc as Record<string, unknown>;
  if (
    generation !== undefined &&
    !(typeof generation === 'number' && Number.isInteger(generation) && generation >= 0)
  )
    return undefined;
  if (campaign !== undefined && typeof campaign !== 'string') return undefined;
  if (typeof structure !== 'object' || structure === null || typeof results !== 'object' || results === null)
    return undefined;
  const { symbols, positions, cell, pbc } = structure as Record<string, unknown>;
  const { energy, forces, stress } = results as Record<string, unknown>;
  if (!Array.isArray(symbols) || symbols.length === 0) return undefined;
  for (const symbol of symbols) if (typeof symbol !== 'string' || !isChemicalSymbol(symbol)) return undefined;
  const n3 = 3 * symbols.length;
  if (!isFiniteNumberArray(positions, n3) || !isFiniteNumberArray(forces, n3)) return undefined;
  if (cell !== null && !isFiniteNumberArray(cell, 9)) return undefined;
  if (!Array.isArray(pbc) || pbc.length !== 3 || pbc.some((p) => typeof p !== 'boolean')) return undefined;
  if (typeof energy !== 'number' || !Number.isFinite(energy)) return undefined;
  if (stress !== undefined && stress !== null && !isFiniteNumberArray(stress, 6)) return undefined;
  const periodic = pbc as [boolean, boolean, boolean];
  if (cellProblem(cell, periodic) !== undefined) return undefined;
  return {
    id: documentId(_id),
    symbols: symbols as string[],
    positions,
    cell,
    pbc: periodic,
    energy,
    forces,
    stress: (stress as number[] | null | undefined) ?? null,
  };
}

/** Validates one document and normalizes it; never throws on bad data (it says why instead). */
export function decodeCalculation(doc: unknown): DecodeResult {
  const fast = decodeFlatFastPath(doc);
  if (fast) return { ok: true, record: fast };
  return decodeWithSchema(doc);
}

/** decodeCalculation through the zod schema only (every layout, every reason). */
export function decodeWithSchema(doc: unknown): DecodeResult {
  const id = documentId((doc as { _id?: unknown } | null)?._id);
  const parsed = CalculationDocumentSchema.safeParse(doc);
  if (!parsed.success) {
    return { ok: false, id, reason: documentIssues(parsed.error.issues) };
  }
  const { structure, results } = parsed.data;
  return {
    ok: true,
    record: {
      id,
      symbols: structure.symbols,
      positions: structure.positions,
      cell: structure.cell,
      pbc: structure.pbc,
      energy: results.energy,
      forces: results.forces,
      stress: results.stress ?? null,
    },
  };
}

const StructureDocumentSchema = z
  .looseObject({ _id: z.unknown(), structure: StructureSchema })
  .superRefine((doc, ctx) => structureIssues(doc.structure, ctx));

/**
 * Only the structure of a document (an exploration's seed: its results are not read); never throws on
 * bad data.
 */
export function decodeStructureDocument(
  doc: unknown,
): { ok: true; id: string; structure: Structure } | { ok: false; id: string; reason: string } {
  const id = documentId((doc as { _id?: unknown } | null)?._id);
  const parsed = StructureDocumentSchema.safeParse(doc);
  return parsed.success
    ? { ok: true, id, structure: parsed.data.structure }
    : { ok: false, id, reason: documentIssues(parsed.error.issues) };
}
