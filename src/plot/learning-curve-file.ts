/**
 * Writes the learning-curve SVG of a fit next to its published artefacts. A picture is a convenience:
 * any failure (unreadable or malformed table, disk error) is logged and reported as `false`, never thrown,
 * so it can never fail a publish.
 */
import { Context } from '@temporalio/activity';
import fs from 'node:fs';
import { learningCurveSvgFromTable } from './learning-curve';

function warn(message: string): void {
  try {
    Context.current().log.warn(message);
  } catch {
    console.warn(message); // not inside an activity
  }
}

/** pacemaker's metrics table at `metricsFile` → SVG at `svgFile`; true when written. */
export function writeLearningCurveFile(metricsFile: string, svgFile: string, title: string): boolean {
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
