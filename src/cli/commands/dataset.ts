/**
 * `mlip-train dataset export`: the training set of a campaign as files, outside any workflow — the same
 * extxyz and manifest that fetchTrainingData writes into a workspace (optionally pacemaker's pickle too).
 */
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { loadEnv } from '../../config';
import { connectDatabase, classifyMongoError } from '../../db';
import { exportTrainingSet, type ExportTrainingSetResult } from '../../training-set';
import { SelectionSchema } from '../../api';
import { parseCommandArgs } from '../args';
import {
  invalidRecordsFromFlags,
  SELECTION_HELP,
  SELECTION_OPTIONS,
  selectionFromFlags,
} from '../selection-flags';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';

const usage = `Usage: mlip-train dataset export --campaign NAME [--out FILE.extxyz] [selection] [options]

Writes the completed calculations of a campaign as an ASE extended-XYZ file, and next to it a manifest
(FILE.manifest.json: counts per element, what was excluded and why, duplicates, the query, a SHA-256 of the
content). Same validation, selection and ordering as the training workflow's fetchTrainingData.

Selection:
${SELECTION_HELP}
Options:
  --out FILE                the extxyz to write (default: ./<campaign>.extxyz)
  --pacemaker               also write pacemaker's dataset (FILE.pckl.gzip) with the project's Python
  --json                    print a JSON summary

Environment: MONGODB_URI, MLIP_DB, MLIP_PYTHON.
Exit codes: 0 written, 1 failed (invalid data, nothing selected, database unreachable), 2 usage.`;

function parseSelection(values: Parameters<typeof selectionFromFlags>[0]) {
  const parsed = SelectionSchema.safeParse(selectionFromFlags(values));
  if (!parsed.success)
    throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

async function exportCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    campaign: { type: 'string' },
    out: { type: 'string' },
    ...SELECTION_OPTIONS,
    pacemaker: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.campaign === undefined || values.campaign === '') throw new UsageError('--campaign is required');
  const selection = parseSelection(values);
  const invalidRecords = invalidRecordsFromFlags(values) ?? 'fail';
  const fallbackName = `${values.campaign.replace(/[^A-Za-z0-9._-]/g, '_')}.extxyz`;
  const extxyzPath = path.resolve(values.out ?? fallbackName);
  const stem = extxyzPath.replace(/\.extxyz$|\.xyz$/, '');
  const env = loadEnv(io.env);

  const database = connectDatabase(env.MONGODB_URI, env.MLIP_DB);
  try {
    const db = await database.db().catch((err: unknown) => {
      throw classifyMongoError(err, 'connecting');
    });
    const result = await exportTrainingSet({
      db,
      campaign: values.campaign,
      selection,
      invalidRecords,
      extxyzPath,
      manifestPath: `${stem}.manifest.json`,
      pacemaker: values.pacemaker ? { datasetPath: `${stem}.pckl.gzip`, python: env.MLIP_PYTHON } : undefined,
    });
    printExport(result, values.json ?? false, io);
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof ApplicationFailure) {
      io.err(`mlip-train dataset export: ${err.type ?? 'Error'}: ${err.message}`);
      return ExitCode.Failed;
    }
    throw err;
  } finally {
    await database.close().catch(() => undefined);
  }
}

function printExport(result: ExportTrainingSetResult, json: boolean, io: CliIo): void {
  const { counts, sha256, elements } = result.manifest;
  if (json) {
    io.out(
      JSON.stringify({
        extxyzPath: result.extxyzPath,
        manifestPath: result.manifestPath,
        pacemakerDatasetPath: result.pacemakerDatasetPath,
        structures: counts.structures,
        atoms: counts.atoms,
        elements,
        sha256,
        excluded: counts.excluded,
        duplicates: counts.duplicates,
        skippedInvalid: counts.skippedInvalid,
      }),
    );
    return;
  }
  io.out(
    `wrote ${counts.structures} structures (${counts.atoms} atoms; ${elements.join(', ')}) to ${result.extxyzPath}`,
  );
  if (result.pacemakerDatasetPath) io.out(`pacemaker dataset: ${result.pacemakerDatasetPath}`);
  io.out(`manifest: ${result.manifestPath}`);
  io.out(
    `excluded ${counts.excluded}, duplicates ${counts.duplicates}, invalid skipped ${counts.skippedInvalid}; sha256 ${sha256}`,
  );
}

const SUBCOMMANDS: Record<string, CliCommand['run']> = { export: exportCommand };

export const datasetCommand: CliCommand = {
  name: 'dataset',
  summary: "write a campaign's training set as extxyz + manifest (dataset export)",
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = args;
    const run = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (!run) throw new UsageError(`expected a sub-command: ${Object.keys(SUBCOMMANDS).join(', ')}`);
    return run(rest, io);
  },
};
