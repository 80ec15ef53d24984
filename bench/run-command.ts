/**
 * The benches' way to run a tool to its end (a Python script, pacemaker, pace_yaml2yace): runProcess, the
 * package's one process runner (src/process), so a bench's children run as the worker's do, without a
 * shell and in a session and process group of their own (with the kernel's autogroup scheduling each
 * session gets its own share of the CPU: a child left in this process's session would compete on other
 * terms than a worker's fit).
 */
import fs from 'node:fs';
import path from 'node:path';
import { runProcess, type OutputStream } from '../src/process';

export interface RunCommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Appends everything the command prints to this file, byte for byte. */
  logFile?: string;
  /** Each chunk of output as it arrives (e.g. to print progress). */
  onOutput?: (chunk: Buffer, stream: OutputStream) => void;
  /** stdout kept for the result. Default 1 MiB. */
  maxOutputBytes?: number;
}

/** Resolves with the command's stdout once it exits 0; rejects naming the command and how it ended. */
export async function runCommand(
  command: string,
  args: string[],
  options: RunCommandOptions = {},
): Promise<string> {
  const log = options.logFile === undefined ? undefined : fs.openSync(options.logFile, 'a');
  let result;
  try {
    result = await runProcess({
      command,
      args,
      cwd: options.cwd,
      env: options.env,
      tailBytes: options.maxOutputBytes ?? 1 << 20,
      onOutput: (chunk, stream) => {
        if (log !== undefined) fs.writeSync(log, chunk);
        options.onOutput?.(chunk, stream);
      },
    });
  } finally {
    if (log !== undefined) fs.closeSync(log);
  }
  if (result.code !== 0)
    throw new Error(
      `${path.basename(command)} exited with ${result.code ?? result.signal}` +
        (options.logFile !== undefined
          ? `; see ${options.logFile}`
          : `:\n${result.stderrTail.trim().split('\n').slice(-15).join('\n')}`),
    );
  return result.stdoutTail;
}

/** The last line of a command's stdout as JSON (the Python helpers print their answer last). */
export async function runJsonCommand<T>(
  command: string,
  args: string[],
  options: RunCommandOptions = {},
): Promise<T> {
  const stdout = await runCommand(command, args, options);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T;
}
