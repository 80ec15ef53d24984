/**
 * `mlip-train potentials --lineage NAME[@vK]`: which potential each version was warm-started from
 * (registry field `parent`, set from TrainingRequest.initialPotential), newest first, with the figures
 * that show whether each generation improved on the one before.
 */
import type { Collection } from 'mongodb';
import { type PotentialRecord } from '../../registry';
import { parsePotentialRef, potentialId } from '../../api';
import { ExitCode, UsageError, type CliIo } from '../command';
import { formatTable } from '../table';

/** NAME or NAME@vK. */
export function parseLineageTarget(value: string): { name: string; version?: number } {
  const target = parsePotentialRef(value.trim());
  if (!target) throw new UsageError(`--lineage takes NAME or NAME@vK, got '${value}'`);
  return target;
}

/**
 * The lineage, newest first: from `start`, each record followed by its parent, its parent's parent, ...
 * `lookup` answers a registry id (null: not in the registry). A parent already shown is not followed
 * again (versions of one name share ancestors; a cycle cannot loop). Missing parents are listed by id.
 */
export async function collectLineage(
  start: PotentialRecord[],
  lookup: (id: string) => Promise<PotentialRecord | null>,
): Promise<{ records: PotentialRecord[]; missing: string[] }> {
  const seen = new Map<string, PotentialRecord>(start.map((r) => [r._id, r]));
  const missing: string[] = [];
  const queue = [...start];
  while (queue.length > 0) {
    const parent = queue.shift()!.parent;
    if (parent === undefined || seen.has(parent) || missing.includes(parent)) continue;
    const record = await lookup(parent);
    if (!record) {
      missing.push(parent);
      continue;
    }
    seen.set(parent, record);
    queue.push(record);
  }
  const records = [...seen.values()].sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? 1 : -1),
  );
  return { records, missing };
}

const rmse = (s: { rmseEnergyMeVPerAtom: number; rmseForcesMeVPerA: number } | null | undefined) =>
  s ? `${s.rmseEnergyMeVPerAtom.toFixed(2)} / ${s.rmseForcesMeVPerA.toFixed(1)}` : '-';

export async function printLineage(
  collection: Collection<PotentialRecord>,
  target: string,
  json: boolean,
  io: CliIo,
): Promise<number> {
  const { name, version } = parseLineageTarget(target);
  const start =
    version !== undefined
      ? await collection.find({ _id: { $eq: potentialId(name, version) } }).toArray()
      : await collection.find({ name: { $eq: name } }).toArray();
  if (start.length === 0) {
    io.err(
      `mlip-train potentials: no potential ${target} in the registry (list them with: mlip-train potentials)`,
    );
    return ExitCode.Failed;
  }
  const { records, missing } = await collectLineage(start, (id) => collection.findOne({ _id: { $eq: id } }));
  if (json) {
    io.out(JSON.stringify({ lineage: records, missingParents: missing }, null, 2));
    return ExitCode.Ok;
  }
  const table = [
    ['ID', 'PARENT', 'STRUCTURES', 'ITERATIONS', 'TRAIN E/F RMSE', 'TEST E/F RMSE', 'PUBLISHED'],
    ...records.map((r) => [
      r._id,
      r.parent ?? '-',
      String(r.dataset.structures),
      String(r.iterations),
      rmse(r.metrics.train),
      rmse(r.metrics.test),
      r.createdAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    ]),
  ];
  for (const line of formatTable(table)) io.out(line);
  for (const id of missing) io.out(`(parent ${id} is no longer in the registry)`);
  io.out(
    'Newest first; PARENT: the potential it was warm-started from (- : trained from zero). RMSEs: energy meV/atom / forces meV/Å.',
  );
  return ExitCode.Ok;
}
