/**
 * A training worker as its own OS process (`worker/main.ts`, what `npm run worker` runs), for the tests
 * that signal or kill it: a crash (SIGKILL) or a graceful drain (SIGTERM) of a host.
 *
 * Spawned directly, not through runProcess (src/process): this is the long-running process under test, not
 * a tool run to its end. The test signals the worker's own pid, sees its exit the moment it happens, and
 * must leave what the worker started (pacemaker, in its own group) running after a crash; runProcess
 * would stop the group itself and settle only once all of it is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Env } from '../../src/config/env';
import { PROJECT_ROOT } from '../../src/config/paths';
import { waitFor } from './training-env';

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed, for assertions and for a failing test's message. */
  output(): string;
  /** Resolves with the exit code (or the signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startWorkerProcess(env: Env, extra: Record<string, string> = {}): WorkerProcess {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) vars[k] = String(v);
  // One node process (no tsx wrapper process), so a signal reaches the worker itself.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker', 'main.ts')], {
    env: { ...process.env, ...vars, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => text, exited };
}

/**
 * Until the worker's start-up line says it serves `hostId`'s queues (its connections are up); a worker
 * that does not get there fails the wait with the end of its output.
 */
export async function waitUntilServing(worker: WorkerProcess, hostId: string, timeoutMs = 90_000) {
  await waitFor(
    `the worker of ${hostId} to serve its queues`,
    () => worker.output().includes(`[worker] host ${hostId}: serving`) || undefined,
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${worker.output().slice(-3000)}`);
  });
}

/** The command line of a process, with its process group, for messages about what ran at once. */
export function commandLine(pid: number): string {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return `${pid} (group ${processGroupOf(pid)}): ${cmdline}`;
  } catch {
    return `${pid}: (gone)`;
  }
}

/** The process group of `pid` (/proc/PID/stat field 5, counted after the command name's closing parenthesis). */
export function processGroupOf(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2] ?? `?${pid}`;
  } catch {
    return `gone ${pid}`;
  }
}
