/**
 * The one way this package runs a child process: a Python helper, pacemaker's tools, anything that may
 * take longer than a heartbeat timeout.
 *
 * - No shell: the command and its arguments go to the kernel as given (a campaign name or a path with
 *   spaces or `$` is never interpreted).
 * - A process group of its own (`detached`): cancellation (the AbortSignal) and the timeout stop the
 *   whole group, grandchildren included: SIGTERM, then SIGKILL after `killGraceMs`. When the leader
 *   exits by itself, whatever it left behind in its group is stopped the same way. The promise settles
 *   only once no process of the group is left, so a caller that removes its outputs next never races a
 *   dying writer.
 * - A heartbeat hook called at once and then every `heartbeatIntervalMs` while the child runs, whether
 *   it prints or not (a silent child still keeps an activity alive), with the latest progress the child
 *   reported. Progress comes from `onLine`: each line of stdout and stderr is offered to it, and what it
 *   returns (when not undefined) becomes the latest progress, e.g. a parsed JSON line.
 * - Bounded memory whatever the child prints: only the last `tailBytes` of stdout and of stderr are kept
 *   (for error messages), and a line longer than `maxLineChars` reaches `onLine` cut to that length.
 * - The raw output too, for a caller that keeps a log of it byte for byte (pacemaker's `\r` progress
 *   included): `onOutput` sees every chunk of stdout and stderr as it arrives.
 * - A second way to stop, for a program that can stop cleanly (pacemaker at its checkpoint when the
 *   worker drains): aborting `interrupt` sends SIGINT to the group, as Ctrl-C would, and stops it as above
 *   only if it is still running `interruptGraceMs` later (result.interrupted).
 * - runProcessLines: the same run, for a caller that reads stdout line by line as it comes (a JSON-lines
 *   protocol, a factory that streams documents), pausing the child's stdout while too many lines wait.
 *
 * Resolves with how the child ended (exit code or signal, whether it was cancelled or timed out) and
 * never rejects for a non-zero exit: what a failure means is the caller's to say. Rejects with
 * ProcessStartError when the command cannot be started (ENOENT, EACCES), and with the error a hook threw
 * (after stopping the group). A grandchild that leaves the group (setsid) is out of reach; if it keeps
 * the output pipes open, the run ends only when it does.
 *
 * Why not execa (or cross-spawn, tree-kill): execa 9 is ESM-only (this package is CommonJS and its tests
 * run under jest's CommonJS loader), and it would not do the parts that matter here: its cancelSignal
 * and timeout kill the child's pid, not its process group, and do not wait for grandchildren; its
 * maxBuffer fails a run that prints too much instead of keeping a rolling tail; it has no heartbeat.
 * What it would give us (spawning and normalising exit codes) is the few lines of node:child_process
 * below, so the runner stays on the standard library, with no dependency to track.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { ByteTail, LineSplitter } from './output-capture';
import { interruptGroup, terminateGroup } from './process-group';

export { ByteTail, LineSplitter, MAX_LINE_CHARS } from './output-capture';

export type OutputStream = 'stdout' | 'stderr';

export interface RunProcessOptions<P = unknown> {
  command: string;
  args?: readonly string[];
  cwd?: string;
  /** The child's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Stops the group when the child has run this long (result.timedOut). Default: no limit. */
  timeoutMs?: number;
  /** Stops the group when aborted (result.cancelled), e.g. an activity's cancellationSignal. Aborted before the start: nothing runs. */
  signal?: AbortSignal;
  /** Between SIGTERM and SIGKILL. Default DEFAULT_KILL_GRACE_MS. */
  killGraceMs?: number;
  /**
   * Interrupts the group when aborted (result.interrupted): SIGINT, then SIGTERM and SIGKILL as for
   * `signal` if it still runs `interruptGraceMs` later. E.g. a worker's drain, where a Python program
   * should stop as on Ctrl-C, at a point it can continue from. Aborted before the start: nothing runs.
   */
  interrupt?: AbortSignal;
  /** Between SIGINT and SIGTERM. Default DEFAULT_INTERRUPT_GRACE_MS. */
  interruptGraceMs?: number;
  /** Each complete line of output (without its newline); a returned value becomes the latest progress. */
  onLine?: (line: string, stream: OutputStream) => P | undefined;
  /** Longer lines reach onLine cut to this many characters (the rest of the line is dropped). Default MAX_LINE_CHARS. */
  maxLineChars?: number;
  /** Each chunk of output as it arrives, before it is split into lines: e.g. to append it to a log file. */
  onOutput?: (chunk: Buffer, stream: OutputStream) => void;
  /** Called at start and every heartbeatIntervalMs until the child is gone, with the latest progress. */
  heartbeat?: (latest: P | undefined) => void;
  /** Default DEFAULT_HEARTBEAT_INTERVAL_MS. */
  heartbeatIntervalMs?: number;
  /** Bytes of stdout and of stderr kept for the result, each. Default DEFAULT_TAIL_BYTES. */
  tailBytes?: number;
  /** Feeds the child's stdin (a pipe then; /dev/null without it). Errors writing to a dead child are ignored. */
  stdin?: (input: Writable) => void;
  /** Called with the group's id once the child runs, e.g. to record it in a pid file. */
  onSpawn?: (pid: number) => void;
}

