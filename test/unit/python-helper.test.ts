import { ApplicationFailure } from '@temporalio/common';
import fs from 'node:fs';
import path from 'node:path';
import { PYTHON_HELPERS_DIR } from '../../src/config';
import { FailureType } from '../../src/api';
import { runPythonHelper } from '../../src/process/python-helper';
import { scratchDir } from '../harness/context';

// `sh` stands in for MLIP_PYTHON: the "helper" is a shell script, named relative to PYTHON_HELPERS_DIR as a
// helper is.
const dir = scratchDir('python-helper');
function helper(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, body);
  return path.relative(PYTHON_HELPERS_DIR, file);
}

test('a helper that exits 0 gives runProcess’s result: what it printed is the caller’s', async () => {
  const script = helper('ok.sh', 'echo "{\\"n\\": $1}"\n');
  const result = await runPythonHelper({ python: 'sh', script, args: ['7'] });
  expect(result).toMatchObject({ code: 0, stdoutTail: '{"n": 7}\n' });
});

test.each([
  {
    how: 'an interpreter that does not exist',
    python: '/nonexistent/python',
    body: '',
    failure: { type: FailureType.WorkerMisconfigured, nonRetryable: true },
    message: /cannot run the Python helper: \/nonexistent\/python \(ENOENT\).*MLIP_PYTHON/,
  },
  {
    how: 'the invalid-data exit code, where the caller names it',
    body: 'echo "structure 3 is partly periodic" >&2; exit 3',
    invalidDataExitCode: 3,
    failure: { type: FailureType.InvalidTrainingData, nonRetryable: true },
    message: /^structure 3 is partly periodic$/,
  },
  {
    how: 'exit code 3 where the caller names none',
    body: 'echo oops >&2; exit 3',
    message: /helper-\d+\.sh failed \(exit code 3\):\noops$/,
  },
  {
    how: 'a kill by a signal',
    body: 'echo "out of memory" >&2; kill -KILL $$',
    failure: { type: FailureType.ProcessKilled, nonRetryable: false },
    message: /was killed by SIGKILL:\nout of memory/,
  },
  {
    how: 'any other exit code, with the end of stderr',
    body: 'for i in $(seq 1 40); do echo "line $i" >&2; done; exit 1',
    message: /failed \(exit code 1\):\nline 26\n(.|\n)*line 40$/,
  },
  {
    how: 'a failure that printed nothing',
    body: 'exit 2',
    message: /failed \(exit code 2\):\n\(nothing on stderr\)$/,
  },
])('$how', async ({ python = 'sh', body, invalidDataExitCode, failure, message }) => {
  const script = helper(`helper-${Math.floor(Math.random() * 1e9)}.sh`, body);
  const err = await runPythonHelper({ python, script, invalidDataExitCode }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(failure ? ApplicationFailure : Error);
  if (failure) expect(err).toMatchObject(failure);
  else expect(err).not.toBeInstanceOf(ApplicationFailure); // plain: retried by the retry policy
  expect((err as Error).message).toMatch(message);
});

test('cancelling rejects with the signal’s reason once the helper is gone', async () => {
  const script = helper('slow.sh', 'sleep 300\n');
  const abort = new AbortController();
  const run = runPythonHelper({ python: 'sh', script, signal: abort.signal });
  setTimeout(() => abort.abort(new Error('activity cancelled')), 100);
  await expect(run).rejects.toThrow('activity cancelled');
});
