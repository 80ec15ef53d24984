/**
 * `mlip-train label-demo`: the mocked DFT step of an active-learning loop. Takes candidate structures (by id,
 * from the `candidates` collection, typically the ids a scoring round selected), labels them with the same
 * stand-in for DFT as `seed-demo` (python/label_structures.py), and inserts them as completed calculations
 * of a campaign and generation. Idempotent: a calculation whose id is already there is left alone, so a
 * retried loop step adds nothing twice. Candidates are only read, never changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadEnv, PYTHON_HELPERS_DIR } from '../../config';
import { COLLECTIONS, connectDatabase } from '../../db';
import { runProcess } from '../../process';
import { intFlag, parseCommandArgs } from '../args';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';
import { DOCUMENT_LINE_MAX_CHARS, LABELLERS } from './seed-demo';

const usage = `Usage: mlip-train label-demo --campaign NAME --generation G [options] ID...

The mocked DFT step between active-learning rounds: labels the given candidate structures (ids in the
'candidates' collection, e.g. the ids a scoreCandidates run selected) with a demo labeller and inserts
them into 'calculations' as completed calculations of campaign NAME and generation G. A calculation's
id is its candidate's id, so running the same command twice inserts nothing the second time.

Options:
  --campaign NAME     campaign the labelled calculations join (required)
  --generation G      active-learning generation to record (required)
  --labeller NAME     emt|kumagai-si|erhart-albe-sic (default: emt), as in seed-demo
  --ids-file FILE     read ids from FILE (one per line, or a JSON array) as well as from the arguments
  --json              print the result as JSON

Environment: MONGODB_URI, MLIP_DB, MLIP_PYTHON.
Exit codes: 0 labelled, 1 failed (unknown ids, a structure the labeller cannot label), 2 usage.`;

interface CandidateDoc {
  _id: string;
  structure: unknown;
}

/** Ids from the arguments and an optional file (JSON array or one per line), deduplicated, in order. */
export function candidateIds(positional: string[], fileText?: string): string[] {
  let fromFile: string[] = [];
  if (fileText !== undefined) {
    const trimmed = fileText.trim();
    if (trimmed.startsWith('[')) {
      const parsed: unknown = JSON.parse(trimmed);
      if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'string'))
        throw new UsageError('--ids-file: a JSON file must hold an array of id strings');
      fromFile = parsed as string[];
    } else fromFile = trimmed.split(/\r?\n/);
  }
  return [...new Set([...positional, ...fromFile].map((s) => s.trim()).filter(Boolean))];
}

/** Labels structures with python/label_structures.py, streaming them through its stdin/stdout. */
async function labelStructures(
  python: string,
  labeller: string,
  docs: CandidateDoc[],
): Promise<Map<string, { results?: unknown; error?: string }>> {
  const out = new Map<string, { results?: unknown; error?: string }>();
  const { code, stderrTail } = await runProcess({
    command: python,
    args: [path.join(PYTHON_HELPERS_DIR, 'label_structures.py'), '--labeller', labeller],
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

export const labelDemoCommand: CliCommand = {
  name: 'label-demo',
  summary: 'label selected candidates with the demo labeller into calculations (mocked DFT between rounds)',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        campaign: { type: 'string' },
        generation: { type: 'string' },
        labeller: { type: 'string' },
        'ids-file': { type: 'string' },
        json: { type: 'boolean' },
      },
      true,
    );
    const campaign = values.campaign?.trim();
    if (!campaign) throw new UsageError('--campaign is required');
    const generation = intFlag('generation', values.generation);
    if (generation === undefined || generation < 0)
      throw new UsageError(`--generation is required: an integer >= 0, got ${values.generation}`);
    const labellerName = values.labeller ?? 'emt';
    if (!Object.hasOwn(LABELLERS, labellerName))
      throw new UsageError(
        `--labeller must be one of ${Object.keys(LABELLERS).join(', ')}, got '${labellerName}'`,
      );
    const labeller = LABELLERS[labellerName as keyof typeof LABELLERS];
    let fileText: string | undefined;
    if (values['ids-file'] !== undefined) {
      try {
        fileText = fs.readFileSync(values['ids-file'], 'utf8');
      } catch (err) {
        throw new UsageError(`--ids-file: cannot read ${values['ids-file']}: ${(err as Error).message}`);
      }
    }
    const ids = candidateIds(positionals, fileText);
    if (ids.length === 0) throw new UsageError('give at least one candidate id (arguments or --ids-file)');
    const env = loadEnv(io.env);

    const database = connectDatabase(env.MONGODB_URI, env.MLIP_DB);
    try {
      const db = await database.db();
      const calculations = db.collection<{ _id: string } & Record<string, unknown>>(COLLECTIONS.calculations);
      const present = new Set(
        (await calculations.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray()).map(
          (d) => d._id,
        ),
      );
      const wanted = ids.filter((id) => !present.has(id));
      const docs = wanted.length
        ? await db
            .collection<CandidateDoc>(COLLECTIONS.candidates)
            .find({ _id: { $in: wanted } }, { projection: { _id: 1, structure: 1 } })
            .toArray()
        : [];
      const found = new Set(docs.map((d) => d._id));
      const missing = wanted.filter((id) => !found.has(id));
      if (missing.length > 0) {
        io.err(
          `mlip-train label-demo: ${missing.length} id(s) are not in the 'candidates' collection of database ` +
            `'${env.MLIP_DB}': ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}; nothing was inserted.`,
        );
        return ExitCode.Failed;
      }
      const labelled = await labelStructures(env.MLIP_PYTHON, labellerName, docs);
      const failed = docs.filter((d) => labelled.get(d._id)?.results === undefined);
      if (failed.length > 0) {
        io.err(
          `mlip-train label-demo: the ${labeller.name} labeller could not label ${failed.length} structure(s); nothing was inserted:\n` +
            failed
              .slice(0, 10)
              .map((d) => `  ${d._id}: ${labelled.get(d._id)?.error ?? 'no answer'}`)
              .join('\n'),
        );
        return ExitCode.Failed;
      }
      const completedAt = new Date();
      if (docs.length > 0)
        await calculations.insertMany(
          docs.map((d) => ({
            _id: d._id,
            campaign,
            generation,
            status: 'completed',
            structure: d.structure,
            results: labelled.get(d._id)!.results,
            dft: { ...labeller.dft, kind: 'candidate' },
            completedAt,
          })),
          { ordered: true },
        );
      const result = { campaign, generation, labelled: docs.length, alreadyPresent: present.size };
      if (values.json) io.out(JSON.stringify(result));
      else
        io.out(
          `labelled ${docs.length} candidate(s) with ${labeller.name} into campaign '${campaign}', generation ${generation}` +
            (present.size ? `; ${present.size} already present, left as they were` : ''),
        );
      return ExitCode.Ok;
    } finally {
      await database.close();
    }
  },
};