export interface RunProcessResult<P = unknown> {
  /** Exit code, or null when the child was ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last tailBytes of each stream, decoded as UTF-8. */
  stdoutTail: string;
  stderrTail: string;
  /** Stopped because the AbortSignal fired. */
  cancelled: boolean;
  /** Stopped because it ran past timeoutMs. */
  timedOut: boolean;
  /** Interrupted because the `interrupt` signal fired. */
  interrupted: boolean;
  /** What onLine returned last, if anything. */
  progress: P | undefined;
}

/** The command could not be started at all; `code` is the system's reason (ENOENT, EACCES, ...). */
export class ProcessStartError extends Error {
  constructor(
    readonly command: string,
    readonly code: string | undefined,
    cause: Error,
  ) {
    super(`cannot run ${command}: ${cause.message}`, { cause });
    this.name = 'ProcessStartError';
  }
}

export const DEFAULT_KILL_GRACE_MS = 5_000;
export const DEFAULT_INTERRUPT_GRACE_MS = 60_000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
export const DEFAULT_TAIL_BYTES = 16 * 1024;

export function runProcess<P = unknown>(options: RunProcessOptions<P>): Promise<RunProcessResult<P>> {
  return run(options, () => undefined);
}

async function run<P>(
  options: RunProcessOptions<P>,
  /** Called with the child's stdout once it runs (runProcessLines pauses and resumes it). */
  onStdout: (stdout: Readable) => void,
): Promise<RunProcessResult<P>> {
  // Nothing runs: a stop asked for before the start is already done.
  if (options.signal?.aborted || options.interrupt?.aborted) return notStarted(options);
  const child = spawnInGroup(options);
  const pid = child.pid;
  // Not started (ENOENT, EACCES, a missing cwd): the reason follows as an 'error' event.
  if (pid === undefined) throw await startFailure(options.command, child);
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  // Once started, 'error' means a failed kill or write: the exit still comes as 'close'.
  child.on('error', () => undefined);

  const state = new RunState<P>(pid, options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
  const tailBytes = options.tailBytes ?? DEFAULT_TAIL_BYTES;
  const tails = { stdout: new ByteTail(tailBytes), stderr: new ByteTail(tailBytes) };
  const splitters = captureOutput(child, options, state, tails);
  if (child.stdout) onStdout(child.stdout);
  if (options.stdin && child.stdin) {
    child.stdin.on('error', () => undefined); // a child that exits early closes the pipe: its exit says why
    state.guarded(options.stdin)(child.stdin);
  }
  if (options.onSpawn) state.guarded(options.onSpawn)(pid);
  const disarm = armStops(child, options, state);

  try {
    const exit = await closed;
    splitters.stdout?.end();
    splitters.stderr?.end();
    await Promise.all(state.stops);
    // A stop started after the line above (a hook failing in the last lines) is not in that list.
    await terminateGroup(pid, state.killGraceMs);
    if (state.hookError !== undefined) throw state.hookError;
    const { cancelled, timedOut, interrupted, progress } = state;
    return {
      code: exit.code,
      signal: exit.signal,
      stdoutTail: tails.stdout.text(),
      stderrTail: tails.stderr.text(),
      cancelled,
      timedOut,
      interrupted,
      progress,
    };
  } finally {
    disarm();
  }
}

/** The result of a run stopped before its start. */
function notStarted<P>(options: RunProcessOptions<P>): RunProcessResult<P> {
  const cancelled = options.signal?.aborted === true;
  return {
    code: null,
    signal: null,
    stdoutTail: '',
    stderrTail: '',
    cancelled,
    timedOut: false,
    interrupted: !cancelled,
    progress: undefined,
  };
}

/** The child, leader of a process group of its own; throws what spawn throws as a ProcessStartError. */
function spawnInGroup<P>(options: RunProcessOptions<P>): ChildProcess {
  try {
    return spawn(options.command, options.args ?? [], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    // Invalid arguments and some system limits (EMFILE) are thrown at once rather than emitted.
    throw new ProcessStartError(options.command, (err as NodeJS.ErrnoException).code, err as Error);
  }
}

async function startFailure(command: string, child: ChildProcess): Promise<ProcessStartError> {
  const err = await new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
  return new ProcessStartError(command, err.code, err);
}

/** What a running child has shown so far, and the stops started on its group. */
class RunState<P> {
  progress: P | undefined;
  hookError: unknown;
  cancelled = false;
  timedOut = false;
  interrupted = false;
  /** A cancellation or timeout that comes after the leader's own exit changes nothing about how it ended. */
  leaderExited = false;
  /** Every stop goes through here, so that the run's final wait covers each one that was started. */
  readonly stops: Promise<unknown>[] = [];

  constructor(
    readonly pid: number,
    readonly killGraceMs: number,
  ) {}

  stopGroup(): void {
    this.stops.push(terminateGroup(this.pid, this.killGraceMs));
  }

  /** The caller's hook, made safe to call from a stream or timer callback. */
  guarded<A extends unknown[]>(hook: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      if (this.hookError !== undefined) return;
      try {
        hook(...args);
      } catch (err) {
        // Thrown from a stream or timer callback it would crash the worker: stop the child and report it.
        this.hookError = err;
        this.stopGroup();
      }
    };
  }
}

/** Feeds each stream's chunks to its tail, onOutput and (with onLine) a line splitter, returned. */
function captureOutput<P>(
  child: ChildProcess,
  options: RunProcessOptions<P>,
  state: RunState<P>,
  tails: Record<OutputStream, ByteTail>,
): Partial<Record<OutputStream, LineSplitter>> {
  const splitters: Partial<Record<OutputStream, LineSplitter>> = {};
  for (const stream of ['stdout', 'stderr'] as const) {
    const onLine = options.onLine;
    const splitter = onLine
      ? new LineSplitter(
          state.guarded((line: string) => {
            const reported = onLine(line, stream);
            if (reported !== undefined) state.progress = reported;
          }),
          options.maxLineChars,
        )
      : undefined;
    splitters[stream] = splitter;
    const onOutput = options.onOutput ? state.guarded(options.onOutput) : undefined;
    child[stream]?.on('data', (chunk: Buffer) => {
      tails[stream].push(chunk);
      onOutput?.(chunk, stream);
      splitter?.push(chunk);
    });
  }
  return splitters;
}

/**
 * Arms what stops the group (cancellation, interruption, the timeout, the leader's exit) and the heartbeat;
 * returns what disarms them once the run has settled.
 */
function armStops<P>(child: ChildProcess, options: RunProcessOptions<P>, state: RunState<P>): () => void {
  const onAbort = () => {
    if (state.leaderExited) return;
    state.cancelled = true;
    state.stopGroup();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const onInterrupt = () => {
    if (state.leaderExited) return;
    state.interrupted = true;
    const graceMs = options.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS;
    state.stops.push(interruptGroup(state.pid, graceMs, state.killGraceMs));
  };
  options.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          if (state.leaderExited) return;
          state.timedOut = true;
          state.stopGroup();
        }, options.timeoutMs);
  const heartbeat = options.heartbeat ? state.guarded(options.heartbeat) : undefined;
  heartbeat?.(state.progress);
  const ticker = heartbeat
    ? setInterval(
        () => heartbeat(state.progress),
        options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      )
    : undefined;
  // The leader's exit does not close the pipes while something it left in its group holds them.
  child.once('exit', () => {
    state.leaderExited = true;
    state.stopGroup();
  });
  return () => {
    clearInterval(ticker);
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    options.interrupt?.removeEventListener('abort', onInterrupt);
  };
}

