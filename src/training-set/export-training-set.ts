/**
 * The training-set export: completed calculations of a campaign → extxyz (+ pacemaker pickle) + manifest.
 * Used by the fetchTrainingData activity and by `mlip-train dataset export`.
 *
 * Streams: documents come from a cursor in batches, each is validated, filtered, de-duplicated and
 * written before the next is read; memory holds one batch, a write buffer, and 32 bytes per kept
 * structure (the de-duplication set). Outputs appear under their final names only when complete, the
 * manifest last.
 *
 * Long steps report as they go: onProgress is called after each batch and at least every
 * progressIntervalMs throughout, through FerretDB's long wait before its first batch (it sorts the whole
 * result first) and through the pacemaker conversion (which prints its own progress), so an activity
 * that heartbeats from it stays alive. Aborting the signal stops the export within about a second
 * whatever the phase: the cursor wait is abandoned, the converter's process group is stopped, and the
 * outputs are removed once no process is left writing them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from 'mongodb';
import { z } from 'zod';
import {
  decodeCalculation,
  type CalculationRecord,
  buildCalculationQuery,
  countByStatus,
  openCalculationCursor,
} from '../calculations';
import { classifyMongoError } from '../db';
import { runPythonHelper, stderrLines } from '../process';
import { FailureType, nonRetryable, type InvalidRecordsPolicy, type Selection } from '../api';
import { CANONICAL_FORMAT, DatasetHasher, structureHash } from './canonical-hash';
import { AtomicFileWriter, removeOutputs, writeFileAtomically } from './atomic-file';
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
  /** Called after each batch, and at least every progressIntervalMs, with the phase and counts so far. */
  onProgress?: (progress: ExportProgress) => void;
  /** Default DEFAULT_PROGRESS_INTERVAL_MS. */
  progressIntervalMs?: number;
  /** Stops the export (outputs removed) when aborted, e.g. on activity cancellation. */
  signal?: AbortSignal;
}

/**
 * Where an export stands (an activity's heartbeat details: keep it small). `written`: structures in the
 * extxyz; `converted`: structures the pacemaker conversion has read back; `bytes`: pickle bytes written.
 */
export type ExportProgress =
  | { phase: 'fetching'; written: number }
  | { phase: 'converting'; written: number; converted: number }
  | { phase: 'pickling'; written: number; converted: number; bytes: number };

export const DEFAULT_PROGRESS_INTERVAL_MS = 5_000;

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
const CONVERTER = 'extxyz_to_pacemaker.py';

/** The converter's stdout lines (its docstring is the contract). */
const ConverterProgressSchema = z.union([
  z.object({ phase: z.literal('converting'), converted: z.number().int().min(0) }),
  z.object({
    phase: z.literal('pickling'),
    converted: z.number().int().min(0),
    bytes: z.number().int().min(0),
  }),
]);
type ConverterProgress = z.infer<typeof ConverterProgressSchema>;
const ConverterSummarySchema = z.object({ structures: z.number().int(), atoms: z.number().int() });

function parseJsonLine(line: string): unknown {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * extxyz → pacemaker's pickle with the project's Python, reporting the converter's progress. Resolves
 * once the pickle is in place; on cancellation rejects with the signal's reason after the converter's
 * process group is gone.
 */
async function convertToPacemaker(opts: {
  python: string;
  extxyzPath: string;
  datasetPath: string;
  intervalMs: number;
  onProgress: (progress: ConverterProgress) => void;
  signal?: AbortSignal;
}): Promise<z.infer<typeof ConverterSummarySchema>> {
  let summary: z.infer<typeof ConverterSummarySchema> | undefined;
  const result = await runPythonHelper<ConverterProgress>({
    python: opts.python,
    script: CONVERTER,
    args: [opts.extxyzPath, opts.datasetPath],
    invalidDataExitCode: PYTHON_EXIT_UNSUPPORTED_DATA,
    signal: opts.signal,
    onLine: (line, stream) => {
      if (stream !== 'stdout') return undefined;
      const json = parseJsonLine(line);
      const progress = ConverterProgressSchema.safeParse(json);
      if (progress.success) return progress.data;
      const done = ConverterSummarySchema.safeParse(json);
      if (done.success) summary = done.data;
      return undefined;
    },
    heartbeat: (latest) => opts.onProgress(latest ?? { phase: 'converting', converted: 0 }),
    heartbeatIntervalMs: opts.intervalMs,
  });
  if (!summary)
    throw new Error(`${CONVERTER} exited 0 without its summary line:\n${stderrLines(result.stderrTail)}`);
  return summary;
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it is aborted. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  promise.catch(() => undefined); // abandoned on abort: its failure must not go unhandled
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (err: unknown) => (signal.removeEventListener('abort', onAbort), reject(err as Error)),
    );
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

  const progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  let fetchProgress: ExportProgress = { phase: 'fetching', written: 0 };
  const reportFetch = (written: number) => {
    fetchProgress = { phase: 'fetching', written };
    options.onProgress?.(fetchProgress);
  };

  const writer = await AtomicFileWriter.create(options.extxyzPath);
  let committed = false;
  // Until the conversion (which reports on its own): FerretDB can take minutes before its first batch.
  const fetchTicker = options.onProgress
    ? setInterval(() => options.onProgress?.(fetchProgress), progressIntervalMs)
    : undefined;
  try {
    const cursor = openCalculationCursor(db, query, options.batchSize);
    try {
      // Each batch is processed while the server prepares the next one (the getMore is issued before
      // the work on the current batch starts), so server time and our own overlap.
      let more = cursor.hasNext();
      batches: while (await untilAborted(more, options.signal)) {
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
        reportFetch(structures);
        options.signal?.throwIfAborted();
      }
    } finally {
      const closing = cursor.close().catch(() => undefined);
      // After an abort, closing may wait for the server's answer to the pending batch: do not wait for it.
      if (!options.signal?.aborted) await closing;
    }
    clearInterval(fetchTicker);
    reportFetch(structures);

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
      const converted = await convertToPacemaker({
        python: options.pacemaker.python,
        extxyzPath: options.extxyzPath,
        datasetPath: options.pacemaker.datasetPath,
        intervalMs: progressIntervalMs,
        onProgress: (p) => options.onProgress?.({ ...p, written: structures }),
        signal: options.signal,
      });
      if (converted.structures !== structures)
        throw new Error(
          `${CONVERTER} read ${converted.structures} structures from ${path.basename(options.extxyzPath)}, ` +
            `which holds ${structures}`,
        );
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
  } finally {
    clearInterval(fetchTicker);
  }
}
