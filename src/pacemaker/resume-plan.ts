/**
 * The resume plan: how an attempt of executeTraining runs pacemaker, given what earlier attempts left in
 * the workspace. Earlier attempts may have got as far as a checkpoint (continue from it, with what is left
 * of the iteration budget) or not (start from the beginning). Pure: the caller reads the workspace and
 * writes input.resume.yaml; whatever an earlier attempt left running is stopped before (stopRecordedGroup).
 */
import { TRAINER_FILES } from '../artefact-names';
import { iterationsCompleted, resumeInputYaml } from './checkpoint';

/** What earlier attempts left in a fit's workspace. */
export interface FitWorkspace {
  /** The fit's input: its file name in the workspace (pacemaker's working directory) and its text. */
  inputYaml: { name: string; text: string };
  /** The latest interim potential, when a run got as far as one. */
  checkpoint?: string;
  /** pacemaker.log as earlier runs left it; undefined when there is none. */
  logText?: string;
}

/** One run of pacemaker in the workspace. */
export interface FitRun {
  /** pacemaker's command line. */
  args: string[];
  /** This run's iteration budget: what is left of the fit's. */
  maxIterations: number;
  /** The checkpoint this run continues from. */
  resumedFrom?: string;
  /** Iterations the fit completed in earlier runs (0 for a run from the beginning). */
  iterationsBefore: number;
  /** input.resume.yaml's text, written before the run: the input with the remaining budget. */
  resumeInput?: string;
}

/**
 * The run that continues the fit where earlier attempts left it. The iterations done are read from the
 * log rather than from the last heartbeat, which only this activity's next attempt sees: another host
 * taking the workspace over sees the log.
 */
export function planFitRun(workspace: FitWorkspace, maxIterations: number): FitRun {
  const { checkpoint, inputYaml, logText } = workspace;
  if (!checkpoint) return fitFromTheBeginning(inputYaml.name, maxIterations);
  const iterationsBefore = logText === undefined ? 0 : iterationsCompleted(logText);
  const resume = resumeInputYaml(inputYaml.text, iterationsBefore);
  return {
    args: [TRAINER_FILES.resumeInput, '-p', checkpoint],
    maxIterations: resume.maxIterations ?? maxIterations,
    resumedFrom: checkpoint,
    iterationsBefore,
    resumeInput: resume.text,
  };
}

/** The run of the whole fit from its input. */
export function fitFromTheBeginning(inputName: string, maxIterations: number): FitRun {
  return { args: [inputName], maxIterations, iterationsBefore: 0 };
}