/** Lines of stdout that may wait unread before the child's stdout is paused (readline's own figure). */
export const LINES_HIGH_WATER_MARK = 1024;

export interface ProcessLines {
  /**
   * Each line of the child's stdout, in order, as it comes; ends once the run has settled (so, also when
   * it could not start: `result` says why). Ending it early (`break`, `return()`) drops the lines still to
   * come and lets the child run on: abort `signal` to stop it.
   */
  lines: AsyncIterableIterator<string>;
  /** runProcess's promise: how the child ended. */
  result: Promise<RunProcessResult<undefined>>;
}

/**
 * runProcess for a caller that reads stdout line by line: a streaming protocol
 * (python/mlip_autopipe/helpers/score_candidates.py) or a factory that prints documents. The child's stdout is paused while LINES_HIGH_WATER_MARK lines wait
 * unread, so a slow reader (one that writes each batch to MongoDB first) bounds memory; once `signal` is
 * aborted it is no longer paused, so that a child being stopped is never held up by a full pipe. stderr
 * goes only to the result's tail.
 */
export function runProcessLines(options: Omit<RunProcessOptions<undefined>, 'onLine'>): ProcessLines {
  const queue: string[] = [];
  let stdout: Readable | undefined;
  let ended = false;
  let discarding = false;
  let waiter: (() => void) | undefined;
  const wake = () => {
    waiter?.();
    waiter = undefined;
  };
  const flowing = () =>
    discarding || options.signal?.aborted === true || queue.length < LINES_HIGH_WATER_MARK;
  const unpause = () => {
    if (stdout?.isPaused()) stdout.resume();
  };
  options.signal?.addEventListener('abort', unpause, { once: true });
  const result = run<undefined>(
    {
      ...options,
      onLine: (line, stream) => {
        if (stream !== 'stdout' || discarding) return undefined;
        queue.push(line);
        if (!flowing()) stdout?.pause();
        wake();
        return undefined;
      },
    },
    (s) => (stdout = s),
  );
  const settle = () => {
    ended = true;
    options.signal?.removeEventListener('abort', unpause);
    wake();
  };
  void result.then(settle, settle); // the caller awaits `result` itself and sees its failure there
  const lines: AsyncIterableIterator<string> = {
    [Symbol.asyncIterator]() {
      return lines;
    },
    async next() {
      for (;;) {
        if (discarding) return { done: true, value: undefined };
        const line = queue.shift();
        if (line !== undefined) {
          if (flowing()) unpause();
          return { done: false, value: line };
        }
        if (ended) return { done: true, value: undefined };
        await new Promise<void>((resolve) => (waiter = resolve));
      }
    },
    async return() {
      discarding = true;
      queue.length = 0;
      unpause();
      return { done: true, value: undefined };
    },
  };
  return { lines, result };
}
