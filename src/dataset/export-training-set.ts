/**
 * The training-set export: completed calculations of a campaign → extxyz (+ pacemaker pickle) + manifest.
 * Used by the fetchTrainingData activity and by `mlip-train dataset export`.
 *
 * Streams: documents come from a cursor in batches, each is validated, filtered, de-duplicated and
 * written before the next is read; memory holds one batch, a write buffer, and 32 bytes per kept
 * structure (the de-duplication set). Outputs appear under their final names only when complete, the
 * manifest last.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from 'mongodb';
import { decodeCalculation, type CalculationRecord } from '../calculations/calculation-schema';
import { PYTHON_HELPERS_DIR } from '../config/paths';
import { buildCalculationQuery, countByStatus, openCalculationCursor } from '../db/calculations';
import { classifyMongoError } from '../db/errors';
import { FailureType, nonRetryable } from '../errors';
import type { InvalidRecordsPolicy, Selection } from '../training/selection';
import { CANONICAL_FORMAT, DatasetHasher, structureHash } from './canonical-hash';
import { AtomicFileWriter, removeOutputs, writeFileAtomically } from './dataset-writer';
import { formatFrame } from './extxyz-writer';
import { MANIFEST_MAX_LISTED_IDS, ManifestSchema, type Manifest } from './manifest';

/** How many offending documents an InvalidTrainingData failure names (the total is always given). */
export const MAX_INVALID_IDS_IN_FAILURE = 20;

export interface ExportTrainingSetOptions {
  db: Db;
  campaign: string;
  selection: Selection;
  invalidRecords: InvalidRecordsPolicy;
  extxyzPath: string;
  manifestPath: string;
  /** Also write pacemaker's pickle here, converting the extxyz with `python`. */
  pacemaker?: { datasetPath: string; python: string };
  /** Documents per round trip to the server (default FETCH_BATCH_SIZE). */
  batchSize?: number;
  /** Called after each batch of documents with the number of structures written so far. */
  onProgress?: (written: number) => void;
  /** Stops the export (outputs removed) when aborted, e.g. on activity cancellation. */
  signal?: AbortSignal;
}

export interface ExportTrainingSetResult {
  manifest: Manifest;
  extxyzPath: string;
  manifestPath: string;
  pacemakerDatasetPath: string | null;
}

/** Why a valid record is left out by the selection, or undefined when it is kept. */
export function exclusionReason(
  record: CalculationRecord,
  selection: Selection,
  allowed: ReadonlySet<string> | undefined,
): { kind: 'elements' | 'maxForce'; reason: string } | undefined {
  if (allowed) {
    const outside = [...new Set(record.symbols.filter((s) => !allowed.has(s)))].sort();
    if (outside.length)
      return { kind: 'elements', reason: `elements: contains ${outside.join(', ')}, not in the selection` };
  }
  if (selection.maxForce !== undefined) {
    let max = 0;
    for (const f of record.forces) if (Math.abs(f) > max) max = Math.abs(f);
    if (max > selection.maxForce)
      return {
        kind: 'maxForce',
        reason: `maxForce: largest force component ${max} eV/Å > ${selection.maxForce} eV/Å`,
      };
  }
  return undefined;
}

/** extxyz_to_pacemaker.py's exit code for data pacemaker cannot take (e.g. partly periodic structures). */
const PYTHON_EXIT_UNSUPPORTED_DATA = 3;

function runPython(python: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(python, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES')
        return reject(
          nonRetryable(
            FailureType.WorkerMisconfigured,
            `cannot run the Python helper: ${python} (${code}); run 'npm run setup' or set MLIP_PYTHON`,
          ),
        );
      const tail = String(stderr).trim().split('\n').slice(-15).join('\n');
      if (typeof code === 'number' && code === PYTHON_EXIT_UNSUPPORTED_DATA)
        return reject(nonRetryable(FailureType.InvalidTrainingData, tail));
      reject(
        new Error(`${path.basename(args[0] ?? 'python')} failed (${err.message.split('\n')[0]}):\n${tail}`),
      );
    });
  });
}

