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
import type { Db, Document, FindCursor } from 'mongodb';
import { z } from 'zod';
import { buildCalculationQuery, countByStatus, openCalculationCursor } from '../calculations';
import { classifyMongoError } from '../db';
import { runPythonHelper, stderrLines } from '../process';
import type { InvalidRecordsPolicy, Selection } from '../api';
import { AtomicFileWriter, removeOutputs, writeFileAtomically } from './atomic-file';
import { buildManifest } from './build-manifest';
import { formatFrame } from './extxyz-writer';
import type { Manifest } from './manifest';
import { SelectionTally } from './selection-tally';
import { emptyTrainingSetFailure, invalidTrainingDataFailure } from './unusable-selection';

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
  const outputs = await clearOutputs(options);
  const query = buildCalculationQuery(campaign, selection);
  const tally = new SelectionTally(selection, invalidRecords);
  const progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;

  const writer = await AtomicFileWriter.create(options.extxyzPath);
  let committed = false;
  // Until the conversion (which reports on its own): FerretDB can take minutes before its first batch.
  const fetchReport = fetchReporter(options.onProgress, progressIntervalMs);
  try {
    await writeSelected(
      openCalculationCursor(db, query, options.batchSize),
      tally,
      writer,
      fetchReport.report,
      options.signal,
    );
    fetchReport.stop();
    fetchReport.report(tally.structures);

    if (tally.doomed) throw invalidTrainingDataFailure(campaign, tally);
    if (tally.structures === 0)
      throw emptyTrainingSetFailure(campaign, selection, tally, await countByStatus(db, campaign));
    const extxyzBytes = await writer.commit();
    committed = true;

    const pacemaker = options.pacemaker
      ? await pickleForPacemaker(options, options.pacemaker, tally.structures, progressIntervalMs)
      : null;
    const manifest = buildManifest({
      campaign,
      selection,
      invalidRecords,
      query,
      tally,
      extxyz: { path: options.extxyzPath, bytes: extxyzBytes },
      pacemaker,
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
    fetchReport.stop();
  }
}

/** Removes what an earlier attempt left and makes the outputs' folders; returns the outputs' paths. */
async function clearOutputs(options: ExportTrainingSetOptions): Promise<string[]> {
  const outputs = [options.extxyzPath, options.manifestPath];
  if (options.pacemaker) outputs.push(options.pacemaker.datasetPath);
  await removeOutputs(outputs);
  for (const dir of new Set(outputs.map((p) => path.dirname(p))))
    await fs.promises.mkdir(dir, { recursive: true });
  return outputs;
}

/** Reports the fetch after each batch (report) and every intervalMs meanwhile, until stopped. */
function fetchReporter(onProgress: ExportTrainingSetOptions['onProgress'], intervalMs: number) {
  let latest: ExportProgress = { phase: 'fetching', written: 0 };
  const ticker = onProgress ? setInterval(() => onProgress(latest), intervalMs) : undefined;
  return {
    report: (written: number) => {
      latest = { phase: 'fetching', written };
      onProgress?.(latest);
    },
    stop: () => clearInterval(ticker),
  };
}

/** Reads the cursor to its end (or the selection's limit), writing each structure the tally admits. */
async function writeSelected(
  cursor: FindCursor<Document>,
  tally: SelectionTally,
  writer: AtomicFileWriter,
  report: (written: number) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    // Each batch is processed while the server prepares the next one (the getMore is issued before
    // the work on the current batch starts), so server time and our own overlap.
    let more = cursor.hasNext();
    while (await untilAborted(more, signal)) {
      const batch = cursor.readBufferedDocuments();
      more = cursor.hasNext();
      more.catch(() => undefined); // a failure surfaces at the await above; never unhandled
      for (const doc of batch) {
        const record = tally.admit(doc);
        if (!record) continue;
        await writer.write(formatFrame(record));
        tally.written(record);
        if (tally.full) return;
      }
      report(tally.structures);
      signal?.throwIfAborted();
    }
  } finally {
    const closing = cursor.close().catch(() => undefined);
    // After an abort, closing may wait for the server's answer to the pending batch: do not wait for it.
    if (!signal?.aborted) await closing;
  }
}

/** The committed extxyz → pacemaker's pickle, checked to hold every structure; its manifest entry. */
async function pickleForPacemaker(
  options: ExportTrainingSetOptions,
  pacemaker: NonNullable<ExportTrainingSetOptions['pacemaker']>,
  structures: number,
  intervalMs: number,
): Promise<Manifest['files']['pacemaker']> {
  const converted = await convertToPacemaker({
    python: pacemaker.python,
    extxyzPath: options.extxyzPath,
    datasetPath: pacemaker.datasetPath,
    intervalMs,
    onProgress: (p) => options.onProgress?.({ ...p, written: structures }),
    signal: options.signal,
  });
  if (converted.structures !== structures)
    throw new Error(
      `${CONVERTER} read ${converted.structures} structures from ${path.basename(options.extxyzPath)}, ` +
        `which holds ${structures}`,
    );
  const { size } = await fs.promises.stat(pacemaker.datasetPath);
  return { name: path.basename(pacemaker.datasetPath), bytes: size };
}
