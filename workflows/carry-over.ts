/**
 * Moving a training to another host without starting it again, when the hosts share their work root
 * (MLIP_SHARED_WORK_ROOT): the next host copies the lost workspace's files into a workspace of its own
 * (acquireWorkspace with carryOver), and the workflow keeps the results of the steps already done, with
 * their paths moved from the old workspace to the new one. Pure (workflow code uses it).
 */

/** `value` with every string path under `fromDir` moved under `toDir` (deep; other values unchanged). */
export function rebasePaths<T>(value: T, fromDir: string, toDir: string): T {
  const prefix = fromDir.endsWith('/') ? fromDir : `${fromDir}/`;
  const target = toDir.endsWith('/') ? toDir : `${toDir}/`;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string')
      return v === fromDir ? toDir : v.startsWith(prefix) ? target + v.slice(prefix.length) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/**
 * Files of a workspace that the next host does not take over: the owner record (the new workspace has
 * its own) and the old host's pid file (a pid means nothing on another machine).
 */
export const NOT_CARRIED_OVER = new Set(['.owner.json', 'pacemaker.pid', 'pace_activeset.pid']);
