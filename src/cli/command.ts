/** The shape every `mlip-train` sub-command has; main.ts lists them. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  name: string;
  /** One line for `mlip-train --help`. */
  summary: string;
  /** Full text for `mlip-train NAME --help`. */
  usage: string;
  /** Returns the process exit code (see ExitCode). */
  run(args: string[], io: CliIo): Promise<number>;
}

export const ExitCode = {
  Ok: 0,
  /** The operation ran and failed (training failed, data invalid, server unreachable, ...). */
  Failed: 1,
  /** The command line itself is wrong: unknown command or flag, missing or malformed value. */
  Usage: 2,
} as const;

/** A mistake in the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}
