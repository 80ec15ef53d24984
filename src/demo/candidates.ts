/**
 * Demo candidates (`mlip-train seed-demo --candidates`): the mocked DFT factory's structures without their
 * labels, some of them compressed far outside anything a demo campaign trains on, so that a scoring run
 * has something to find. Pure: the factory's records in, candidate documents out.
 */

/** A structure in the calculations contract's flat layout (what the factories print). */
export interface FlatStructure {
  symbols: string[];
  positions: number[];
  cell: number[] | null;
  pbc: [boolean, boolean, boolean];
}

export interface CompressionPlan {
  /** Every N-th structure (index % N === N - 1) is compressed; 0: none. */
  every: number;
  /** Linear compression: cell and positions are scaled by 1 - compression (0.2 → 80 %). */
  compression: number;
}

export function isCompressed(index: number, plan: CompressionPlan): boolean {
  return plan.every > 0 && index % plan.every === plan.every - 1;
}

/** The structure with its cell and every position scaled by `factor` (an affine map: fractional coordinates stay). */
export function scaleStructure(structure: FlatStructure, factor: number): FlatStructure {
  return {
    ...structure,
    positions: structure.positions.map((x) => x * factor),
    cell: structure.cell === null ? null : structure.cell.map((x) => x * factor),
  };
}

/** The id suffix of a compressed candidate ("-c20" for 20 %), so that it never clashes with the original. */
export function compressionTag(plan: CompressionPlan): string {
  return `-c${Math.round(plan.compression * 100)}`;
}

export type DemoCandidateDocument = {
  _id: string;
  campaign: string;
  generation: number;
  structure: FlatStructure;
  /** Where it came from: the generator, the structure kind, and the compression applied (0 for none). */
  origin: { generator: string; kind: string; seed: number; index: number; compression: number };
};

export function demoCandidate(
  record: { index: number; kind: string; structure: FlatStructure },
  options: {
    baseId: string;
    campaign: string;
    generation: number;
    generator: string;
    seed: number;
    plan: CompressionPlan;
  },
): DemoCandidateDocument {
  const compressed = isCompressed(record.index, options.plan);
  return {
    _id: compressed ? `${options.baseId}${compressionTag(options.plan)}` : options.baseId,
    campaign: options.campaign,
    generation: options.generation,
    structure: compressed ? scaleStructure(record.structure, 1 - options.plan.compression) : record.structure,
    origin: {
      generator: options.generator,
      kind: record.kind,
      seed: options.seed,
      index: record.index,
      compression: compressed ? options.plan.compression : 0,
    },
  };
}