export async function exportTrainingSet(options: ExportTrainingSetOptions): Promise<ExportTrainingSetResult> {
  const { db, campaign, selection, invalidRecords } = options;
  const outputs = [options.extxyzPath, options.manifestPath];
  if (options.pacemaker) outputs.push(options.pacemaker.datasetPath);
  await removeOutputs(outputs);
  for (const dir of new Set(outputs.map((p) => path.dirname(p))))
    await fs.promises.mkdir(dir, { recursive: true });

  const query = buildCalculationQuery(campaign, selection);
  const allowed = selection.elements ? new Set(selection.elements) : undefined;
  const seen = new Map<string, string>(); // structure hash (base64) → id of the kept structure
  const hasher = new DatasetHasher();
  const atomsPerElement = new Map<string, number>();
  const structuresPerElement = new Map<string, number>();
  const excluded: Manifest['excluded'] = [];
  const excludedByReason = { elements: 0, maxForce: 0 };
  const duplicates: Manifest['duplicates'] = [];
  const invalid: { id: string; reason: string }[] = [];
  let invalidCount = 0;
  let documentsRead = 0;
  let structures = 0;
  let atoms = 0;
  let truncated = false;
  const listed = <T>(list: T[], item: T) => {
    if (list.length < MANIFEST_MAX_LISTED_IDS) list.push(item);
    else truncated = true;
  };

  const writer = await AtomicFileWriter.create(options.extxyzPath);
  let committed = false;
  try {
    const cursor = openCalculationCursor(db, query, options.batchSize);
    try {
      // Each batch is processed while the server prepares the next one (the getMore is issued before
      // the work on the current batch starts), so server time and our own overlap.
      let more = cursor.hasNext();
      batches: while (await more) {
        const batch = cursor.readBufferedDocuments();
        more = cursor.hasNext();
        more.catch(() => undefined); // a failure surfaces at the await above; never unhandled
        for (const doc of batch) {
          documentsRead++;
          const decoded = decodeCalculation(doc);
          if (!decoded.ok) {
            invalidCount++;
            if (invalidRecords === 'skip') listed(invalid, { id: decoded.id, reason: decoded.reason });
            else if (invalid.length < MAX_INVALID_IDS_IN_FAILURE)
              invalid.push({ id: decoded.id, reason: decoded.reason });
            continue;
          }
          // Under "fail" one invalid document dooms the run: keep reading only to count them all.
          if (invalidRecords === 'fail' && invalidCount > 0) continue;
          const record = decoded.record;
          const exclusion = exclusionReason(record, selection, allowed);
          if (exclusion) {
            excludedByReason[exclusion.kind]++;
            listed(excluded, { id: record.id, reason: exclusion.reason });
            continue;
          }
          const digest = structureHash(record);
          const key = digest.toString('base64');
          const first = seen.get(key);
          if (first !== undefined) {
            listed(duplicates, { id: record.id, duplicateOf: first });
            continue;
          }
          seen.set(key, record.id);
          hasher.add(digest);
          await writer.write(formatFrame(record));
          structures++;
          atoms += record.symbols.length;
          for (const s of record.symbols) atomsPerElement.set(s, (atomsPerElement.get(s) ?? 0) + 1);
          for (const s of new Set(record.symbols))
            structuresPerElement.set(s, (structuresPerElement.get(s) ?? 0) + 1);
          if (selection.limit !== undefined && structures >= selection.limit) break batches;
        }
        options.onProgress?.(structures);
        options.signal?.throwIfAborted();
      }
    } finally {
      await cursor.close().catch(() => undefined);
    }
    options.onProgress?.(structures);

    if (invalidRecords === 'fail' && invalidCount > 0) {
      const lines = invalid.map((i) => `  ${i.id}: ${i.reason}`);
      const more = invalidCount > invalid.length ? `\n  ... and ${invalidCount - invalid.length} more` : '';
      throw nonRetryable(
        FailureType.InvalidTrainingData,
        `${invalidCount} calculation document(s) of campaign "${campaign}" break contract v1 ` +
          `(invalidRecords: "fail"; use "skip" to train without them):\n${lines.join('\n')}${more}`,
        { campaign, invalidCount, invalid },
      );
    }
    if (structures === 0) {
      const perStatus = await countByStatus(db, campaign);
      const statusText = Object.keys(perStatus).length
        ? Object.entries(perStatus)
            .map(([s, n]) => `${s}: ${n}`)
            .join(', ')
        : 'none at all';
      const leftOut = [
        excludedByReason.elements && `${excludedByReason.elements} excluded by elements`,
        excludedByReason.maxForce && `${excludedByReason.maxForce} excluded by maxForce`,
        invalidCount && `${invalidCount} invalid skipped`,
      ].filter(Boolean);
      throw nonRetryable(
        FailureType.EmptyTrainingSet,
        `no usable completed calculation for campaign "${campaign}" with selection ${JSON.stringify(selection)}` +
          `${leftOut.length ? ` (${leftOut.join(', ')})` : ''}; the campaign's documents per status: ${statusText}`,
        { campaign, perStatus, excludedByReason, skippedInvalid: invalidCount, documentsRead },
      );
    }
    const extxyzBytes = await writer.commit();
    committed = true;

    let pacemakerFile: Manifest['files']['pacemaker'] = null;
    if (options.pacemaker) {
      await runPython(options.pacemaker.python, [
        path.join(PYTHON_HELPERS_DIR, 'extxyz_to_pacemaker.py'),
        options.extxyzPath,
        options.pacemaker.datasetPath,
      ]);
      const { size } = await fs.promises.stat(options.pacemaker.datasetPath);
      pacemakerFile = { name: path.basename(options.pacemaker.datasetPath), bytes: size };
    }

    const sorted = (m: Map<string, number>) =>
      Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const manifest = ManifestSchema.parse({
      format: 'mlip-training-set-manifest/v1',
      campaign,
      selection,
      invalidRecords,
      query: {
        collection: query.collection,
        filter: query.filter,
        sort: query.sort,
        projection: query.projection,
      },
      counts: {
        documentsRead,
        structures,
        atoms,
        atomsPerElement: sorted(atomsPerElement),
        structuresPerElement: sorted(structuresPerElement),
        excluded: excludedByReason.elements + excludedByReason.maxForce,
        excludedByReason,
        duplicates: duplicates.length,
        skippedInvalid: invalidCount,
      },
      elements: Object.keys(sorted(atomsPerElement)),
      excluded,
      duplicates,
      skippedInvalid: invalid,
      listsTruncated: truncated,
      sha256: hasher.hex(),
      hashDefinition:
        `SHA-256 over "mlip-dataset-v1/${CANONICAL_FORMAT}\\n", then each kept structure's SHA-256 in file order ` +
        '(symbols, positions, cell, pbc, energy, forces, stress as float64 little-endian), then "count:<n>"',
      files: {
        extxyz: { name: path.basename(options.extxyzPath), bytes: extxyzBytes },
        pacemaker: pacemakerFile,
      },
    });
    await writeFileAtomically(options.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    return {
      manifest,
      extxyzPath: options.extxyzPath,
      manifestPath: options.manifestPath,
      pacemakerDatasetPath: options.pacemaker?.datasetPath ?? null,
    };
  } catch (err) {
    if (!committed) await writer.abort();
    else await removeOutputs(outputs); // nothing half-made stays under a final name
    throw classifyMongoError(err, `reading calculations of campaign "${campaign}"`);
  }
}
