/**
 * The name of every file a training writes, in one place: in its workspace (MLIP_WORK_ROOT/<workspace>/,
 * grouped by the step that writes it) and in a published potential (MLIP_POTENTIALS_DIR/<name>/v<N>/, a
 * layout users and the registry rely on). Names that are pacemaker's own are marked so: pacemaker picks
 * them, we only find them. Pure.
 */

/** A workspace directory name for one attempt of one workflow run; pure and deterministic. */
export function workspaceName(workflowId: string, runId: string, hostAttempt: number): string {
  const safeId = workflowId
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 80);
  return `${safeId}--${runId.slice(0, 8)}--h${hostAttempt}`;
}

/** acquireWorkspace: who made the workspace (a restarted worker tells its stale workspaces by it). */
export const OWNER_FILE = '.owner.json';

/** fetchTrainingData: the training set (other steps find the dataset by these names). */
export const DATASET_FILES = {
  extxyz: 'dataset.extxyz',
  pacemaker: 'dataset.pckl.gzip',
  manifest: 'manifest.json',
} as const;

/** generatePacemakerConfig: pacemaker's input, its dry run, and a committee member's resample. */
export const CONFIG_FILES = {
  inputYaml: 'input.yaml',
  /** pacemaker --dry-run writes log.txt, target_potential.yaml, ...: kept out of the training's own files. */
  dryRunDir: 'dry-run',
  /** pacemaker's: the basis it built, written by --dry-run (its function count is checked). */
  targetPotential: 'target_potential.yaml',
} as const;

/** A committee member's bootstrap resample of the committee's dataset, in the member's workspace. */
export const RESAMPLE_FILES = {
  train: 'member-train.pckl.gzip',
  test: 'member-test.pckl.gzip',
} as const;

/**
 * A several-element training's own test split, drawn from every composition class (python/
 * stratified_split.py), in the workspace: pacemaker fits the first and tests on the second.
 */
export const SPLIT_FILES = {
  train: 'split-train.pckl.gzip',
  test: 'split-test.pckl.gzip',
} as const;

/** executeTraining: the fit. */
export const TRAINER_FILES = {
  log: 'pacemaker.log',
  pid: 'pacemaker.pid',
  /** The input of a fit continued from its checkpoint (the remaining iterations). */
  resumeInput: 'input.resume.yaml',
  /** pacemaker's: the fitted B-basis potential. */
  potentialYaml: 'output_potential.yaml',
  yace: 'potential.yace',
  /** pacemaker's: per-iteration metrics, the fit's learning curve. */
  fitMetrics: 'metrics.txt',
  /** pacemaker's: its figures (parity plots, error distributions). */
  figuresDir: 'report',
} as const;

/** pacemaker's checkpoints: it rewrites interim_potential_<cycle>.yaml after every iteration. */
export const INTERIM_POTENTIAL = /^interim_potential_(\d+)\.yaml$/;

/** buildActiveSet: pace_activeset's run (the .asi itself is named after the potential, by pace_activeset). */
export const ACTIVE_SET_FILES = {
  log: 'pace_activeset.log',
  pid: 'pace_activeset.pid',
  /** pacemaker's: the training split it fitted to (after any test split). */
  fittingData: 'fitting_data_info.pckl.gzip',
} as const;

/**
 * Files of a workspace that a host taking it over (shared work root) does not copy: the owner record (the
 * new workspace has its own) and the old host's pid files (a pid means nothing on another machine).
 */
export const NOT_CARRIED_OVER: ReadonlySet<string> = new Set([
  OWNER_FILE,
  TRAINER_FILES.pid,
  ACTIVE_SET_FILES.pid,
]);

/** What a published version holds, by registry key (MongoDB keys cannot contain '.'). */
export const PUBLISHED_FILES = {
  yace: TRAINER_FILES.yace,
  potentialYaml: TRAINER_FILES.potentialYaml,
  inputYaml: CONFIG_FILES.inputYaml,
  manifest: DATASET_FILES.manifest,
  metrics: 'metrics.json',
  log: TRAINER_FILES.log,
  /** pacemaker's per-iteration metrics (metrics.txt): the fit's learning curve. */
  fitMetrics: 'fit-metrics.txt',
  /** The learning curve drawn from fit-metrics.txt (loss and RMSEs per iteration), when it could be drawn. */
  learningCurve: 'learning-curve.svg',
  /**
   * The active set (pace_activeset) for extrapolation grades: with output_potential.yaml, what LAMMPS
   * `pair_style pace/extrapolation` and pyace read. Absent when no active set could be built.
   */
  asi: 'potential.asi',
} as const;

/** In a published version: pacemaker's figures, under pacemaker's own names. */
export const PUBLISHED_FIGURES_DIR = TRAINER_FILES.figuresDir;

/** In a published version: which training published it (a retried publish finds its own version by it). */
export const PUBLISH_KEY_FILE = '.publish-key';
