/**
 * What the training commands (start, watch, status, list, cancel) share: a Temporal client whose
 * connection failure says what to do, the Web UI link, the follow loop of `watch`/`start --wait`, and
 * how a closed training's result or failure is described.
 */
import { type FinalMetrics, type TrainingResult, MlipCampaign, MlipDatasetSize, MlipPhase } from '../api';
import {
  Client,
  type Connection,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import fs from 'node:fs';
import path from 'node:path';
import { PUBLISHED_FILES } from '../artefact-names';
import type { Env } from '../config';
import { connectClient, temporalTarget } from '../temporal';
import type { CliIo } from './command';
import { readTrainingProgress } from './live-progress';
import { formatProgressLine } from './progress-line';

export const WORKFLOW_TYPE = 'trainPotential';
export const DEFAULT_UI_URL = 'http://127.0.0.1:8233';

/** Help text shared by the training commands. */
export const TEMPORAL_ENV_HELP =
  'Environment: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default default),\n' +
  '  TEMPORAL_UI_URL (Web UI base for links, default http://127.0.0.1:8233); a secured cluster or\n' +
  '  Temporal Cloud: TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_CLIENT_CERT_PATH,\n' +
  '  TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_API_KEY, or a TEMPORAL_PROFILE of temporal.toml\n' +
  '  (docs/operations.md, "Running at scale")';

export interface TemporalSession {
  client: Client;
  close(): Promise<void>;
}

/**
 * A client of the configured Temporal; a bad TLS setting or a failed connection is an Error that says what
 * to fix (src/temporal).
 */
export async function connectTemporal(env: Env): Promise<TemporalSession> {
  const connection: Connection = await connectClient(temporalTarget(env), { connectTimeout: '4s' });
  return {
    client: new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }),
    close: () => connection.close(),
  };
}

