/**
 * Seeding a demo campaign (`mlip-train seed-demo`): a labeller's factory prints its sequence, and each
 * structure becomes a completed calculation in contract-v1 shape or, unlabelled, a candidate to score.
 *
 * Never touches existing data silently: a campaign that already has documents is refused unless `append`,
 * and with `append` documents whose (deterministic) _id is already there are left alone, so seeding the
 * same slice twice inserts nothing the second time.
 */
import path from 'node:path';
import { PYTHON_DEMO_DIR } from '../config';
import { COLLECTIONS, connectDatabase } from '../db';
import { runProcessLines } from '../process';
import {
  compressionTag,
  demoCandidate,
  isCompressed,
  type CompressionPlan,
  type FlatStructure,
} from './candidates';
import { DOCUMENT_LINE_MAX_CHARS, LABELLERS, type DemoEnv, type LabellerName } from './labellers';

const INSERT_BATCH = 200;

export interface SeedDemoOptions {
  labeller: LabellerName;
  campaign: string;
  elements: string[];
  count: number;
  seed: number;
  /** First index of the factory's sequence, to extend a campaign. */
  start: number;
  generation: number;
  append: boolean;
  /** Candidates (the structures unlabelled, some compressed as planned) instead of calculations. */
  candidates?: CompressionPlan;
}

export type SeedDemoResult =
  | { refused: true; collection: string; existing: number }
  | { refused: false; collection: string; inserted: number; alreadyPresent: number };

interface SeedTarget {
  collection: string;
  idOf(index: number): string;
  document(line: FactoryLine, id: string): { _id: string } & Record<string, unknown>;
}

interface FactoryLine {
  index: number;
  kind: string;
  structure: unknown;
  results: unknown;
}

async function* factoryDocuments(
  python: string,
  script: string,
  args: string[],
): AsyncGenerator<FactoryLine, void, undefined> {
  const stop = new AbortController();
  const factory = runProcessLines({
    command: python,
    args: [path.join(PYTHON_DEMO_DIR, script), ...args],
    signal: stop.signal,
    tailBytes: 4000,
    maxLineChars: DOCUMENT_LINE_MAX_CHARS,
  });
  try {
    for await (const line of factory.lines) {
      if (line.trim()) yield JSON.parse(line) as FactoryLine;
    }
    const { code, stderrTail } = await factory.result;
    if (code !== 0) throw new Error(`${script} exited with code ${code ?? 1}: ${stderrTail.trim()}`);
  } finally {
    // A reader that stopped early (a failed insert): the factory has nobody left to print for.
    stop.abort();
    await factory.result.catch(() => undefined);
  }
}

function seedTarget(o: SeedDemoOptions): SeedTarget {
  const labeller = LABELLERS[o.labeller];
  const baseId = (index: number, prefix = '') =>
    `${o.campaign}/${prefix}${labeller.idTag}-${o.elements.join('')}-seed${o.seed}-${String(index).padStart(6, '0')}`;
  const plan = o.candidates;
  if (plan)
    return {
      collection: COLLECTIONS.candidates,
      idOf: (index) =>
        isCompressed(index, plan) ? baseId(index, 'cand-') + compressionTag(plan) : baseId(index, 'cand-'),
      document: (d) =>
        demoCandidate(
          { index: d.index, kind: d.kind, structure: d.structure as FlatStructure },
          {
            baseId: baseId(d.index, 'cand-'),
            campaign: o.campaign,
            generation: o.generation,
            generator: labeller.name,
            seed: o.seed,
            plan,
          },
        ),
    };
  return {
    collection: COLLECTIONS.calculations,
    idOf: (index) => baseId(index),
    document: (d, id) => ({
      _id: id,
      campaign: o.campaign,
      generation: o.generation,
      status: 'completed',
      structure: d.structure,
      results: d.results,
      dft: { ...labeller.dft, kind: d.kind },
      completedAt: new Date(),
    }),
  };
}

export async function seedDemo(o: SeedDemoOptions, env: DemoEnv): Promise<SeedDemoResult> {
  const labeller = LABELLERS[o.labeller];
  const target = seedTarget(o);
  const database = connectDatabase(env.MONGODB_URI, env.MLIP_DB);
  try {
    const collection = (await database.db()).collection<{ _id: string } & Record<string, unknown>>(
      target.collection,
    );
    const existing = await collection.countDocuments({ campaign: { $eq: o.campaign } });
    if (existing > 0 && !o.append) return { refused: true, collection: target.collection, existing };
    const idOf = target.idOf;
    let inserted = 0;
    let alreadyPresent = 0;
    let batch: FactoryLine[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const ids = batch.map((d) => idOf(d.index));
      const present = new Set(
        (await collection.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray()).map(
          (d) => d._id,
        ),
      );
      const docs = batch
        .filter((d) => !present.has(idOf(d.index)))
        .map((d) => target.document(d, idOf(d.index)));
      if (docs.length) await collection.insertMany(docs, { ordered: true });
      inserted += docs.length;
      alreadyPresent += present.size;
      batch = [];
    };
    const factoryArgs = [
      ...(labeller.takesElements ? ['--elements', o.elements.join(',')] : []),
      '--count',
      String(o.count),
      '--seed',
      String(o.seed),
      '--start',
      String(o.start),
    ];
    for await (const doc of factoryDocuments(env.MLIP_PYTHON, labeller.script, factoryArgs)) {
      batch.push(doc);
      if (batch.length >= INSERT_BATCH) await flush();
    }
    await flush();
    return { refused: false, collection: target.collection, inserted, alreadyPresent };
  } finally {
    await database.close();
  }
}
