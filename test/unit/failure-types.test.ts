import { FailureType, NON_RETRYABLE_FAILURE_TYPES } from '../../src/api';

// Retry policies list NON_RETRYABLE_FAILURE_TYPES as never-retry: a failure thrown as retryable with one of
// those types would silently not be retried, so the retryable kinds must keep types of their own.
test.each([FailureType.ProcessKilled, FailureType.HostBusy, FailureType.DatabaseUnavailable])(
  'a %s failure is retried by the retry policies',
  (type) => {
    expect(NON_RETRYABLE_FAILURE_TYPES).not.toContain(type);
  },
);
