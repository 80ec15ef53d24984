/** The installed pacemaker's version, recorded in every registry document. */
import fs from 'node:fs';
import { runProcess } from '../../src/process';

/**
 * The distribution that installs the `pacemaker` command; its version is what `pacemaker --version` prints
 * first ("pacemaker/pyace version: 0.4.0rc1").
 */
const PACEMAKER_DISTRIBUTION = 'python-ace';

/**
 * Asks once, on the first call; 'unknown' when it cannot tell. `pacemaker --version` imports pyace and ASE
 * (about 2.5 s of CPU), and every worker start asks: where the command is a Python console script, its own
 * interpreter reads the version from the package metadata instead (milliseconds), so the answer still
 * belongs to the pacemaker this worker runs.
 */
export function pacemakerVersionOnce(pacemakerBin: string): () => Promise<string> {
  let pacemakerVersion: Promise<string> | undefined;
  return () =>
    (pacemakerVersion ??= versionFromPackageMetadata(pacemakerBin).then(
      (version) => version ?? fromVersionFlag(pacemakerBin),
    ));
}

/** The interpreter a console script's first line names, when it names one. */
export function scriptInterpreter(firstLine: string): string | undefined {
  const match = /^#!\s*(\S*python[\d.]*)\s*$/.exec(firstLine.trim());
  return match?.[1];
}

export async function versionFromPackageMetadata(pacemakerBin: string): Promise<string | undefined> {
  let interpreter: string | undefined;
  try {
    interpreter = scriptInterpreter(firstLineOf(pacemakerBin));
  } catch {
    return undefined;
  }
  if (!interpreter) return undefined;
  const program = `import importlib.metadata as m; print(m.version(${JSON.stringify(PACEMAKER_DISTRIBUTION)}))`;
  const result = await runProcess({ command: interpreter, args: ['-c', program], timeoutMs: 60_000 }).catch(
    () => undefined,
  );
  const version = result?.code === 0 ? result.stdoutTail.trim() : '';
  return /^\S+$/.test(version) ? version : undefined;
}

/** The file's first line, read from its first 512 bytes only: the command may be a large binary. */
function firstLineOf(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(512);
    const read = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, read).toString('latin1').split('\n')[0] ?? '';
  } finally {
    fs.closeSync(fd);
  }
}

async function fromVersionFlag(pacemakerBin: string): Promise<string> {
  return runProcess({ command: pacemakerBin, args: ['--version'], timeoutMs: 60_000 }).then(
    ({ code, stdoutTail: stdout }) =>
      code !== 0
        ? 'unknown'
        : (/version:\s*(\S+)/.exec(stdout)?.[1] ?? stdout.trim().split('\n')[0] ?? 'unknown'),
    () => 'unknown',
  );
}
