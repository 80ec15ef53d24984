/**
 * python/mlip_autopipe/helpers/explore_md.py's JSON lines, validated: anything outside the protocol is an
 * ExplorerProtocolError.
 */
import { z } from 'zod';

const finite = z.number().refine(Number.isFinite, 'expected a finite number');

const FrameStructureSchema = z.strictObject({
  symbols: z.array(z.string()).min(1),
  positions: z.array(finite),
  cell: z.array(finite).length(9),
  pbc: z.tuple([z.literal(true), z.literal(true), z.literal(true)]),
});

export const ExplorerLineSchema = z.union([
  z.strictObject({ ready: z.strictObject({ runs: z.number().int().min(0) }) }),
  z.strictObject({
    frame: z.strictObject({
      run: z.number().int().min(0),
      step: z.number().int().min(1),
      gammaMax: finite,
      structure: FrameStructureSchema,
    }),
  }),
  z.strictObject({
    progress: z.strictObject({ run: z.number().int().min(0), step: z.number().int().min(0) }),
  }),
  z.strictObject({
    run: z.strictObject({
      index: z.number().int().min(0),
      sampled: z.number().int().min(0),
      extrapolative: z.number().int().min(0),
      printed: z.number().int().min(0),
      stoppedAtStep: z.number().int().min(1).nullable(),
      gammaMax: finite.nullable(),
      error: z.string().nullable(),
    }),
  }),
  z.strictObject({ done: z.strictObject({ runs: z.number().int().min(0) }) }),
]);

export type ExplorerLine = z.infer<typeof ExplorerLineSchema>;
export type ExplorerRunSummary = Extract<ExplorerLine, { run: unknown }>['run'];

/** The explorer wrote something outside its protocol: a bug, never the data's fault. */
export class ExplorerProtocolError extends Error {}

export function parseExplorerLine(line: string): ExplorerLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ExplorerProtocolError(`the MD explorer wrote a line that is not JSON: ${line.slice(0, 200)}`);
  }
  const parsed = ExplorerLineSchema.safeParse(value);
  if (!parsed.success)
    throw new ExplorerProtocolError(`the MD explorer wrote an unexpected record: ${line.slice(0, 200)}`);
  return parsed.data;
}
