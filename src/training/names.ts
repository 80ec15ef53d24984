import { z } from 'zod';

/**
 * A name that becomes one path component (potential names, workspace names): letters, digits, '.', '_'
 * and '-', not starting with '.', so it can never be '..', contain a separator, or hide as a dotfile.
 */
export const PathSafeNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/,
    'use letters, digits, ".", "_" and "-" only (no "/", no leading ".")',
  );

/** A workspace directory name for one attempt of one workflow run; pure and deterministic. */
export function workspaceName(workflowId: string, runId: string, hostAttempt: number): string {
  const safeId = workflowId
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 80);
  return `${safeId}--${runId.slice(0, 8)}--h${hostAttempt}`;
}
