/**
 * The one way this package connects to Temporal (worker, CLI, benchmarks, examples, tests): the
 * target's TLS and API key on both kinds of connection, a bounded wait, and on failure a
 * TemporalConnectionError whose message says what to fix (connection-diagnosis.ts).
 */
import { Connection } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { explainFailure, probeConnection } from './connection-diagnosis';
import type { TemporalTarget } from './connection-target';

export class TemporalConnectionError extends Error {
  override name = 'TemporalConnectionError';
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function explained(target: TemporalTarget, err: unknown): Promise<TemporalConnectionError> {
  const original = `${messageOf(err)}${err instanceof Error && err.cause ? ` (${messageOf(err.cause)})` : ''}`;
  return new TemporalConnectionError(explainFailure(target, await probeConnection(target), original));
}

/** A client connection (the CLI's, the worker's client); `connectTimeout` bounds the wait. */
export async function connectClient(
  target: TemporalTarget,
  { connectTimeout = '10s' }: { connectTimeout?: Duration } = {},
): Promise<Connection> {
  // lazy + ensureConnected rather than connect: a failed connection is closed, not left retrying.
  const connection = Connection.lazy({
    address: target.address,
    connectTimeout,
    ...(target.tls !== undefined ? { tls: target.tls } : {}),
    ...(target.apiKey !== undefined ? { apiKey: target.apiKey } : {}),
  });
  try {
    await connection.ensureConnected();
    return connection;
  } catch (err) {
    await connection.close().catch(() => {});
    throw await explained(target, err);
  }
}

/** A worker's connection (the SDK's Core, in Rust). */
export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({
      address: target.address,
      ...(target.tls !== undefined ? { tls: target.tls } : {}),
      ...(target.apiKey !== undefined ? { apiKey: target.apiKey } : {}),
    });
  } catch (err) {
    throw await explained(target, err);
  }
}
