/**
 * Which MongoDB errors are worth a retry. A lost connection, a timeout, a server that is restarting or
 * cannot be selected: the world may change, so they become retryable DatabaseUnavailable failures.
 */
import {
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoError,
} from 'mongodb';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, retryable } from '../api';

/** Server error codes that mean "the server is going away or busy", not "your request is wrong". */
const TRANSIENT_SERVER_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
  50, // MaxTimeMSExpired
]);

export function isTransientMongoError(err: unknown): boolean {
  if (err instanceof MongoNetworkError) return true; // includes MongoNetworkTimeoutError
  if (err instanceof MongoServerSelectionError) return true;
  if (err instanceof MongoTopologyClosedError) return true;
  if (err instanceof MongoServerError && typeof err.code === 'number' && TRANSIENT_SERVER_CODES.has(err.code))
    return true;
  if (err instanceof MongoError && (err.hasErrorLabel('RetryableError') || err.hasErrorLabel('ResetPool')))
    return true;
  return false;
}

/**
 * A transient MongoDB error → retryable DatabaseUnavailable (with a message that names the operation);
 * anything else is returned unchanged.
 */
export function classifyMongoError(err: unknown, operation: string): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (isTransientMongoError(err)) {
    const e = err as Error;
    return retryable(
      FailureType.DatabaseUnavailable,
      `MongoDB unavailable while ${operation}: ${e.message}`,
      e,
    );
  }
  return err;
}
