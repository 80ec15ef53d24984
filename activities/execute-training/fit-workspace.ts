/**
 * The fit's files in its workspace, and the reads and writes that the resume plan and the exit
 * classification (both pure) leave to their caller.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TRAINER_FILES } from '../../src/artefact-names';
import { FailureType, nonRetryable } from '../../src/api';
import { latestCheckpoint, type FitRun, type FitWorkspace } from '../../src/pacemaker';
import type { FitEndFacts } from './fit-ending';

export interface FitFiles {
  dir: string;
  inputYaml: string;
  log: string;
  pid: string;
  potentialYaml: string;
  yace: string;
}

/** The fit's files; fails at once when its input is missing. */
export function fitFiles(workspaceDir: string, inputYamlPath: string): FitFiles {
  if (!fs.existsSync(inputYamlPath)) {
    throw nonRetryable(FailureType.InvalidTrainerConfig, `input file ${inputYamlPath} does not exist`);
  }
  const file = (name: string) => path.join(workspaceDir, name);
  return {
    dir: workspaceDir,
    inputYaml: inputYamlPath,
    log: file(TRAINER_FILES.log),
    pid: file(TRAINER_FILES.pid),
    potentialYaml: file(TRAINER_FILES.potentialYaml),
    yace: file(TRAINER_FILES.yace),
  };
}

/** What earlier attempts left, for the resume plan. */
export function readFitWorkspace(files: FitFiles): FitWorkspace {
  return {
    inputYaml: { name: path.basename(files.inputYaml), text: fs.readFileSync(files.inputYaml, 'utf8') },
    checkpoint: latestCheckpoint(files.dir),
    logText: fs.existsSync(files.log) ? fs.readFileSync(files.log, 'utf8') : undefined,
  };
}

/** Writes input.resume.yaml when the run continues from a checkpoint. */
export function writeRunInput(files: FitFiles, run: FitRun): void {
  if (run.resumeInput === undefined) return;
  fs.writeFileSync(path.join(files.dir, TRAINER_FILES.resumeInput), run.resumeInput);
}

/** What the workspace tells once a run has ended, for the exit classification. */
export function readFitEnd(files: FitFiles, run: FitRun, hostId: string | undefined): FitEndFacts {
  return {
    resumedFrom: run.resumedFrom,
    logText: fs.readFileSync(files.log, 'utf8'),
    checkpoint: latestCheckpoint(files.dir),
    potentialWritten: fs.existsSync(files.potentialYaml),
    hostId,
  };
}

/** Sets an unreadable checkpoint aside (kept for a look, never continued from again). */
export function setCheckpointAside(files: FitFiles, checkpoint: string): void {
  fs.renameSync(path.join(files.dir, checkpoint), path.join(files.dir, `${checkpoint}.unusable`));
}
