/**
 * The mocked DFT step of an active-learning loop (`mlip-train label-demo`): candidate structures (by id, from
 * the `candidates` collection, typically the ids a scoring round selected) labelled with the same stand-in
 * for DFT as the seeding (python/mlip_autopipe/demo/label_structures.py), and inserted as completed
 * calculations of a campaign and generation. Idempotent: a calculation whose id is already there is left
 * alone, so a retried loop step adds nothing twice. All or nothing: an unknown id or a structure the labeller
 * cannot label inserts none, so a typo cannot half-label a round. Candidates are only read, never changed.
 */
import path from 'node:path';
import { PYTHON_DEMO_DIR } from '../config';
import { COLLECTIONS, connectDatabase } from '../db';
import { runProcess } from '../process';
import { DOCUMENT_LINE_MAX_CHARS, LABELLERS, type DemoEnv, type LabellerName } from './labellers';

export interface LabelDemoOptions {
  campaign: string;
  generation: number;
  labeller: LabellerName;
  ids: string[];
}

export type LabelDemoResult =
  | { ok: true; labelled: number; alreadyPresent: number }
  /** Ids that are not in the `candidates` collection. */
  | { ok: false; missing: string[] }
  /** Structures the labeller could not label, with its reason. */
  | { ok: false; unlabelled: { id: string; error: string }[] };

interface CandidateDoc {
  _id: string;
  structure: unknown;
}

/** Labels structures with label_structures.py (PYTHON_DEMO_DIR), streaming them through its stdin/stdout. */
async function labelStructures(
  python: string,
  labeller: LabellerName,
  docs: CandidateDoc[],
): Promise<Map<string, { results?: unknown; error?: string }>> {
  const out = new Map<string, { results?: unknown; error?: string }>();
  const { code, stderrTail } = await runProcess({
    command: python,
    args: [path.join(PYTHON_DEMO_DIR, 'label_structures.py'), '--labeller', labeller],
    // A few hundred structures at most between rounds: written at once, read back line by line.
    stdin: (input) =>
      input.end(docs.map((d) => JSON.stringify({ id: d._id, structure: d.structure })).join('\n') + '\n'),
    onLine: (line, stream) => {
      if (stream !== 'stdout' || !line.trim()) return undefined;
      const item = JSON.parse(line) as { id: string; results?: unknown; error?: string };
      out.set(item.id, item);
      return undefined;
    },
    maxLineChars: DOCUMENT_LINE_MAX_CHARS,
    tailBytes: 4000,
  });
  if (code !== 0) throw new Error(`label_structures.py exited with code ${code ?? 1}: ${stderrTail.trim()}`);
  return out;
}

export async function labelDemo(o: LabelDemoOptions, env: DemoEnv): Promise<LabelDemoResult> {
  const database = connectDatabase(env.MONGODB_URI, env.MLIP_DB);
  try {
    const db = await database.db();
    const calculations = db.collection<{ _id: string } & Record<string, unknown>>(COLLECTIONS.calculations);
    const present = new Set(
      (await calculations.find({ _id: { $in: o.ids } }, { projection: { _id: 1 } }).toArray()).map(
        (d) => d._id,
      ),
    );
    const wanted = o.ids.filter((id) => !present.has(id));
    const docs = wanted.length
      ? await db
          .collection<CandidateDoc>(COLLECTIONS.candidates)
          .find({ _id: { $in: wanted } }, { projection: { _id: 1, structure: 1 } })
          .toArray()
      : [];
    const found = new Set(docs.map((d) => d._id));
    const missing = wanted.filter((id) => !found.has(id));
    if (missing.length > 0) return { ok: false, missing };
    const labelled = await labelStructures(env.MLIP_PYTHON, o.labeller, docs);
    const unlabelled = docs
      .filter((d) => labelled.get(d._id)?.results === undefined)
      .map((d) => ({ id: d._id, error: labelled.get(d._id)?.error ?? 'no answer' }));
    if (unlabelled.length > 0) return { ok: false, unlabelled };
    const completedAt = new Date();
    if (docs.length > 0)
      await calculations.insertMany(
        docs.map((d) => ({
          _id: d._id,
          campaign: o.campaign,
          generation: o.generation,
          status: 'completed',
          structure: d.structure,
          results: labelled.get(d._id)!.results,
          dft: { ...LABELLERS[o.labeller].dft, kind: 'candidate' },
          completedAt,
        })),
        { ordered: true },
      );
    return { ok: true, labelled: docs.length, alreadyPresent: present.size };
  } finally {
    await database.close();
  }
}

/** Why nothing was inserted, in words (the CLI's and the loop's). */
export function labelDemoRefusal(
  result: Exclude<LabelDemoResult, { ok: true }>,
  o: Pick<LabelDemoOptions, 'labeller'>,
  database: string,
): string {
  if ('missing' in result) {
    const { missing } = result;
    return (
      `${missing.length} id(s) are not in the 'candidates' collection of database ` +
      `'${database}': ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}; nothing was inserted.`
    );
  }
  const { unlabelled } = result;
  return (
    `the ${LABELLERS[o.labeller].name} labeller could not label ${unlabelled.length} structure(s); nothing was inserted:\n` +
    unlabelled
      .slice(0, 10)
      .map((u) => `  ${u.id}: ${u.error}`)
      .join('\n')
  );
}
