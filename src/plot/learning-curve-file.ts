/**
 * Writes the learning-curve SVG of a fit next to its published artefacts. A picture is a convenience:
 * any failure (unreadable or malformed table, disk error) is logged and reported as `false`, never thrown,
 * so it can never fail a publish.
 */
import fs from 'node:fs';
import { learningCurveSvgFromTable } from './learning-curve';

/**
 * pacemaker's metrics table at `metricsFile` → SVG at `svgFile`; true when written. Why it was not is
 * given to `warn` (the activity's log when publishing).
 */
export function writeLearningCurveFile(
  metricsFile: string,
  svgFile: string,
  title: string,
  warn: (message: string) => void = console.warn,
): boolean {
  try {
    const svg = learningCurveSvgFromTable(fs.readFileSync(metricsFile, 'utf8'), { title });
    fs.writeFileSync(svgFile, svg);
    return true;
  } catch (err) {
    warn(
      `learning curve not drawn (publishing without it): ${err instanceof Error ? err.message : String(err)}`,
    );
    return false;
  }
}
