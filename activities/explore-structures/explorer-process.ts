/**
 * python/mlip_autopipe/helpers/explore_md.py as a child process: its scratch folder (the plan, LAMMPS's
 * data files and logs) in the work root, named for the workflow so that a later attempt of the same
 * exploration removes what a killed worker left; the plan of the runs still to do; the explorer started
 * in a process group of its own, read line by line, and stopped by this side when it must.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ExplorationRequest } from '../../src/api';
import { PYTHON_HELPERS_DIR } from '../../src/config';
import type { PlannedRun } from '../../src/exploration';
import { ProcessStartError, runProcessLines } from '../../src/process';
import type { ExplorerExit } from './explorer-outcome';
import type { ExploringMember } from './exploring-potential';

/** A folder name from a workflow id (which may hold '/', as a round's children do). */
const folderName = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 150);

/** The exploration's scratch folder, empty: whatever an earlier attempt left in it is removed first. */
export function freshScratch(workRoot: string, workflowId: string | undefined): string {
  const scratch = path.join(workRoot, `explore-${folderName(workflowId ?? `direct-${process.pid}`)}`);
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  return scratch;
}

/** Writes the explorer's plan into the scratch folder; returns its path. */
export function writePlan(
  scratch: string,
  request: ExplorationRequest,
  potential: { member: ExploringMember; elements: string[] },
  runs: PlannedRun[],
): string {
  const planFile = path.join(scratch, 'plan.json');
  const { settings } = request;
  fs.writeFileSync(
    planFile,
    JSON.stringify({
      potentialYaml: potential.member.potentialYaml,
      activeSet: potential.member.asi,
      elements: potential.elements,
      gammaLower: settings.gammaLower,
      gammaUpper: settings.gammaUpper,
      sampleEvery: settings.sampleEvery,
      maxFramesPerRun: settings.maxFramesPerRun,
      timestepFs: settings.timestepFs,
      workDir: scratch,
      runs: runs.map(({ seedId: _seedId, ...run }) => run),
    }),
  );
  return planFile;
}

export interface ExplorerProcess {
  /** Each line the explorer prints on stdout, in order. */
  readonly lines: AsyncIterableIterator<string>;
  /** Its process group, once it runs. */
  readonly pid: number | undefined;
  /** How it ended; undefined when it could not be started (spawnError says why). */
  readonly exited: Promise<ExplorerExit | undefined>;
  /** The end of its stderr, once it has ended. */
  readonly stderr: string;
  readonly spawnError: Error | undefined;
  /** Stops its process group; resolves once it is gone. */
  stop(): Promise<void>;
}

export function startExplorer(
  python: string,
  planFile: string,
  scratch: string,
  killGraceMs: number,
): ExplorerProcess {
  const stop = new AbortController();
  let pid: number | undefined;
  const run = runProcessLines({
    command: python,
    args: [path.join(PYTHON_HELPERS_DIR, 'explore_md.py'), planFile],
    env: { ...process.env, PYTHONUNBUFFERED: '1', OMP_NUM_THREADS: '1' },
    cwd: scratch,
    signal: stop.signal,
    killGraceMs,
    tailBytes: 8000,
    onSpawn: (leader) => (pid = leader),
  });
  let stderr = '';
  let spawnError: Error | undefined;
  const exited = run.result.then(
    (r): ExplorerExit => ((stderr = r.stderrTail), { code: r.code, signal: r.signal }),
    (err: unknown) => {
      spawnError = err instanceof ProcessStartError ? err : (err as Error);
      return undefined;
    },
  );
  return {
    lines: run.lines,
    get pid() {
      return pid;
    },
    exited,
    get stderr() {
      return stderr;
    },
    get spawnError() {
      return spawnError;
    },
    async stop() {
      stop.abort();
      await exited;
    },
  };
}
