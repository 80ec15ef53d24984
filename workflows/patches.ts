/**
 * Every patch id the workflows use (Temporal's patched()), with the change it guards. A run that started
 * before a change replays the old branch; a run that started after takes the new one. How a patch is
 * retired (deprecatePatch, then removal once no run that started before it is open): docs/design.md,
 * "Versioning". Workflow code only.
 */
export const PATCHES = {
  /**
   * 2026-12: each workflow's input is resolved (validated, defaults filled in) by a local activity whose
   * answer is recorded in history, instead of in workflow code, so that a release that changes a default
   * or a rule cannot change what an in-flight run replays. Old branch: the checks of that time, in code.
   */
  resolveRequestOnce: 'resolve-request-once',
  /**
   * 2026-12: a training that fails or is cancelled while it waits for a workspace (or whose request is
   * invalid) says so in its phase (MlipPhase, memo, `progress`), instead of staying at acquiring-workspace
   * (or validating). Old branch: the run ends with its phase where it was.
   */
  finalPhaseBeforeHost: 'final-phase-before-host',
} as const;
