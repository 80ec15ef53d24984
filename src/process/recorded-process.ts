/**
 * runProcess for a long tool that works in a workspace (pacemaker's fit, pace_activeset): while it runs,
 * its group's id is in a pid file (a retry after a worker crash finds it there and stops it with
 * stopRecordedGroup before starting again), and everything it prints is appended byte for byte to a log
 * file (progress written with \r included), which is where its output is read back from: by default no
 * tail is kept in memory.
 */
import fs from 'node:fs';
import { writePidFile } from './process-group';
import { runProcess, type RunProcessOptions, type RunProcessResult } from './run-process';

export interface RecordedProcessOptions<P = unknown> extends RunProcessOptions<P> {
  /** Holds the group's id while it runs; removed once no process of the group is left. */
  pidFile: string;
  /** Appended to with all the output. */
  logFile: string;
}

export async function runRecordedProcess<P = unknown>(
  options: RecordedProcessOptions<P>,
): Promise<RunProcessResult<P>> {
  const { pidFile, logFile, onSpawn, onOutput, ...rest } = options;
  const log = fs.openSync(logFile, 'a');
  try {
    return await runProcess<P>({
      tailBytes: 0,
      ...rest,
      onSpawn: (pid) => {
        writePidFile(pidFile, pid);
        onSpawn?.(pid);
      },
      onOutput: (chunk, stream) => {
        fs.writeSync(log, chunk);
        onOutput?.(chunk, stream);
      },
    });
  } finally {
    fs.closeSync(log);
    // runProcess settles only once the group is gone (or never started): nothing is left to record.
    fs.rmSync(pidFile, { force: true });
  }
}
