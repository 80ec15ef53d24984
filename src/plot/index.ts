/**
 * The learning curve (SVG) drawn from pacemaker's per-iteration metrics.
 */
export * from './learning-curve';
export * from './learning-curve-file';
