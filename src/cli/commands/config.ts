/**
 * `mlip-train config`: shows the pacemaker input.yaml that a training of a campaign would use, from the same
 * translation the workflow's generatePacemakerConfig runs; `--explain` documents every TrainerParams field.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadEnv } from '../../config';
import { COLLECTIONS, connectDatabase } from '../../db';
import {
  basisForElements,
  buildPacemakerDocument,
  explainTrainerParams,
  formatExplain,
  renderPacemakerYaml,
  type PacemakerDocument,
} from '../../pacemaker';
import { resolveTrainerParams, type TrainerParamsInput } from '../../api';
import { parseCommandArgs } from '../args';
import { readRequestFile } from '../request-file';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';

const DEFAULT_DATASET = 'dataset.pckl.gzip';

const usage = `Usage: mlip-train config --campaign NAME [--trainer FILE.yaml|FILE.json] [--print | --out FILE [--force]]
       mlip-train config --explain [--json]

Translates TrainerParams (defaults, or those in --trainer) into the pacemaker input.yaml that a training of
the campaign would use. The elements come from the campaign's completed calculations in MongoDB.
Invalid parameters are refused with the field named (exit 1).

Options:
  --campaign NAME     campaign whose completed calculations give the elements
  --trainer FILE      TrainerParams as YAML or JSON (the same object as a training request's \`trainer\`)
  --elements E1,E2    use these elements instead of asking MongoDB (e.g. with a selection.elements filter)
  --data FILE         data.filename to write (default ${DEFAULT_DATASET}; a training uses its workspace's)
  --print             print input.yaml to stdout
  --out FILE          write input.yaml here (default ./input.yaml); an existing file is kept unless --force
  --force             overwrite --out
  --explain           list every TrainerParams field with its type, default and description
  --json              with --explain: the list as JSON; when writing: a JSON summary

Environment: MONGODB_URI, MLIP_DB.
Exit codes: 0 done, 1 failed (invalid parameters, campaign without completed calculations, database
unreachable, file exists), 2 usage.`;

/** The element symbols of a campaign's completed calculations, sorted. */
export async function campaignElements(io: CliIo, campaign: string): Promise<string[]> {
  const env = loadEnv(io.env);
  const handle = connectDatabase(env.MONGODB_URI, env.MLIP_DB);
  try {
    const calculations = (await handle.db()).collection(COLLECTIONS.calculations);
    const filter = { campaign: { $eq: campaign }, status: { $eq: 'completed' } };
    let symbols: unknown[];
    try {
      symbols = await calculations.distinct('structure.symbols', filter);
    } catch {
      // A server without distinct on array fields: read the symbols and collect them here.
      const seen = new Set<unknown>();
      const cursor = calculations.find(filter, { projection: { _id: 0, 'structure.symbols': 1 } });
      for await (const doc of cursor) {
        const list = (doc as { structure?: { symbols?: unknown } }).structure?.symbols;
        if (Array.isArray(list)) for (const s of list) seen.add(s);
      }
      symbols = [...seen];
    }
    return [...new Set(symbols.filter((s): s is string => typeof s === 'string'))].sort();
  } finally {
    await handle.close();
  }
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    campaign: { type: 'string' },
    trainer: { type: 'string' },
    elements: { type: 'string' },
    data: { type: 'string' },
    print: { type: 'boolean' },
    out: { type: 'string' },
    force: { type: 'boolean' },
    explain: { type: 'boolean' },
    json: { type: 'boolean' },
  });

  if (values.explain) {
    const entries = explainTrainerParams();
    io.out(values.json ? JSON.stringify(entries, null, 2) : formatExplain(entries));
    return ExitCode.Ok;
  }
  if (!values.campaign) throw new UsageError('--campaign is required (or --explain)');
  if (values.print && (values.out !== undefined || values.force))
    throw new UsageError('--print writes to stdout: it cannot be combined with --out or --force');

  // An unreadable or invalid --trainer file is a failure (exit 1), like invalid parameters in it.
  const trainerFile = values.trainer
    ? await readRequestFile('trainer', values.trainer, (message) => new Error(message))
    : {};
  const resolved = resolveTrainerParams(trainerFile);
  const elements = values.elements
    ? values.elements
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)
    : await campaignElements(io, values.campaign);
  if (elements.length === 0) {
    io.err(
      `mlip-train config: campaign '${values.campaign}' has no completed calculations, so no elements to fit`,
    );
    return ExitCode.Failed;
  }
  const dataPath = values.data ?? DEFAULT_DATASET;
  // resolveTrainerParams accepted the file, so it is a TrainerParamsInput.
  const basis = basisForElements(resolved, trainerFile as TrainerParamsInput, elements.length);
  const doc = buildPacemakerDocument(basis.trainer, { elements, pacemakerDatasetPath: dataPath });
  const note =
    `Campaign ${values.campaign}, elements from ${values.elements ? '--elements' : 'its completed calculations'}. ` +
    `\nA training writes data.filename as its workspace's dataset; here it is ${dataPath}.` +
    (basis.note ? `\n${basis.note}` : '');
  const text = renderPacemakerYaml(doc, note);

  if (values.print) {
    io.out(text.trimEnd());
    return ExitCode.Ok;
  }
  return writeInputYaml(doc, text, values, io);
}

/** input.yaml written to --out (never over a file unless --force), and a line (or JSON) saying so. */
async function writeInputYaml(
  doc: PacemakerDocument,
  text: string,
  values: { out?: string; force?: boolean; json?: boolean },
  io: CliIo,
): Promise<number> {
  const out = path.resolve(values.out ?? 'input.yaml');
  try {
    await fs.writeFile(out, text, { encoding: 'utf8', flag: values.force ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      io.err(
        `mlip-train config: ${out} exists; not overwritten (use --force to replace it, or --out elsewhere)`,
      );
      return ExitCode.Failed;
    }
    throw err;
  }
  const kappa = doc.fit.loss as { kappa: number | 'auto' };
  if (values.json) {
    io.out(JSON.stringify({ inputYamlPath: out, elements: doc.potential.elements, kappa: kappa.kappa }));
  } else {
    io.out(`wrote ${out} (elements ${doc.potential.elements.join(', ')}; fit.loss.kappa ${kappa.kappa})`);
  }
  return ExitCode.Ok;
}

export const configCommand: CliCommand = {
  name: 'config',
  summary: 'show the pacemaker input.yaml a training would use; --explain documents TrainerParams',
  usage,
  run,
};
