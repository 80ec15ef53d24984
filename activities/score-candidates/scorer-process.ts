/**
 * python/mlip_autopipe/helpers/score_candidates.py as a child process: started in a process group of its
 * own (the activity's cancellation stops the group, through activities/cancel-child.ts; if the worker
 * itself dies, the scorer's stdin closes and it exits), read line by line, fed on stdin, and stopped by
 * this side when it must.
 */
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { RegisteredMember } from '../../src/api';
import { parseScorerLine } from '../../src/candidates';
import { PYTHON_HELPERS_DIR } from '../../src/config';
import { ProcessStartError, runProcessLines } from '../../src/process';
import type { ScorerExit } from './scorer-outcome';
import { memberFiles } from './member-files';

/** The scorer's command line: one --member per member, with its B-basis potential and active set when it has one. */
export function scorerArgs(members: RegisteredMember[]): string[] {
  const args = [path.join(PYTHON_HELPERS_DIR, 'score_candidates.py')];
  for (const m of members) args.push('--member', ...memberFiles(m));
  return args;
}

export interface ScorerProcess {
  /** Each line the scorer prints on stdout, in order. */
  readonly lines: AsyncIterableIterator<string>;
  /** Its stdin, once it runs. */
  readonly stdin: Writable | undefined;
  /** Its process group, once it runs. */
  readonly pid: number | undefined;
  /** How it ended; rejects when it could not start (spawnError says why). */
  readonly exited: Promise<ScorerExit>;
  /** The end of its stderr, once it has ended. */
  readonly stderr: string;
  readonly spawnError: Error | undefined;
  /** Stops its process group; resolves once it is gone and its output read. */
  stop(): Promise<void>;
}

export function startScorer(python: string, members: RegisteredMember[], killGraceMs: number): ScorerProcess {
  const stop = new AbortController();
  let stdin: Writable | undefined;
  let pid: number | undefined;
  const run = runProcessLines({
    command: python,
    args: scorerArgs(members),
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    signal: stop.signal,
    killGraceMs,
    stdin: (input) => (stdin = input),
    tailBytes: 8000,
    onSpawn: (leader) => (pid = leader),
  });
  let spawnError: Error | undefined;
  let stderr = '';
  const exited = run.result.then(
    (r) => ((stderr = r.stderrTail), { code: r.code, signal: r.signal }),
    (err: unknown) => {
      spawnError = err instanceof ProcessStartError ? (err.cause as Error) : (err as Error);
      throw err;
    },
  );
  exited.catch(() => undefined); // reported by whoever awaits it, never unhandled
  return {
    lines: run.lines,
    get stdin() {
      return stdin;
    },
    get pid() {
      return pid;
    },
    exited,
    get stderr() {
      return stderr;
    },
    get spawnError() {
      return spawnError;
    },
    async stop() {
      stop.abort();
      await exited.catch(() => undefined);
    },
  };
}

/** Whether the scorer's first line announces it ready: it has loaded the potential(s). */
export async function scorerReady(scorer: ScorerProcess): Promise<boolean> {
  const first = await scorer.lines.next();
  const line = first.done ? undefined : safeParse(first.value);
  return line !== undefined && 'ready' in line;
}

/** Stops a scorer that never announced itself ready, and tells what is known of how it ended. */
export async function stopUnreadyScorer(scorer: ScorerProcess, halt: AbortController) {
  halt.abort();
  await scorer.stop();
  const exit = await scorer.exited.catch((): ScorerExit => ({ code: null, signal: null }));
  return { exit, spawnError: scorer.spawnError, stderr: scorer.stderr };
}

/** A scorer line, or undefined when it is not one (reported with the scorer's stderr instead). */
function safeParse(line: string) {
  try {
    return parseScorerLine(line);
  } catch {
    return undefined;
  }
}
