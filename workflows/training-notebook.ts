/**
 * What a training shows while it runs and keeps after it: its phase and fit progress (the `progress`
 * query, the MlipPhase search attribute) and the notebook, a few lines per step that the Web UI shows as
 * the run's current details and the memo keeps once the run is closed. Workflow code only.
 */
import {
  FIT_PHASES,
  fitProgressSignal,
  MlipPhase,
  progressQuery,
  type TrainingPhase,
  type TrainingProgress,
} from '../src/api';
import { setCurrentDetails, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';

export class TrainingNotebook {
  private progress: TrainingProgress = { phase: 'validating' };
  private readonly lines: string[] = [];

  /** Answers the progress query and takes the fit's progress signals from the first workflow task on. */
  constructor() {
    setHandler(progressQuery, () => this.progress);
    setHandler(fitProgressSignal, (update) => {
      // Fit progress only matters while the fit runs; a late signal must not move the phase backwards.
      if (!FIT_PHASES.includes(this.progress.phase)) return;
      // Keep MlipPhase current too, so that `MlipPhase = "fitting"` finds the trainings fitting right now.
      if (update.phase !== this.progress.phase)
        upsertSearchAttributes([{ key: MlipPhase, value: update.phase }]);
      this.progress = update;
    });
  }

  /** A line for the notebook; it is shown with the next phase. */
  note(line: string) {
    this.lines.push(line);
  }

  /** Enters a phase, with the line that says what the last step found, and shows the notebook. */
  phase(phase: TrainingPhase, note?: string) {
    this.progress = { ...this.progress, phase };
    upsertSearchAttributes([{ key: MlipPhase, value: phase }]);
    if (note) this.lines.push(note);
    const details = [...this.lines, `**Phase** ${phase}`].join('\n\n');
    // Current details are answered by a worker while the run is open; the memo keeps the notebook after.
    setCurrentDetails(details);
    upsertMemo({ notebook: details });
  }

  /** The request was refused before the notebook began: only the phase says how the training ended. */
  refused() {
    this.progress = { phase: 'failed' };
    upsertSearchAttributes([{ key: MlipPhase, value: 'failed' }]);
  }
}
