/**
 * Process-group control for long-running trainers. pacemaker runs in a process group of its own, so that
 * cancelling kills everything it started, and so that it survives a crash of the worker: a retried
 * attempt then finds it through the pid file and stops it before starting again (never two fits writing
 * the same workspace).
 */
import fs from 'node:fs';

export interface PidRecord {
  pid: number;
  /** Start time of the process in clock ticks since boot (/proc/PID/stat field 22): guards against pid reuse. */
  startTime: string;
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

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* gone already */
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves when no process of the group is left. */
export async function terminateGroup(
  pgid: number,
  graceMs: number,
): Promise<'terminated' | 'killed' | 'not-running'> {
  if (!groupAlive(pgid)) return 'not-running';
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return 'terminated';
    await sleep(100);
  }
  signalGroup(pgid, 'SIGKILL');
  while (groupAlive(pgid)) await sleep(50);
  return 'killed';
}

export function writePidFile(file: string, pid: number): void {
  const record: PidRecord = { pid, startTime: processStartTime(pid) ?? 'unknown' };
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
