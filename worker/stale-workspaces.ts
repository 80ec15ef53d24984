/**
 * Workspaces whose training is over but were never cleaned (the host was down when the workflow ended,
 * or moved on to another host) are removed when a worker starts on that host again.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import fs from 'node:fs';
import path from 'node:path';
import { readOwner, removeWorkspace } from '../activities/workspace';

export async function removeStaleWorkspaces(
  workRoot: string,
  client: Client,
  log: (line: string) => void,
): Promise<string[]> {
  if (!fs.existsSync(workRoot)) return [];
  const removed: string[] = [];
  for (const entry of fs.readdirSync(workRoot)) {
    const dir = path.join(workRoot, entry);
    const owner = readOwner(dir);
    if (!owner) continue; // not ours: leave it alone
    let running: boolean;
    try {
      const { status } = await client.workflow.getHandle(owner.workflowId, owner.runId).describe();
      running = status.name === 'RUNNING';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      running = false;
    }
    if (running) continue;
    await removeWorkspace(dir, 10_000);
    removed.push(dir);
    log(`removed stale workspace ${dir} (workflow ${owner.workflowId} is no longer running)`);
  }
  return removed;
}
