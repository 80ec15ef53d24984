/**
 * How pacemaker shares an element's functions among its species blocks, and what that makes of
 * ace.functionsPerElement for several elements.
 *
 * pacemaker builds one block per central element and per set of other elements its functions couple it to:
 * all 2^(E-1) subsets of the other E-1 elements. It gives every block the same share of
 * number_of_functions_per_element × E, rounded down (pyace's multispecies_basisextension: ladder_step =
 * N·E // blocks), and a block whose set has more elements than the correlation order holds no function at all.
 * So an element gets floor(N / 2^(E-1)) functions in each of its usable blocks, and a request of 300 is not
 * honoured for four or five elements. Counted with pyace 0.4.0rc1 (create_multispecies_basis_config,
 * the default shapes, 300 asked): 300 per element for one to three elements, 296 for four and 288 for five
 * at correlation order 4; 270 for five at order 3; 259 for four and 198 for five at order 2.
 */
import { TrainerParamsError, type TrainerParams, type TrainerParamsInput } from '../api';

/** Species blocks pacemaker builds per central element: one per subset of the other elements. */
export function speciesBlocksPerElement(elementCount: number): number {
  return 2 ** (elementCount - 1);
}

/** The blocks of an element that can hold functions: those coupling it to at most correlationOrder others. */
export function usableBlocksPerElement(elementCount: number, correlationOrder: number): number {
  let usable = 0;
  for (let others = 0; others <= Math.min(elementCount - 1, correlationOrder); others++)
    usable += binomial(elementCount - 1, others);
  return usable;
}

/** Functions per element pacemaker builds for number_of_functions_per_element `request`, shapes permitting. */
export function functionsBuilt(request: number, elementCount: number, correlationOrder: number): number {
  return (
    Math.floor(request / speciesBlocksPerElement(elementCount)) *
    usableBlocksPerElement(elementCount, correlationOrder)
  );
}

/**
 * The number_of_functions_per_element that makes pacemaker build `wanted` functions per element (each usable
 * block its equal share), or undefined when no request does: `wanted` is not a multiple of the usable blocks.
 */
export function pacemakerFunctionsRequest(
  wanted: number,
  elementCount: number,
  correlationOrder: number,
): number | undefined {
  const usable = usableBlocksPerElement(elementCount, correlationOrder);
  if (wanted % usable !== 0) return undefined;
  return (wanted / usable) * speciesBlocksPerElement(elementCount);
}

/** Why functionsPerElement must be a multiple of the usable blocks, in a user's words. */
function sharingReason(elementCount: number, correlationOrder: number): string {
  const usable = usableBlocksPerElement(elementCount, correlationOrder);
  return (
    `with ${elementCount} elements pacemaker shares each element's functions equally among the ${usable} ` +
    `species blocks that couple it to up to ${Math.min(elementCount - 1, correlationOrder)} other elements ` +
    `(correlationOrder ${correlationOrder}), so it builds a multiple of ${usable} per element`
  );
}

export interface BasisForElements {
  trainer: TrainerParams;
  /** For input.yaml, where the default was changed to suit the element count. */
  note?: string;
}

/**
 * ace.functionsPerElement for the campaign's element count. The default (asked: the request as the user
 * wrote it, a warm start's parent folded in, has none) becomes the largest multiple of the usable blocks
 * not above it, so that four- and five-element campaigns train on the defaults; a value the user set that
 * pacemaker cannot build is refused, naming the nearest value below that it can.
 */
export function basisForElements(
  trainer: TrainerParams,
  asked: TrainerParamsInput | undefined,
  elementCount: number,
): BasisForElements {
  const { functionsPerElement, correlationOrder } = trainer.ace;
  const usable = usableBlocksPerElement(elementCount, correlationOrder);
  if (functionsPerElement % usable === 0) return { trainer };
  const below = Math.floor(functionsPerElement / usable) * usable;
  if (asked?.ace?.functionsPerElement !== undefined)
    throw new TrainerParamsError([
      {
        field: 'ace.functionsPerElement',
        // Not the next multiple up: it may be more than the shapes hold (pyace did not finish building
        // 304 per element for five elements in 11 minutes, where 288 took 100 s).
        message:
          `is ${functionsPerElement}, but ${sharingReason(elementCount, correlationOrder)}: ask for ` +
          `${below > 0 ? below : usable}, or another multiple of ${usable}`,
      },
    ]);
  const adapted = Math.max(below, usable);
  return {
    trainer: { ...trainer, ace: { ...trainer.ace, functionsPerElement: adapted } },
    note:
      `ace.functionsPerElement: ${adapted}, the default ${functionsPerElement} made a multiple of ${usable}: ` +
      `${sharingReason(elementCount, correlationOrder)}.`,
  };
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}
