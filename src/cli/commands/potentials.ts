/** `mlip-train potentials`: the registry of published potentials (MongoDB collection `potentials`). */
import { loadEnv } from '../../config';
import { connectDatabase, redactMongoUri } from '../../db';
import { potentialsCollection, type PotentialRecord } from '../../registry';
import { parsePotentialRef } from '../../api';
import { parseCommandArgs } from '../args';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';
import { formatTable } from '../table';
import { printLineage } from './potentials-lineage';
import { writeAbsoluteCopy } from './potentials-energies';
import { showPotential } from './potentials-show';
import path from 'node:path';

const usage = `Usage: mlip-train potentials [--name NAME] [--json]
       mlip-train potentials --show NAME[@vK] [--json]
       mlip-train potentials --lineage NAME[@vK] [--json]
       mlip-train potentials --absolute NAME@vK --out FILE.yace

Lists the published potentials, newest version first within each name: id (name@vVERSION), campaign,
dataset size, final train/test RMSEs of energy (meV/atom) and forces (meV/Å), and the .yace path.
--show prints the path of one potential's learning-curve plot (learning-curve.svg: loss and RMSEs per
iteration, open it in a browser), of its .yace, and of each figure pacemaker drew at the end of the fit
(report/*.png: parity plots and error distributions, for the train and the test set), with what it
shows, and whether its energies are absolute (the reference energies pacemaker subtracted from the
data are in the .yace's E0, so pyace and LAMMPS return the data's total energies: every version published
from this release on) or relative (versions published before; it prints what to add per atom); without
@vK the latest version.
--absolute writes a copy of a relative version's .yace with its reference energies folded into E0 to
FILE.yace (never over an existing file; the published file is left as it is).
--lineage prints which potential each version was warm-started from (TrainingRequest.initialPotential),
newest first: every version of NAME (or only NAME@vK) and, following each parent, its ancestors, with
dataset size, iterations and final train/test RMSEs, so you can see whether each generation improved.

Options:
  --name NAME          only versions of this potential
  --show NAME[@vK]     one potential: its learning curve, .yace, active set and figures
  --lineage NAME[@vK]  the warm-start chain: each version → its parent, newest first
  --absolute NAME@vK   with --out FILE.yace: a copy of its .yace that returns absolute energies
  --json               print the registry documents (with --show: {id, learningCurve, yace, directory,
                       referenceEnergies, absoluteEnergies, figures: [{file, path, sha256, bytes,
                       description}]}; with --lineage:
                       {lineage: [documents, newest first], missingParents: [ids]})

Environment: MONGODB_URI, MLIP_DB.
Exit codes: 0 done (also an empty list), 1 the potential is unknown or has no learning curve, --absolute
could not write its copy, or MongoDB is unreachable; 2 usage.`;

const rmse = (s: { rmseEnergyMeVPerAtom: number; rmseForcesMeVPerA: number } | null | undefined) =>
  s ? `${s.rmseEnergyMeVPerAtom.toFixed(2)} / ${s.rmseForcesMeVPerA.toFixed(1)}` : '-';

/** What the command line asks for: the flags, and the one potential named by --show or --absolute. */
interface PotentialsRequest {
  values: {
    name?: string;
    show?: string;
    lineage?: string;
    absolute?: string;
    out?: string;
    json?: boolean;
  };
  /** The potential --show or --absolute names (without @vK: the latest version). */
  wanted?: { name: string; version?: number };
  /** How the command line named it. */
  shown?: string;
}

function parseRequest(args: string[]): PotentialsRequest {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      name: { type: 'string' },
      show: { type: 'string' },
      lineage: { type: 'string' },
      absolute: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    },
    true,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (values.show !== undefined && values.name !== undefined)
    throw new UsageError('--show NAME[@vK] already names the potential: leave out --name');
  if (values.lineage !== undefined && (values.name !== undefined || values.show !== undefined))
    throw new UsageError('--lineage NAME[@vK] already names the potential: leave out --name and --show');
  if (values.absolute !== undefined) {
    if (values.name !== undefined || values.show !== undefined || values.lineage !== undefined)
      throw new UsageError(
        '--absolute NAME@vK already names the potential: leave out --name, --show and --lineage',
      );
    const ref = parsePotentialRef(values.absolute.trim());
    if (!ref || ref.version === undefined)
      throw new UsageError(`--absolute takes NAME@vK (one version), got '${values.absolute}'`);
    if (values.out === undefined) throw new UsageError('--absolute needs --out FILE.yace (a new file)');
  } else if (values.out !== undefined) throw new UsageError('--out goes with --absolute NAME@vK');
  const shown = values.show ?? values.absolute;
  if (shown === undefined) return { values };
  const wanted = parsePotentialRef(shown.trim());
  if (!wanted || shown.trim() === '') throw new UsageError(`--show takes NAME or NAME@vK, got '${shown}'`);
  return { values, wanted, shown };
}

