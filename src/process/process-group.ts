/**
 * Process-group control for the child processes this package starts (pacemaker, pace_activeset, the
 * Python helpers). Each runs in a process group of its own, so that cancelling kills everything it
 * started, and so that a long one survives a crash of the worker: a retried attempt then finds it
 * through its pid file and stops it before starting again (never two processes writing the same
 * workspace).
 */
import fs from 'node:fs';
import os from 'node:os';

export interface PidRecord {
  pid: number;
  /** Start time of the process in clock ticks since boot (/proc/PID/stat field 22): guards against pid reuse. */
  startTime: string;
  /**
   * The machine the process runs on: on a shared work root another host may read this file, and a pid
   * means nothing there (absent in files written before hosts were recorded: this machine's).
   */
  machine?: string;
}

export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return afterName[19]; // field 22 overall
  } catch {
    return undefined;
  }
}

/**
 * Whether a process of group `pgid` is still running. Zombies do not count: they run nothing and hold no
 * file open, and an orphan's zombie waits for the host's init to reap it, which some inits do only every
 * few seconds and a container whose PID 1 is not an init never does (waiting for it would never end).
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return hasRunningMember(pgid);
}

/** Scans /proc for a member of the group that is not a zombie; true where /proc cannot tell. */
function hasRunningMember(pgid: number): boolean {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // Fields after the command name (which may hold spaces and parentheses): state, ppid, pgrp, ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

function signalGroup(pgid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* gone already */
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends `signal` to the group; true once no process of it is left, false if some still run after `graceMs`. */
async function signalAndWait(pgid: number, signal: NodeJS.Signals, graceMs: number): Promise<boolean> {
  signalGroup(pgid, signal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return true;
    await sleep(100);
  }
  return false;
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves when no process of the group is left. */
export async function terminateGroup(
  pgid: number,
  graceMs: number,
): Promise<'terminated' | 'killed' | 'not-running'> {
  if (!groupAlive(pgid)) return 'not-running';
  if (await signalAndWait(pgid, 'SIGTERM', graceMs)) return 'terminated';
  signalGroup(pgid, 'SIGKILL');
  while (groupAlive(pgid)) await sleep(50);
  return 'killed';
}

/**
 * SIGINT to the group (a Python program stops where it is, as on Ctrl-C), then terminateGroup after
 * `graceMs` if it is still running; resolves when no process of the group is left.
 */
export async function interruptGroup(
  pgid: number,
  graceMs: number,
  killGraceMs: number,
): Promise<'interrupted' | 'terminated' | 'killed' | 'not-running'> {
  if (!groupAlive(pgid)) return 'not-running';
  if (await signalAndWait(pgid, 'SIGINT', graceMs)) return 'interrupted';
  return terminateGroup(pgid, killGraceMs);
}

export function writePidFile(file: string, pid: number): void {
  const record: PidRecord = { pid, startTime: processStartTime(pid) ?? 'unknown', machine: os.hostname() };
  fs.writeFileSync(file, JSON.stringify(record));
}

/**
 * Stops the process group recorded in `file` if that very process still runs (same pid and start time),
 * then removes the file. Returns what it did, for the log.
 */
export async function stopRecordedGroup(file: string, graceMs: number): Promise<string> {
  let record: PidRecord;
  try {
    record = JSON.parse(fs.readFileSync(file, 'utf8')) as PidRecord;
  } catch {
    return 'no previous trainer recorded';
  }
  if (record.machine !== undefined && record.machine !== os.hostname()) {
    fs.rmSync(file, { force: true });
    return `previous trainer (pid ${record.pid}) ran on ${record.machine}, not here: left alone`;
  }
  const startTime = processStartTime(record.pid);
  let outcome: string;
  if (startTime !== undefined && startTime === record.startTime) {
    outcome = `previous trainer (pid ${record.pid}) ${await terminateGroup(record.pid, graceMs)}`;
  } else if (groupAlive(record.pid) && startTime === undefined) {
    // The leader exited but children of its group may remain.
    outcome = `leftover processes of group ${record.pid} ${await terminateGroup(record.pid, graceMs)}`;
  } else {
    outcome = `previous trainer (pid ${record.pid}) no longer running`;
  }
  fs.rmSync(file, { force: true });
  return outcome;
}
