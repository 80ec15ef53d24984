/**
 * How many ACE functions pacemaker actually built. `number_of_functions_per_element` is only an upper
 * bound: pacemaker takes the first N functions that nradmax_by_orders / lmax_by_orders allow, so a request
 * for 60 functions with small shapes silently becomes 21. `pacemaker --dry-run` writes the basis it built to
 * target_potential.yaml; counting its functions tells whether the request was honoured.
 */

/** One `nbody` entry per function, e.g. `- {type: Cu Ni Ni, nr: [1, 1], ...}`: the first symbol is the central atom. */
const FUNCTION_ENTRY = /^\s*-\s*\{\s*type:\s*([A-Z][a-z]?)\b/gm;

/** Functions per central element in a pacemaker potential YAML (target_potential.yaml, output_potential.yaml). */
export function countFunctionsPerElement(potentialYaml: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of potentialYaml.matchAll(FUNCTION_ENTRY)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  return counts;
}

export interface BasisShortfall {
  element: string;
  /** Functions the shapes hold for this element: the most that can be asked for. */
  available: number;
}

/** The elements for which pacemaker built fewer functions than requested (empty: the request was honoured). */
export function basisShortfalls(
  requestedPerElement: number,
  built: Map<string, number>,
  elements: string[],
): BasisShortfall[] {
  return elements
    .map((element) => ({ element, available: built.get(element) ?? 0 }))
    .filter((e) => e.available < requestedPerElement);
}
