/**
 * `pacemaker --dry-run`: pacemaker builds the basis, loads the dataset, computes the reference energies and
 * the neighbour lists, and stops before fitting. Whatever it rejects there (a key with a wrong value, a
 * basis too big for its white list, a dataset it cannot read) would otherwise surface only when the real
 * training starts. It writes files into its working directory (log.txt, target_potential.yaml,
 * fitting_data_info.pckl.gzip, plots): run it in a directory of its own.
 */
import { execFile } from 'node:child_process';

export type DryRunResult =
  /** errorLines: lines pacemaker logged at ERROR level although it went on (e.g. a backend it cannot import). */
  | { ok: true; errorLines: string[] }
  /** rejected: pacemaker refused the input (message: its own, trimmed); not-found / timeout: the host's problem. */
  | { ok: false; reason: 'rejected' | 'not-found' | 'timeout'; message: string };

export interface DryRunOptions {
  pacemakerBin: string;
  /** input.yaml (absolute, or relative to cwd). */
  inputYamlPath: string;
  /** Working directory for pacemaker's own files. */
  cwd: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Upper bound of the message kept from pacemaker's output (it goes into workflow history). */
export const MAX_MESSAGE_CHARS = 2000;

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
    .filter((l) => / - ERROR - /.test(l))
    .map((l) =>
      l
        .replace(/^.*? - ERROR - /, '')
        .trim()
        .slice(0, 300),
    )
    .slice(-20);
}

/** Runs `pacemaker --dry-run input.yaml` (no shell) and reports pacemaker's own message if it refuses. */
export function pacemakerDryRun(opts: DryRunOptions): Promise<DryRunResult> {
  return new Promise((resolve) => {
    execFile(
      opts.pacemakerBin,
      ['--dry-run', opts.inputYamlPath],
      {
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 15 * 60_000,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        env: opts.env ?? process.env,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, errorLines: loggedErrors(`${stdout}\n${stderr}`) });
        const err = error as NodeJS.ErrnoException & { killed?: boolean; code?: unknown; signal?: string };
        if (err.code === 'ENOENT') {
          return resolve({
            ok: false,
            reason: 'not-found',
            message: `pacemaker executable not found: ${opts.pacemakerBin}`,
          });
        }
        if (err.killed) {
          return resolve({
            ok: false,
            reason: 'timeout',
            message: `pacemaker --dry-run did not finish within ${Math.round((opts.timeoutMs ?? 900_000) / 1000)} s`,
          });
        }
        resolve({ ok: false, reason: 'rejected', message: trimPacemakerOutput(`${stdout}\n${stderr}`) });
      },
    );
  });
}
