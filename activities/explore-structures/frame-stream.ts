/**
 * The explorer's output, line by line: each extrapolative frame becomes a candidate (written once: its id
 * is the same for the same frame of the same exploration), and each finished run is counted into the
 * checkpoint only once its frames are written, then heartbeated.
 */
import type { ExplorationRequest } from '../../src/api';
import {
  ExplorerProtocolError,
  frameCandidate,
  parseExplorerLine,
  type ExplorerRunSummary,
  type PlannedRun,
} from '../../src/exploration';
import type { CandidateWriter } from '../candidate-writer';
import { withRunDone, type ExplorationCheckpoint } from './checkpoint';

/** LAMMPS errors of broken-off runs kept for the result. */
const LISTED_RUN_ERRORS = 3;

/** What the runs done so far counted (the checkpoint) and the first LAMMPS errors of this attempt. */
export interface ExplorationTally {
  checkpoint: ExplorationCheckpoint;
  runErrors: string[];
}

export interface FrameStream {
  lines: AsyncIterable<string>;
  request: ExplorationRequest;
  /** The whole plan: the explorer names runs by their index in it. */
  runs: PlannedRun[];
  writer: CandidateWriter;
  tally: ExplorationTally;
  /** Called once each run is counted. */
  heartbeat(): void;
}

/** How the stream ended, for the explorer's exit classification. */
export interface FrameStreamEnd {
  /** The explorer wrote its closing `done` record. */
  done: boolean;
  /** Why the stream stopped early (the explorer's protocol, MongoDB); undefined when it did not. */
  streamFailure?: unknown;
}

export async function streamFrames(stream: FrameStream): Promise<FrameStreamEnd> {
  let done = false;
  try {
    for await (const text of stream.lines) {
      const line = parseExplorerLine(text);
      if ('frame' in line) {
        const run = stream.runs[line.frame.run];
        if (!run)
          throw new ExplorerProtocolError(
            `the MD explorer wrote a frame of run ${line.frame.run}, which is not planned`,
          );
        await stream.writer.insertOnce(frameCandidate(stream.request, run, line.frame));
      } else if ('run' in line) await countRun(stream, line.run);
      else if ('done' in line) done = true;
    }
    return { done };
  } catch (err) {
    return { done, streamFailure: err };
  }
}

async function countRun(stream: FrameStream, run: ExplorerRunSummary): Promise<void> {
  await stream.writer.flush();
  const { tally } = stream;
  tally.checkpoint = withRunDone(tally.checkpoint, run, stream.writer.takeInsertCounts());
  if (run.error !== null && tally.runErrors.length < LISTED_RUN_ERRORS)
    tally.runErrors.push(`run ${run.index}: ${run.error}`);
  stream.heartbeat();
}
