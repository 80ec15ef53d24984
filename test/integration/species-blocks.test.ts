/**
 * What src/pacemaker/species-blocks.ts predicts, against pacemaker's own basis builder (pyace): the request
 * written into input.yaml makes pacemaker build exactly the functions per element the user gets, for several
 * elements and for correlation orders that leave some species blocks empty.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { INSTALLED } from '../../src/config/paths';
import { functionsBuilt, pacemakerFunctionsRequest } from '../../src/pacemaker';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);
const ELEMENTS = ['Al', 'Ni', 'Cu', 'Pd', 'Ag'];

/** [elements, wanted per element, correlationOrder]: each shares a request among its blocks in its own way. */
const CASES: [number, number, number][] = [
  [3, 9, 1], // 4 blocks per element, 3 usable: the pair-only blocks
  [4, 14, 2], // 8 blocks per element, 7 usable
  [5, 30, 3], // 16 blocks per element, 15 usable: the five-element block needs correlationOrder 4
  [5, 32, 4], // every block usable: the request is the count
];

test('pacemaker builds the functions per element that the written request is meant to, and one less builds what functionsBuilt says', () => {
  const requests = CASES.flatMap(([elements, wanted, order]) => {
    const request = pacemakerFunctionsRequest(wanted, elements, order)!;
    return [request, request - 1].map((r) => ({
      elements: ELEMENTS.slice(0, elements),
      request: r,
      correlationOrder: order,
    }));
  });
  const built = execFileSync(
    INSTALLED.python,
    [fixture('count_basis_functions.py'), JSON.stringify(requests)],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .map((line) => [...new Set(Object.values(JSON.parse(line) as Record<string, number>))]);
  expect(built).toEqual(
    requests.map((r) => [functionsBuilt(r.request, r.elements.length, r.correlationOrder)]),
  );
  expect(built.filter((_, i) => i % 2 === 0)).toEqual(CASES.map(([, wanted]) => [wanted]));
}, 60_000);
