/**
 * Incremental parser for pacemaker's console output. Pure: feed it chunks as they arrive, read the
 * latest progress. It tolerates everything pacemaker prints around the lines it knows: the `Eval N:`
 * counters written with carriage returns, timestamps and logger prefixes, and chunk boundaries anywhere.
 *
 * Lines it understands (python-ace 0.3/0.4):
 *   ... Initial state:#0    (1 evals):   Loss: 2.64e-01 | RMSE Energy(low): 39.77 (39.77) meV/at | Forces(low): 540.47 (540.47) meV/A | ...
 *   ... Iteration   #12   (15 evals):    Loss: 1.2e-03 | RMSE Energy(low): 17.95 (16.79) meV/at | Forces(low): 7.89 (7.04) meV/A | ...
 *   ----FIT STATS----  / ----TEST STATS---- / ----INIT STATS---- / ----Cycle last iteration:----  blocks, each with
 *   "Iteration:  #10  Loss:    Total:  2.3705e-03 (100%)" and a "RMSE:  e  e_low  f  f_low" row (meV/at, meV/A).
 */
import type { FitMetrics } from '../api';

const NUMBER = String.raw`(?:[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)`;
const ITERATION_LINE = new RegExp(
  String.raw`(?:Initial state:\s*#|Iteration\s+#)(\d+)\s*\(\d+ evals\):\s*Loss:\s*(${NUMBER})\s*\|\s*RMSE Energy\(low\):\s*(${NUMBER})\s*\(${NUMBER}\)\s*meV/at\s*\|\s*Forces\(low\):\s*(${NUMBER})`,
);
const BLOCK_HEADER = /-{5,}\s*(FIT STATS|TEST STATS|INIT STATS|Cycle last iteration:)\s*-{5,}/;
const BLOCK_ITERATION = new RegExp(String.raw`Iteration:\s*#(\d+)\s+Loss:\s*Total:\s*(${NUMBER})`);
const BLOCK_RMSE = new RegExp(String.raw`^\s*RMSE:\s*(${NUMBER})\s+(${NUMBER})\s+(${NUMBER})\s+(${NUMBER})`);

export type StatsKind = 'fit' | 'test' | 'init' | 'cycle';

export interface ParsedProgress {
  latest?: FitMetrics;
  /** Latest completed stats block of each kind. */
  stats: Partial<Record<StatsKind, FitMetrics>>;
  /** Number of iteration lines seen (Initial state counts). */
  iterationLines: number;
}

export interface ProgressParser {
  /** Feeds raw output; returns true if the progress changed. */
  push(chunk: string): boolean;
  /** Flushes a trailing line without newline (at process exit). */
  end(): boolean;
  snapshot(): ParsedProgress;
}

const kindOf: Record<string, StatsKind> = {
  'FIT STATS': 'fit',
  'TEST STATS': 'test',
  'INIT STATS': 'init',
  'Cycle last iteration:': 'cycle',
};

export function createProgressParser(): ProgressParser {
  let buffer = '';
  const lines = new ProgressLines();
  return {
    push(chunk) {
      buffer += chunk;
      // pacemaker rewrites its "Eval N" counter with \r: treat \r as a line end too.
      const parts = buffer.split(/\r\n|\r|\n/);
      buffer = parts.pop() ?? '';
      // A pathological producer without line ends must not grow the buffer without bound.
      if (buffer.length > 64 * 1024) buffer = buffer.slice(-16 * 1024);
      let changed = false;
      for (const p of parts) changed = lines.line(p) || changed;
      return changed;
    },
    end() {
      const rest = buffer;
      buffer = '';
      return rest ? lines.line(rest) : false;
    },
    snapshot() {
      return { ...lines.state, stats: { ...lines.state.stats } };
    },
  };
}

/** What the complete lines read so far say. */
class ProgressLines {
  readonly state: ParsedProgress = { stats: {}, iterationLines: 0 };
  /** The stats block being read, until its RMSE row completes it. */
  private block: { kind: StatsKind; iteration?: number; loss?: number } | undefined;

  /** Reads one line; returns true if the progress changed. */
  line(text: string): boolean {
    const iter = ITERATION_LINE.exec(text);
    if (iter) {
      this.state.latest = {
        iteration: Number(iter[1]),
        loss: Number(iter[2]),
        rmseEnergyMeVPerAtom: Number(iter[3]),
        rmseForcesMeVPerA: Number(iter[4]),
      };
      this.state.iterationLines += 1;
      return true;
    }
    const header = BLOCK_HEADER.exec(text);
    if (header) {
      this.block = { kind: kindOf[header[1]!]! };
      return false;
    }
    return this.block ? this.blockLine(text, this.block) : false;
  }

  private blockLine(text: string, block: NonNullable<ProgressLines['block']>): boolean {
    const bi = BLOCK_ITERATION.exec(text);
    if (bi) {
      block.iteration = Number(bi[1]);
      block.loss = Number(bi[2]);
      return false;
    }
    const rmse = BLOCK_RMSE.exec(text);
    if (rmse && block.iteration !== undefined && block.loss !== undefined) {
      this.state.stats[block.kind] = {
        iteration: block.iteration,
        loss: block.loss,
        rmseEnergyMeVPerAtom: Number(rmse[1]),
        rmseForcesMeVPerA: Number(rmse[3]),
      };
      this.block = undefined;
      return true;
    }
    return false;
  }
}
