/** The installed pacemaker's version, recorded in every registry document. */
import { runProcess } from '../../src/process';

/** Asks `pacemaker --version` once, on the first call; 'unknown' when it cannot tell. */
export function pacemakerVersionOnce(pacemakerBin: string): () => Promise<string> {
  let pacemakerVersion: Promise<string> | undefined;
  return () =>
    (pacemakerVersion ??= runProcess({
      command: pacemakerBin,
      args: ['--version'],
      timeoutMs: 60_000,
    }).then(
      ({ code, stdoutTail: stdout }) =>
        code !== 0
          ? 'unknown'
          : (/version:\s*(\S+)/.exec(stdout)?.[1] ?? stdout.trim().split('\n')[0] ?? 'unknown'),
      () => 'unknown',
    ));
}
