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
