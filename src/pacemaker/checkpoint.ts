/**
 * pacemaker's checkpoints: during a fit it rewrites `interim_potential_<cycle>.yaml` after every iteration
 * (python-ace's save_interim_potential_callback). `pacemaker input.yaml -p <file>` continues from one.
 */
import fs from 'node:fs';
import YAML from 'yaml';
import { INTERIM_POTENTIAL } from '../artefact-names';
import { createProgressParser } from './progress-parser';

/** The checkpoint of the latest fit cycle in `dir`, or undefined when there is none. */
export function latestCheckpoint(dir: string): string | undefined {
  let best: { name: string; cycle: number } | undefined;
  for (const name of fs.readdirSync(dir)) {
    const m = INTERIM_POTENTIAL.exec(name);
    if (!m) continue;
    const cycle = Number(m[1]);
    if (!best || cycle > best.cycle) best = { name, cycle };
  }
  return best?.name;
}

/**
 * The input.yaml text for continuing a fit: the same settings, with the iteration budget reduced by the
 * iterations already done, so that a resumed training does not run longer in total than asked.
 * Pure (text in, text out).
 */
export function resumeInputYaml(
  inputYaml: string,
  iterationsDone: number,
): { text: string; maxIterations?: number } {
  const doc = YAML.parseDocument(inputYaml);
  const maxiter = doc.getIn(['fit', 'maxiter']);
  if (typeof maxiter !== 'number') return { text: inputYaml };
  const remaining = Math.max(1, maxiter - Math.max(0, iterationsDone));
  doc.setIn(['fit', 'maxiter'], remaining);
  return { text: String(doc), maxIterations: remaining };
}

/**
 * The line executeTraining writes into pacemaker.log before each run of pacemaker: the log then tells each
 * run's command line (fresh or continued from a checkpoint) and where its output starts.
 */
export function attemptMarker(attempt: number, at: Date, args: string[]): string {
  return `\n===== mlip-train: attempt ${attempt} at ${at.toISOString()}: pacemaker ${args.join(' ')} =====\n`;
}

const MARKER = /^===== mlip-train: attempt \d+ at \S+: pacemaker (.*) =====$/gm;

/**
 * Iterations the fit in this workspace has completed over all its runs: a run continued from a checkpoint
 * (`-p`) adds its iterations to those before it; a run from scratch starts the count again. Read from the
 * log, which a workspace taken over by another host keeps, rather than from the last heartbeat, which
 * only the same activity's next attempt sees. Pure.
 */
export function iterationsCompleted(logText: string): number {
  const markers = [...logText.matchAll(MARKER)];
  let total = 0;
  markers.forEach((m, i) => {
    const end = i + 1 < markers.length ? markers[i + 1]!.index : logText.length;
    const parser = createProgressParser();
    parser.push(logText.slice(m.index + m[0].length, end));
    parser.end();
    const snap = parser.snapshot();
    const last = Math.max(snap.latest?.iteration ?? 0, snap.stats.fit?.iteration ?? 0);
    const continued = /(^|\s)-p\s/.test(` ${m[1]} `);
    total = continued ? total + last : last;
  });
  return total;
}

/**
 * Whether the last run of the fit stopped early (TrainerParams.optimizer.earlyStopping): pacemaker logs
 * "EARLY STOPPING: Too small or even positive TEST loss change (...)" and ends the fit as if it had run its
 * iterations. Only the last run counts: an earlier run's stop was followed by more fitting. Pure.
 */
export function stoppedEarly(logText: string): boolean {
  const markers = [...logText.matchAll(MARKER)];
  const lastRun = markers.length > 0 ? logText.slice(markers[markers.length - 1]!.index) : logText;
  return /EARLY STOPPING: Too small or even positive TEST loss change/.test(lastRun);
}
