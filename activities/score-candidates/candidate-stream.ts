/**
 * The stream of candidates through the scorer, with backpressure: a MongoDB cursor in `_id` order feeds
 * the scorer's stdin with at most IN_FLIGHT structures unanswered; the scorer answers in order; each
 * answer is counted and its score written back (CandidateWriter). Memory stays flat: counters, a top-K heap
 * and the in-flight window, never a list of all candidates. A candidate that already holds this
 * potential's score (registry versions are immutable, so it would be the same) is counted from its
 * document and not sent, so a retried attempt only scores what is missing.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Db, Document } from 'mongodb';
import {
  decodeCandidate,
  openCandidateCursor,
  parseScorerLine,
  ScorerProtocolError,
  type CandidateSelection,
  type ScoreTally,
} from '../../src/candidates';
import { COLLECTIONS } from '../../src/db';
import { Semaphore } from '../../src/process';
import { CandidateWriter } from '../candidate-writer';
import type { ScorerProcess } from './scorer-process';

/** Structures sent to the scorer and not yet answered: enough to keep it busy, a few hundred kB at most. */
export const IN_FLIGHT = 64;

export interface CandidateStream {
  db: Db;
  selection: CandidateSelection;
  /** The id scores are written under (a registry id or a committee id). */
  potentialId: string;
  tally: ScoreTally;
  scorer: ScorerProcess;
  /** Aborted when either side must stop: the other then stops waiting too. */
  halt: AbortController;
}

/** How the stream ended, for the scorer's exit classification. */
export interface StreamEnd {
  failures: unknown[];
  unanswered: number;
  peakRssKB: number | null;
}

export async function streamCandidates(stream: CandidateStream): Promise<StreamEnd> {
  const { scorer, halt } = stream;
  const inFlight = new InFlight(IN_FLIGHT);
  const answers = { peakRssKB: null as number | null };
  const stopBoth = async (err: unknown) => {
    halt.abort();
    await scorer.stop();
    throw err;
  };
  // Reading candidates failed: nothing more is coming, so the scorer is stopped and its answers end too.
  const feeding = feedScorer(stream, inFlight).catch(stopBoth);
  const reading = readAnswers(stream, inFlight, answers).then(
    // The scorer's output ended: if it died early, the feeder must stop waiting for room.
    () => halt.abort(),
    stopBoth,
  );
  const [fed, read] = await Promise.allSettled([feeding, reading]);
  return {
    failures: [read, fed].flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : [])),
    unanswered: inFlight.count,
    peakRssKB: answers.peakRssKB,
  };
}

async function feedScorer(stream: CandidateStream, inFlight: InFlight): Promise<void> {
  const { tally, potentialId } = stream;
  const halt = stream.halt.signal;
  const input = stream.scorer.stdin;
  if (!input) throw new Error('the candidate scorer has no stdin'); // runProcessLines gives it one at start
  const cursor = openCandidateCursor(stream.db, stream.selection);
  try {
    for (;;) {
      // FerretDB can take minutes to answer the first batch of a large selection: a cancellation
      // must not wait for it.
      const doc = await untilAborted(cursor.next(), halt);
      if (doc === null) break;
      const decoded = decodeCandidate(doc);
      if (!decoded.ok) {
        tally.fail(decoded.id, `invalid candidate document: ${decoded.reason}`);
        continue;
      }
      const { id, structure, score } = decoded.record;
      if (score?.potentialId === potentialId) {
        tally.add({ id, gammaMax: score.gammaMax, committeeForceStd: score.committeeForceStd }, true);
        continue;
      }
      await inFlight.send(id, (doc as Document)._id, halt);
      await write(input, JSON.stringify({ id, structure }) + '\n', halt);
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
  input.end();
}

async function write(input: Writable, line: string, halt: AbortSignal) {
  if (!input.write(line)) await once(input, 'drain', { signal: halt });
}

async function readAnswers(
  stream: CandidateStream,
  inFlight: InFlight,
  answers: { peakRssKB: number | null },
): Promise<void> {
  const { tally, potentialId, scorer } = stream;
  const writer = new CandidateWriter(stream.db.collection(COLLECTIONS.candidates));
  for (let next = await scorer.lines.next(); !next.done; next = await scorer.lines.next()) {
    const line = parseScorerLine(next.value);
    if ('ready' in line) throw new ScorerProtocolError('the scorer announced itself twice');
    if ('done' in line) {
      answers.peakRssKB = line.done.peakRssKB;
      continue;
    }
    const sent = inFlight.answered(line.id);
    if ('error' in line) {
      tally.fail(sent.id, line.error);
      continue;
    }
    tally.add(line);
    await writer.setScore(sent.rawId, {
      potentialId,
      gammaMax: line.gammaMax,
      committeeForceStd: line.committeeForceStd,
      scoredAt: new Date(),
    });
  }
  await writer.flush();
}

/** The structures sent and not yet answered, oldest first: the scorer answers in the order it was sent. */
class InFlight {
  private readonly window: Semaphore;
  private readonly sent: { id: string; rawId: unknown; release: () => void }[] = [];

  constructor(size: number) {
    this.window = new Semaphore(size);
  }

  get count(): number {
    return this.sent.length;
  }

  /** Waits for room in the window. */
  async send(id: string, rawId: unknown, signal: AbortSignal): Promise<void> {
    const release = await this.window.acquire(signal);
    this.sent.push({ id, rawId, release });
  }

  /** The structure an answer is for; an answer naming another one breaks the scorer's protocol. */
  answered(answerId: string | null): { id: string; rawId: unknown } {
    const sent = this.sent.shift();
    if (!sent || (answerId !== null && answerId !== sent.id))
      throw new ScorerProtocolError(
        `the scorer answered for '${answerId}' where '${sent?.id ?? '(nothing)'}' was next`,
      );
    sent.release();
    return sent;
  }
}

/** `promise`, unless `signal` aborts first (then an AbortError; the promise's own outcome is ignored). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => undefined);
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e as Error)),
    );
  });
}

function abortError(): Error {
  const err = new Error('aborted');
  err.name = 'AbortError';
  return err;
}
