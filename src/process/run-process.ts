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
 *   (for error messages), and a line longer than MAX_LINE_CHARS reaches `onLine` cut to that length.
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
import { StringDecoder } from 'node:string_decoder';
import type { Writable } from 'node:stream';
import { terminateGroup } from './process-group';

export type OutputStream = 'stdout' | 'stderr';

export interface RunProcessOptions<P = unknown> {
  command: string;
  args?: readonly string[];
  cwd?: string;
  /** The child's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Stops the group when the child has run this long (result.timedOut). Default: no limit. */
  timeoutMs?: number;
  /** Stops the group when aborted (result.cancelled), e.g. an activity's cancellationSignal. */
  signal?: AbortSignal;
  /** Between SIGTERM and SIGKILL. Default DEFAULT_KILL_GRACE_MS. */
  killGraceMs?: number;
  /** Each complete line of output (without its newline); a returned value becomes the latest progress. */
  onLine?: (line: string, stream: OutputStream) => P | undefined;
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
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
export const DEFAULT_TAIL_BYTES = 16 * 1024;
/** A child that prints without newlines must not grow a line buffer without bound. */
export const MAX_LINE_CHARS = 64 * 1024;

/** Keeps the last `limit` bytes written to it, in chunks, never more than one chunk beyond the limit. */
export class ByteTail {
  private chunks: Buffer[] = [];
  private length = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    if (this.limit <= 0) return;
    if (chunk.length >= this.limit) {
      this.chunks = [chunk.subarray(chunk.length - this.limit)];
      this.length = this.limit;
      return;
    }
    this.chunks.push(chunk);
    this.length += chunk.length;
    while (this.length - this.chunks[0]!.length >= this.limit) this.length -= this.chunks.shift()!.length;
  }

  /** The kept bytes as text; a character cut in two at the start is dropped. */
  text(): string {
    const all = Buffer.concat(this.chunks, this.length);
    let start = Math.max(0, all.length - this.limit);
    // UTF-8 continuation bytes are 10xxxxxx: skip to the first byte that starts a character.
    while (start < all.length && (all[start]! & 0xc0) === 0x80) start++;
    return all.subarray(start).toString('utf8');
  }
}

/** Splits a byte stream into lines (\n or \r\n), decoding UTF-8 across chunk boundaries. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  /** The current line was cut at MAX_LINE_CHARS: drop the rest of it. */
  private overlong = false;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    this.feed(this.decoder.write(chunk));
  }

  end(): void {
    this.feed(this.decoder.end());
    if (this.pending !== '' && !this.overlong) this.onLine(this.pending);
    this.pending = '';
  }

  private feed(text: string): void {
    let from = 0;
    for (let nl = text.indexOf('\n', from); nl >= 0; nl = text.indexOf('\n', from)) {
      const line = this.pending + text.slice(from, nl);
      this.pending = '';
      from = nl + 1;
      if (this.overlong) this.overlong = false;
      else this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    if (this.overlong) return;
    this.pending += text.slice(from);
    if (this.pending.length > MAX_LINE_CHARS) {
      this.onLine(this.pending.slice(0, MAX_LINE_CHARS));
      this.pending = '';
      this.overlong = true;
    }
  }
}

export async function runProcess<P = unknown>(options: RunProcessOptions<P>): Promise<RunProcessResult<P>> {
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const tailBytes = options.tailBytes ?? DEFAULT_TAIL_BYTES;
  const tails = { stdout: new ByteTail(tailBytes), stderr: new ByteTail(tailBytes) };
  let progress: P | undefined;
  let hookError: unknown;
  let cancelled = false;
  let timedOut = false;

  if (options.signal?.aborted)
    return { code: null, signal: null, stdoutTail: '', stderrTail: '', cancelled: true, timedOut, progress };

  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args ?? [], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    // Invalid arguments and some system limits (EMFILE) are thrown at once rather than emitted.
    throw new ProcessStartError(options.command, (err as NodeJS.ErrnoException).code, err as Error);
  }
  const pid = child.pid;
  if (pid === undefined) {
    // Not started (ENOENT, EACCES, a missing cwd): the reason follows as an 'error' event.
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
    throw new ProcessStartError(options.command, err.code, err);
  }
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  // Once started, 'error' means a failed kill or write: the exit still comes as 'close'.
  child.on('error', () => undefined);

  // Every stop goes through here, so that the final wait below covers each one that was started.
  const stops: Promise<unknown>[] = [];
  const stopGroup = () => stops.push(terminateGroup(pid, killGraceMs));
  const guarded =
    <A extends unknown[]>(hook: (...args: A) => void) =>
    (...args: A) => {
      if (hookError !== undefined) return;
      try {
        hook(...args);
      } catch (err) {
        // Thrown from a stream or timer callback it would crash the worker: stop the child and report it.
        hookError = err;
        stopGroup();
      }
    };

  const splitters: Partial<Record<OutputStream, LineSplitter>> = {};
  for (const stream of ['stdout', 'stderr'] as const) {
    const onLine = options.onLine;
    const splitter = onLine
      ? new LineSplitter(
          guarded((line: string) => {
            const reported = onLine(line, stream);
            if (reported !== undefined) progress = reported;
          }),
        )
      : undefined;
    splitters[stream] = splitter;
    child[stream]?.on('data', (chunk: Buffer) => {
      tails[stream].push(chunk);
      splitter?.push(chunk);
    });
  }
  if (options.stdin && child.stdin) {
    child.stdin.on('error', () => undefined); // a child that exits early closes the pipe: its exit says why
    guarded(options.stdin)(child.stdin);
  }
  if (options.onSpawn) guarded(options.onSpawn)(pid);

  // A cancellation or timeout that comes after the leader's own exit changes nothing about how it ended.
  let leaderExited = false;
  const onAbort = () => {
    if (leaderExited) return;
    cancelled = true;
    stopGroup();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          if (leaderExited) return;
          timedOut = true;
          stopGroup();
        }, options.timeoutMs);
  const heartbeat = options.heartbeat ? guarded(options.heartbeat) : undefined;
  heartbeat?.(progress);
  const ticker = heartbeat
    ? setInterval(() => heartbeat(progress), options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS)
    : undefined;
  // The leader's exit does not close the pipes while something it left in its group holds them.
  child.once('exit', () => {
    leaderExited = true;
    stopGroup();
  });

  try {
    const exit = await closed;
    splitters.stdout?.end();
    splitters.stderr?.end();
    await Promise.all(stops);
    // A stop started after the line above (a hook failing in the last lines) is not in that list.
    await terminateGroup(pid, killGraceMs);
    if (hookError !== undefined) throw hookError;
    return {
      code: exit.code,
      signal: exit.signal,
      stdoutTail: tails.stdout.text(),
      stderrTail: tails.stderr.text(),
      cancelled,
      timedOut,
      progress,
    };
  } finally {
    clearInterval(ticker);
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
