/**
 * The one answer to "am I inside an activity?": the activities are also called directly (by tests, the
 * CLI, the benches), where there is no Temporal context to heartbeat, log to or be cancelled by.
 */
import { Context } from '@temporalio/activity';

/** The activity's Context when a Temporal worker runs the caller; undefined when it is called directly. */
export function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}
