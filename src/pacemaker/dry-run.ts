/**
 * `pacemaker --dry-run`: pacemaker builds the basis, loads the dataset, computes the reference energies and
 * the neighbour lists, and stops before fitting. Whatever it rejects there (a key with a wrong value, a
 * basis too big for its white list, a dataset it cannot read) would otherwise surface only when the real
 * training starts. It writes files into its working directory (log.txt, target_potential.yaml,
 * fitting_data_info.pckl.gzip, plots): run it in a directory of its own.
 *
 * It builds the neighbour lists of the whole dataset, minutes for a large one: it runs through
 * runProcess, heartbeating while it works, in a process group of its own that cancellation stops.
 */
import { ProcessStartError, runProcess } from '../process';
import type { PacemakerDocument } from './input-yaml';

/**
 * The document the dry run reads: input.yaml's, on the pyace evaluator. A dry run stops before the first
 * evaluation, so the evaluator decides only what pacemaker imports, and tensorpot's import is TensorFlow:
 * about 3.5 s of a 5 s dry run, paid again by every training. Whether tensorpot can run on this host is
 * asked separately, without importing it (tensorpotInstalled).
 */
export function dryRunDocument<D extends Pick<PacemakerDocument, 'backend'>>(doc: D): D {
  const { batch_size, display_step } = doc.backend;
  return { ...doc, backend: { evaluator: 'pyace', batch_size, display_step } };
}

export type DryRunResult =
  /** errorLines: lines pacemaker logged at ERROR level although it went on (e.g. a backend it cannot import). */
  | { ok: true; errorLines: string[] }
  /**
   * rejected: pacemaker refused the input (message: its own, trimmed). The host's problems: not-found (it
   * cannot be run), timeout, killed (by a signal from outside, e.g. the OOM killer).
   */
  | { ok: false; reason: 'rejected' | 'not-found' | 'timeout' | 'killed'; message: string };

export interface DryRunOptions {
  pacemakerBin: string;
  /** input.yaml (absolute, or relative to cwd). */
  inputYamlPath: string;
  /** Working directory for pacemaker's own files. */
  cwd: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Stops pacemaker's process group; the dry run then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called while pacemaker runs (at start, then every heartbeatIntervalMs), e.g. an activity heartbeat. */
  heartbeat?: () => void;
  heartbeatIntervalMs?: number;
}

/** Upper bound of the message kept from pacemaker's output (it goes into workflow history). */
export const MAX_MESSAGE_CHARS = 2000;
/** Output kept per stream for the message: a traceback's end is in the last lines. */
const OUTPUT_TAIL_BYTES = 64 * 1024;
const MAX_ERROR_LINES = 20;
const ERROR_LINE = / - ERROR - /;

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/**
 * The meaningful end of pacemaker's output: the exception of the last Python traceback (its type and
 * message, which may span lines), or else the last non-empty lines; at most MAX_MESSAGE_CHARS characters.
 */
export function trimPacemakerOutput(output: string, maxChars = MAX_MESSAGE_CHARS): string {
  const lines = output.replace(ANSI, '').replace(/\r/g, '').split('\n');
  const tb = lines.map((l) => l.trim()).lastIndexOf('Traceback (most recent call last):');
  let kept: string[];
  if (tb >= 0) {
    // Frames are indented ("  File ...", "    code", "    ^^^"); the exception starts at the first line
    // after the header that is not indented.
    let start = -1;
    for (let i = tb + 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() !== '' && !/^\s/.test(line)) {
        start = i;
        break;
      }
    }
    kept = start >= 0 ? lines.slice(start) : lines.slice(tb);
  } else {
    kept = lines.filter((l) => l.trim() !== '').slice(-15);
  }
  let text = kept
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
  if (text === '') text = '(pacemaker printed nothing)';
  if (text.length > maxChars) text = `…${text.slice(text.length - maxChars + 1)}`;
  return text;
}

/** Lines logged at ERROR level (pacemaker's format: "<time> - <logger> - ERROR - <message>"), at most 20. */
export function loggedErrors(output: string): string[] {
  return output
    .replace(ANSI, '')
    .split('\n')
    .filter((l) => ERROR_LINE.test(l))
    .map((l) =>
      l
        .replace(/^.*? - ERROR - /, '')
        .trim()
        .slice(0, 300),
    )
    .slice(-MAX_ERROR_LINES);
}

/** Runs `pacemaker --dry-run input.yaml` (no shell) and reports pacemaker's own message if it refuses. */
export async function pacemakerDryRun(opts: DryRunOptions): Promise<DryRunResult> {
  const timeoutMs = opts.timeoutMs ?? 15 * 60_000;
  // ERROR lines may come early in a long output: collected as they pass, not searched in the tail.
  const errorLines: string[] = [];
  let result;
  try {
    result = await runProcess({
      command: opts.pacemakerBin,
      args: ['--dry-run', opts.inputYamlPath],
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      timeoutMs,
      signal: opts.signal,
      heartbeat: opts.heartbeat,
      heartbeatIntervalMs: opts.heartbeatIntervalMs,
      tailBytes: OUTPUT_TAIL_BYTES,
      onLine: (line) => {
        if (ERROR_LINE.test(line.replace(ANSI, '')) && errorLines.push(line) > MAX_ERROR_LINES)
          errorLines.shift();
        return undefined;
      },
    });
  } catch (err) {
    if (err instanceof ProcessStartError && (err.code === 'ENOENT' || err.code === 'EACCES'))
      return {
        ok: false,
        reason: 'not-found',
        message:
          err.code === 'ENOENT'
            ? `pacemaker executable not found: ${opts.pacemakerBin}`
            : `pacemaker executable cannot be run (EACCES): ${opts.pacemakerBin}`,
      };
    throw err;
  }
  if (result.cancelled) {
    opts.signal?.throwIfAborted();
    throw new Error('pacemaker --dry-run was cancelled');
  }
  const output = `${result.stdoutTail}\n${result.stderrTail}`;
  if (result.timedOut)
    return {
      ok: false,
      reason: 'timeout',
      message: `pacemaker --dry-run did not finish within ${Math.round(timeoutMs / 1000)} s`,
    };
  if (result.code === 0) return { ok: true, errorLines: loggedErrors(errorLines.join('\n')) };
  if (result.signal !== null)
    return {
      ok: false,
      reason: 'killed',
      message: `pacemaker --dry-run was killed by ${result.signal}: ${trimPacemakerOutput(output)}`,
    };
  return { ok: false, reason: 'rejected', message: trimPacemakerOutput(output) };
}