/** The Web UI page of a workflow. */
export function workflowUiUrl(io: CliIo, namespace: string, workflowId: string): string {
  const base = (io.env.TEMPORAL_UI_URL || DEFAULT_UI_URL).replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** describe(), with "not found" as undefined. */
export async function describeOrUndefined(
  handle: WorkflowHandle,
): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

export function notFoundMessage(workflowId: string, namespace: string): string {
  return `no workflow with id '${workflowId}' in namespace '${namespace}' (list trainings with: mlip-train list)`;
}

export interface TrainingSearchAttributes {
  campaign?: string;
  phase?: string;
  datasetSize?: number;
}

export function trainingAttributes(d: {
  typedSearchAttributes: WorkflowExecutionDescription['typedSearchAttributes'];
}): TrainingSearchAttributes {
  const sa = d.typedSearchAttributes;
  return {
    campaign: sa.get(MlipCampaign),
    phase: sa.get(MlipPhase),
    datasetSize: sa.get(MlipDatasetSize),
  };
}

/** How a closed training ended. */
export type Outcome =
  | { status: 'COMPLETED'; result: TrainingResult }
  | { status: 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT'; message: string; failureType?: string };

/** Waits for the training's result (it must be closed or closing) and classifies it. */
export async function outcomeOf(handle: WorkflowHandle): Promise<Outcome> {
  try {
    return { status: 'COMPLETED', result: (await handle.result()) as TrainingResult };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    if (cause instanceof CancelledFailure) return { status: 'CANCELLED', message: 'cancelled' };
    if (cause instanceof TerminatedFailure)
      return { status: 'TERMINATED', message: `terminated${cause.message ? `: ${cause.message}` : ''}` };
    if (cause instanceof TimeoutFailure)
      return { status: 'TIMED_OUT', message: `timed out (${cause.timeoutType})` };
    // The root cause carries the useful text (e.g. an activity's ApplicationFailure).
    let root: Error | undefined = cause;
    while (root && (root as { cause?: Error }).cause) root = (root as { cause?: Error }).cause;
    const failureType =
      root instanceof ApplicationFailure
        ? (root.type ?? undefined)
        : cause instanceof ApplicationFailure
          ? (cause.type ?? undefined)
          : undefined;
    return { status: 'FAILED', message: root?.message || cause?.message || err.message, failureType };
  }
}

/** The learning-curve SVG published next to a .yace, when there is one. */
export function learningCurveNextTo(potentialPath: string): string | undefined {
  const svg = path.join(path.dirname(potentialPath), PUBLISHED_FILES.learningCurve);
  return fs.existsSync(svg) ? svg : undefined;
}

const split = (
  label: string,
  s: { rmseEnergyMeVPerAtom: number; rmseForcesMeVPerA: number; structures: number },
) =>
  `  ${label} RMSE  ${s.rmseEnergyMeVPerAtom.toFixed(2)} meV/atom, ${s.rmseForcesMeVPerA.toFixed(1)} meV/Å (${s.structures} structures)`;

/**
 * Where a campaign has several composition classes or elements: the errors of each, from the test split
 * (the train split when there is none), worst energy first, so that the part that fits worse stands out.
 */
export function breakdownLines(metrics: FinalMetrics): string[] {
  const s = metrics.test ?? metrics.train;
  const which = metrics.test ? 'test' : 'train';
  const lines: string[] = [];
  const classes = Object.entries(s.byComposition ?? {});
  if (classes.length > 1) {
    classes.sort(([, a], [, b]) => b.rmseEnergyMeVPerAtom - a.rmseEnergyMeVPerAtom);
    for (const [name, e] of classes)
      lines.push(
        `    ${which} ${name.padEnd(10)} ${e.rmseEnergyMeVPerAtom.toFixed(2)} meV/atom, ${e.rmseForcesMeVPerA.toFixed(1)} meV/Å (${e.structures} structures)`,
      );
  }
  const elements = Object.entries(s.byElement ?? {});
  if (elements.length > 1)
    lines.push(
      `    ${which} forces by element: ${elements.map(([el, e]) => `${el} ${e.rmseForcesMeVPerA.toFixed(1)} meV/Å`).join(', ')}`,
    );
  return lines;
}

/** The closing lines of a completed training. */
export function describeResult(result: TrainingResult): string[] {
  const curve = learningCurveNextTo(result.potentialPath);
  return [
    `completed: ${result.potentialId}`,
    `  potential   ${result.potentialPath}`,
    split('train', result.metrics.train),
    result.metrics.test ? split('test ', result.metrics.test) : '  test RMSE   (no test split)',
    ...breakdownLines(result.metrics),
    `  dataset     ${result.dataset.structures} structures, ${result.dataset.atoms} atoms, ${result.dataset.elements.join('-')}`,
    `  registry    ${result.potentialId}`,
    ...(curve ? [`  curve       ${curve}`] : []),
  ];
}

export function outcomeJson(workflowId: string, runId: string | undefined, outcome: Outcome) {
  return outcome.status === 'COMPLETED'
    ? { workflowId, runId, status: outcome.status, result: outcome.result }
    : {
        workflowId,
        runId,
        status: outcome.status,
        failure: { message: outcome.message, ...(outcome.failureType ? { type: outcome.failureType } : {}) },
      };
}

/** Prints an outcome; returns the exit code (0 only for a completed training). */
export function reportOutcome(
  io: CliIo,
  workflowId: string,
  runId: string | undefined,
  outcome: Outcome,
  json: boolean,
): number {
  if (json) io.out(JSON.stringify(outcomeJson(workflowId, runId, outcome), null, 2));
  else if (outcome.status === 'COMPLETED') for (const line of describeResult(outcome.result)) io.out(line);
  else
    io.err(
      `training ${workflowId} ${outcome.status === 'CANCELLED' ? 'was cancelled' : outcome.status === 'FAILED' ? 'failed' : 'ended'}: ${outcome.message}` +
        (outcome.failureType ? ` [${outcome.failureType}]` : ''),
    );
  return outcome.status === 'COMPLETED' ? 0 : 1;
}

/**
 * On a terminal (the real stdout, with the process environment), the line is redrawn in place; otherwise
 * (tests, CI logs, pipes) a line is printed only when it changes.
 */
function progressPrinter(io: CliIo) {
  const tty = process.stdout.isTTY === true && io.env === process.env;
  let last = '';
  return {
    show(line: string) {
      if (line === last) return;
      last = line;
      if (tty) process.stdout.write(`\r${line}\x1b[K`);
      else io.out(line);
    },
    end() {
      if (tty && last) process.stdout.write('\n');
    },
  };
}

export interface FollowOptions {
  /** Print the final outcome as JSON (and no progress lines). */
  json: boolean;
  intervalMs?: number;
}

/** Shows the progress of a training every interval until it closes, then its outcome; returns the exit code. */
export async function followTraining(
  client: Client,
  io: CliIo,
  workflowId: string,
  runId: string | undefined,
  options: FollowOptions,
): Promise<number> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const printer = progressPrinter(io);
  const interval = options.intervalMs ?? 1_000;
  let closed = false;
  const result = outcomeOf(handle).finally(() => (closed = true));
  result.catch(() => undefined); // awaited below
  while (!closed) {
    const progress = await readTrainingProgress(handle);
    if (closed) break;
    if (!options.json)
      printer.show(progress ? formatProgressLine(progress) : 'waiting for a worker to answer...');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      result.catch(() => undefined),
      new Promise((r) => (timer = setTimeout(r, interval))),
    ]);
    clearTimeout(timer);
  }
  const outcome = await result;
  if (!options.json) {
    printer.show(
      outcome.status === 'COMPLETED'
        ? 'completed'
        : outcome.status === 'CANCELLED'
          ? 'cancelled'
          : outcome.status.toLowerCase(),
    );
    printer.end();
  }
  return reportOutcome(io, workflowId, runId, outcome, options.json);
}
