/**
 * The trainer's own instruments: how many fits hold or wait for a host's training slots, how fast a fit
 * iterates, and how long each of executeTraining's phases took. Recording is a no-op where the runtime
 * serves no metrics (MLIP_METRICS_ADDRESS=off, tests, activities called directly).
 */
import type { MetricMeter } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { TrainingPhase, TrainingProgress } from '../api';
import { MLIP_METRICS } from './metric-names';

export interface SlotState {
  running: number;
  waiting: number;
}

/**
 * Gauges of a host's training slots, set on every change (src/process Semaphore's observer). On the
 * runtime's meter: they belong to the worker, not to one activity.
 */
export function trainingSlotGauges(hostId: string, capacity: number): (state: SlotState) => void {
  const meter = Runtime.instance().metricMeter.withTags({ host: hostId });
  const gauge = (m: { name: string; help: string }) => meter.createGauge(m.name, 'int', '', m.help);
  const running = gauge(MLIP_METRICS.trainingsRunning);
  const waiting = gauge(MLIP_METRICS.trainingsWaiting);
  gauge(MLIP_METRICS.trainingSlots).set(capacity);
  // Zero from the start, so a dashboard shows an idle host rather than no data.
  running.set(0);
  waiting.set(0);
  return (state) => {
    running.set(state.running);
    waiting.set(state.waiting);
  };
}

export interface FitMetrics {
  /** Called with each progress executeTraining reports: counts new iterations, times phase changes. */
  observe(progress: TrainingProgress): void;
  /** The fit's attempt is over: records the phase it was in. */
  end(): void;
}

/** A fit's instruments, on its activity's meter (labelled with the activity and host). */
export function fitMetrics(meter: MetricMeter, now: () => number = () => performance.now()): FitMetrics {
  const iterations = meter.createCounter(
    MLIP_METRICS.fitIterations.name,
    '',
    MLIP_METRICS.fitIterations.help,
  );
  const phaseSeconds = meter.createHistogram(
    MLIP_METRICS.phaseSeconds.name,
    'float',
    's',
    MLIP_METRICS.phaseSeconds.help,
  );
  let phase: { name: TrainingPhase; since: number } | undefined;
  // The iteration pacemaker last reported in this run; it counts from 0 again when a fit starts over
  // (a resumed attempt, a new fit cycle).
  let lastIteration = 0;
  const endPhase = (at: number) => {
    if (phase) phaseSeconds.record((at - phase.since) / 1000, { phase: phase.name });
  };
  return {
    observe(progress) {
      const at = now();
      if (progress.phase !== phase?.name) {
        endPhase(at);
        phase = { name: progress.phase, since: at };
        if (progress.phase === 'preparing') lastIteration = 0;
      }
      const iteration = progress.latest?.iteration;
      if (iteration === undefined) return;
      const done = iteration >= lastIteration ? iteration - lastIteration : iteration;
      if (done > 0) iterations.add(done);
      lastIteration = iteration;
    },
    end() {
      endPhase(now());
      phase = undefined;
    },
  };
}