async function run(args: string[], io: CliIo): Promise<number> {
  const request = parseRequest(args);
  const { values, wanted } = request;
  const env = loadEnv(io.env);
  const handle = connectDatabase(env.MONGODB_URI, env.MLIP_DB);
  try {
    const found = await withUnreachableHint(env.MONGODB_URI, async () => {
      const collection = potentialsCollection(await handle.db());
      if (values.lineage !== undefined)
        return await printLineage(collection, values.lineage, values.json ?? false, io);
      const name = wanted?.name ?? values.name;
      const filter = {
        ...(name !== undefined ? { name: { $eq: name } } : {}),
        ...(wanted?.version !== undefined ? { version: { $eq: wanted.version } } : {}),
      };
      const cursor = collection.find(filter).sort({ name: 1, version: -1 });
      return await (wanted ? cursor.limit(1) : cursor).toArray();
    });
    // --lineage has printed its answer: its exit code.
    if (typeof found === 'number') return found;
    if (wanted) return showOne(found[0], request, io);
    return listPotentials(found, values, io);
  } finally {
    await handle.close();
  }
}

/** `read`'s failure, said as what to do when MongoDB cannot be reached. */
async function withUnreachableHint<T>(uri: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/ECONNREFUSED|Server selection timed out|getaddrinfo|connect/i.test(msg))
      throw new Error(
        `cannot reach MongoDB at ${redactMongoUri(uri)}: start it with ./temporal-dev.sh up or set MONGODB_URI (${msg})`,
      );
    throw err;
  }
}

/** --show or --absolute: the one potential named. */
function showOne(r: PotentialRecord | undefined, { values, shown }: PotentialsRequest, io: CliIo): number {
  if (!r) {
    io.err(
      `mlip-train potentials: no potential ${shown} in the registry (list them with: mlip-train potentials)`,
    );
    return ExitCode.Failed;
  }
  if (values.absolute !== undefined) return absoluteCopy(r, values.out!, io);
  const { learningCurve } = showPotential(r, values.json ?? false, io);
  if (!learningCurve) {
    io.err(
      `mlip-train potentials: ${r._id} has no learning curve (published before learning curves were drawn, or pacemaker wrote no metrics table); see ${r.directory}`,
    );
    return ExitCode.Failed;
  }
  return ExitCode.Ok;
}

function listPotentials(records: PotentialRecord[], values: PotentialsRequest['values'], io: CliIo): number {
  if (values.json) {
    io.out(JSON.stringify(records, null, 2));
    return ExitCode.Ok;
  }
  if (records.length === 0) {
    io.out(
      values.name !== undefined
        ? `no potential named '${values.name}' in the registry`
        : 'the registry is empty',
    );
    return ExitCode.Ok;
  }
  const table = [
    ['ID', 'CAMPAIGN', 'STRUCTURES', 'TRAIN E/F RMSE', 'TEST E/F RMSE', 'YACE'],
    ...records.map((r) => [
      r._id,
      r.campaign,
      String(r.dataset.structures),
      rmse(r.metrics.train),
      rmse(r.metrics.test),
      r.files.yace?.path ?? '-',
    ]),
  ];
  for (const line of formatTable(table)) io.out(line);
  io.out(
    'RMSEs: energy meV/atom / forces meV/Å. Learning curve of one: mlip-train potentials --show NAME[@vK]',
  );
  return ExitCode.Ok;
}

function absoluteCopy(record: PotentialRecord, out: string, io: CliIo): number {
  try {
    const energies = writeAbsoluteCopy(record, out);
    io.out(
      `wrote ${path.resolve(out)}: ${record._id} with E0 per atom (eV) ${Object.entries(energies)
        .map(([el, v]) => `${el} ${v}`)
        .join(', ')}${record.referenceEnergies ? ' (its published .yace already had them)' : ''}`,
    );
    return ExitCode.Ok;
  } catch (err) {
    io.err(`mlip-train potentials --absolute: ${err instanceof Error ? err.message : String(err)}`);
    return ExitCode.Failed;
  }
}

export const potentialsCommand: CliCommand = {
  name: 'potentials',
  summary:
    'the registry of published potentials; --show NAME[@vK] gives its learning curve, .yace and figures; --lineage NAME its warm-start chain',
  usage,
  run,
};
