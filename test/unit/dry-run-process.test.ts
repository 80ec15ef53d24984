import fs from 'node:fs';
import path from 'node:path';
import { groupAlive } from '../../src/process/process-group';
import { pacemakerDryRun } from '../../src/pacemaker/dry-run';
import { scratchDir } from '../harness/context';

// pacemakerDryRun on stand-ins for pacemaker (sh scripts): how each way of ending is reported.

const dir = scratchDir('dry-run-process');
function fakePacemaker(name: string, body: string, mode = 0o755): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode });
  return file;
}
const run = (pacemakerBin: string, more: Partial<Parameters<typeof pacemakerDryRun>[0]> = {}) =>
  pacemakerDryRun({ pacemakerBin, inputYamlPath: 'input.yaml', cwd: dir, ...more });

test('ERROR lines are reported however much output follows them', async () => {
  const bin = fakePacemaker(
    'errors-early',
    `echo "2026-01-01 10:00:00,000 - pyace - ERROR - No module named 'tensorpotential'" >&2
yes "2026-01-01 10:00:01,000 - pyace - INFO - building neighbour lists" | head -n 20000
exit 0`,
  );
  expect(await run(bin)).toEqual({ ok: true, errorLines: ["No module named 'tensorpotential'"] });
});

test('a refusal is reported with the end of the traceback', async () => {
  const bin = fakePacemaker(
    'refuses',
    `printf 'Traceback (most recent call last):\\n  File "x.py", line 1\\nValueError: bad cutoff\\n' >&2; exit 1`,
  );
  expect(await run(bin)).toEqual({ ok: false, reason: 'rejected', message: 'ValueError: bad cutoff' });
});

test('killed from outside is not a refusal of the input', async () => {
  const bin = fakePacemaker('killed', 'kill -KILL $$');
  expect(await run(bin)).toMatchObject({ ok: false, reason: 'killed', message: /killed by SIGKILL/ });
});

test('an executable that cannot be run is the host’s problem', async () => {
  expect(await run(path.join(dir, 'missing'))).toMatchObject({ ok: false, reason: 'not-found' });
  const notExecutable = fakePacemaker('not-executable', 'exit 0', 0o644);
  expect(await run(notExecutable)).toMatchObject({ ok: false, reason: 'not-found', message: /EACCES/ });
});

test('the timeout and cancellation stop pacemaker’s whole process group', async () => {
  const pidFile = path.join(dir, 'group');
  const bin = fakePacemaker('slow', `echo $$ > ${pidFile}; sleep 300 & wait`);
  expect(await run(bin, { timeoutMs: 500 })).toMatchObject({ ok: false, reason: 'timeout' });
  expect(groupAlive(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false);

  fs.rmSync(pidFile);
  const abort = new AbortController();
  const beats: number[] = [];
  const dryRun = run(bin, { signal: abort.signal, heartbeat: () => beats.push(1), heartbeatIntervalMs: 50 });
  // Beats while it runs (the wait ends on the third, not on a clock), then the cancellation stops it.
  while (!fs.existsSync(pidFile) || beats.length < 3) await new Promise((r) => setTimeout(r, 20));
  abort.abort(new Error('activity cancelled'));
  await expect(dryRun).rejects.toThrow('activity cancelled');
  expect(groupAlive(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false);
});
