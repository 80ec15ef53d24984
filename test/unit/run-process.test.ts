import fs from 'node:fs';
import path from 'node:path';
import { groupAlive } from '../../src/process/process-group';
import { runRecordedProcess } from '../../src/process/recorded-process';
import {
  ByteTail,
  LineSplitter,
  MAX_LINE_CHARS,
  ProcessStartError,
  LINES_HIGH_WATER_MARK,
  runProcess,
  runProcessLines,
} from '../../src/process/run-process';
import { scratchDir } from '../harness/context';

// Real child processes throughout: `sh`, `sleep`, `cat` and `yes` stand in for the Python helpers.

/** Running, not a zombie: an orphan's zombie waits for this host's init, which reaps only now and then. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!);
  } catch {
    return false;
  }
}

/** Runs `script` with sh; the pids it prints (one per line, as `pid N`) are collected as they come. */
function shWithPids(script: string, more: Partial<Parameters<typeof runProcess>[0]> = {}) {
  const pids: number[] = [];
  let groupId: number | undefined;
  const result = runProcess({
    command: 'sh',
    args: ['-c', script],
    onLine: (line) => {
      const m = /^pid (\d+)$/.exec(line);
      if (m) pids.push(Number(m[1]));
      return undefined;
    },
    onSpawn: (pid) => (groupId = pid),
    ...more,
  });
  return { result, pids, groupId: () => groupId };
}

async function until(what: string, probe: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('reports the exit code and the end of stdout and stderr', async () => {
  const result = await runProcess({ command: 'sh', args: ['-c', 'echo out; echo err >&2; exit 7'] });
  expect(result).toEqual({
    code: 7,
    signal: null,
    stdoutTail: 'out\n',
    stderrTail: 'err\n',
    cancelled: false,
    timedOut: false,
    interrupted: false,
    progress: undefined,
  });
});

test('arguments reach the child as given, without a shell', async () => {
  const tricky = ['$HOME', 'a b', '"; exit 9', '*'];
  const result = await runProcess({ command: 'printf', args: ['%s\\n', ...tricky] });
  expect(result.code).toBe(0);
  expect(result.stdoutTail).toBe(tricky.map((t) => `${t}\n`).join(''));
});

test('cwd and env are the child’s', async () => {
  const result = await runProcess({
    command: 'sh',
    args: ['-c', 'pwd; echo "$RUN_PROCESS_TEST"'],
    cwd: '/tmp',
    env: { PATH: process.env.PATH, RUN_PROCESS_TEST: 'here' },
  });
  expect(result.stdoutTail).toBe('/tmp\nhere\n');
});

test('the heartbeat hook is called again and again while a silent child runs, and never after it exits', async () => {
  // The child runs until the test has seen three beats: the beats themselves, not a clock, end it.
  const release = path.join(scratchDir('heartbeat'), 'release');
  let beats = 0;
  const result = await runProcess({
    command: 'sh',
    args: ['-c', `while [ ! -e '${release}' ]; do sleep 0.05; done`],
    heartbeat: () => {
      if (++beats === 3) fs.writeFileSync(release, '');
    },
    heartbeatIntervalMs: 100,
  });
  expect(result.code).toBe(0);
  expect(beats).toBeGreaterThanOrEqual(3);
  // None after the child is gone: three more intervals pass without a beat.
  const count = beats;
  await new Promise((r) => setTimeout(r, 300));
  expect(beats).toBe(count);
});

test('JSON progress lines from stdout reach the heartbeat as the latest progress', async () => {
  const seen: unknown[] = [];
  const result = await runProcess<{ converted: number }>({
    command: 'sh',
    args: ['-c', 'echo \'{"converted": 1}\'; sleep 0.5; echo not json; echo \'{"converted": 2}\'; sleep 0.5'],
    onLine: (line, stream) => {
      if (stream !== 'stdout' || !line.startsWith('{')) return undefined;
      return JSON.parse(line) as { converted: number };
    },
    heartbeat: (latest) => seen.push(latest),
    heartbeatIntervalMs: 100,
  });
  expect(result.progress).toEqual({ converted: 2 });
  expect(seen).toContainEqual({ converted: 1 });
  expect(seen).toContainEqual({ converted: 2 });
  expect(seen.at(-1)).toEqual({ converted: 2 });
});

test('cancellation stops the whole process group, grandchildren included, before it resolves', async () => {
  const abort = new AbortController();
  const run = shWithPids('sleep 300 & echo pid $!; sleep 300 & echo pid $!; wait', {
    signal: abort.signal,
    killGraceMs: 2_000,
  });
  await until('both grandchildren', () => run.pids.length === 2);
  expect(run.pids.every(alive)).toBe(true);
  abort.abort();
  const result = await run.result;
  // SIGTERM was enough: had the group outlived it, the runner would have ended it with SIGKILL.
  expect(result).toMatchObject({ cancelled: true, timedOut: false, code: null, signal: 'SIGTERM' });
  expect(run.pids.filter(alive)).toEqual([]);
  expect(groupAlive(run.groupId()!)).toBe(false);
});

test('a group that ignores SIGTERM is killed after the grace period', async () => {
  const abort = new AbortController();
  // An ignored signal stays ignored across exec: the sleep ignores SIGTERM too.
  const run = shWithPids('trap "" TERM; sleep 300 & echo pid $!; wait', {
    signal: abort.signal,
    killGraceMs: 300,
  });
  await until('the grandchild', () => run.pids.length === 1);
  const started = Date.now();
  abort.abort();
  const result = await run.result;
  // The grace period is a lower bound a busy machine cannot break (it only waits longer); that the group
  // did not outlive it shows in the SIGKILL and the dead grandchild.
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  expect(result).toMatchObject({ cancelled: true, signal: 'SIGKILL' });
  expect(alive(run.pids[0]!)).toBe(false);
});

test('a signal aborted before the start runs nothing', async () => {
  const abort = new AbortController();
  abort.abort();
  const spawned: number[] = [];
  const result = await runProcess({
    command: 'sleep',
    args: ['300'],
    signal: abort.signal,
    onSpawn: (pid) => spawned.push(pid),
  });
  expect(result).toMatchObject({ cancelled: true, code: null });
  expect(spawned).toEqual([]);
});

test('the timeout stops the group and says so', async () => {
  const started = Date.now();
  const run = shWithPids('sleep 300 & echo pid $!; wait', { timeoutMs: 300 });
  const result = await run.result;
  // Not the 300 s the sleep asks for: a minute is far past any load this machine sees, far short of 300 s.
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(result).toMatchObject({ timedOut: true, cancelled: false, signal: 'SIGTERM' });
  expect(run.pids.filter(alive)).toEqual([]);
});

test('what the leader leaves behind in its group is stopped when it exits', async () => {
  // The background sleep holds stdout open: without stopping it the run would wait 300 s.
  const started = Date.now();
  const run = shWithPids('sleep 300 & echo pid $!; exit 0');
  const result = await run.result;
  // Not the 300 s the sleep asks for: a minute is far past any load this machine sees, far short of 300 s.
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(result.code).toBe(0);
  expect(run.pids).toHaveLength(1);
  expect(alive(run.pids[0]!)).toBe(false);
});

test('only the last tailBytes of a large output are kept', async () => {
  const result = await runProcess({
    command: 'sh',
    args: ['-c', 'yes 0123456789 | head -n 200000; echo the-end'], // about 2.2 MB
    tailBytes: 1024,
  });
  expect(result.code).toBe(0);
  expect(result.stdoutTail.length).toBeLessThanOrEqual(1024);
  expect(result.stdoutTail.endsWith('0123456789\nthe-end\n')).toBe(true);
});

test('a line without end is handed to onLine cut at MAX_LINE_CHARS', async () => {
  const lines: number[] = [];
  const result = await runProcess({
    command: 'sh',
    args: ['-c', `head -c ${3 * MAX_LINE_CHARS} /dev/zero | tr '\\0' a; echo; echo short`],
    onLine: (line) => (lines.push(line.length), undefined),
  });
  expect(result.code).toBe(0);
  expect(lines).toEqual([MAX_LINE_CHARS, 5]);
});

test('stdin can be fed', async () => {
  const result = await runProcess({
    command: 'cat',
    stdin: (input) => input.end('fed through stdin\n'),
  });
  expect(result.stdoutTail).toBe('fed through stdin\n');
});

test('a command that cannot be started rejects with ProcessStartError and its code', async () => {
  const err = await runProcess({ command: '/nonexistent/helper' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ProcessStartError);
  expect(err).toMatchObject({ code: 'ENOENT', command: '/nonexistent/helper' });
  const file = path.join(scratchDir('run-process'), 'not-executable');
  fs.writeFileSync(file, 'echo never\n', { mode: 0o644 });
  const notExecutable = await runProcess({ command: file }).catch((e: unknown) => e);
  expect(notExecutable).toMatchObject({ code: 'EACCES' });
});

test('a hook that throws stops the child and is what the run rejects with', async () => {
  const run = shWithPids('sleep 300 & echo pid $!; echo boom; wait', {
    onLine: (line) => {
      if (line === 'boom') throw new Error('bad progress line');
      return undefined;
    },
  });
  await expect(run.result).rejects.toThrow('bad progress line');
  expect(run.pids.filter(alive)).toEqual([]);
});

test('onOutput sees the raw output, carriage returns and unfinished lines included', async () => {
  const chunks: Record<string, Buffer[]> = { stdout: [], stderr: [] };
  const lines: string[] = [];
  const result = await runProcess({
    command: 'sh',
    args: ['-c', "printf 'a\\rb\\rc\\n'; printf 'no newline' >&2"],
    onOutput: (chunk, stream) => chunks[stream]!.push(chunk),
    onLine: (line) => (lines.push(line), undefined),
    tailBytes: 0,
  });
  expect(result).toMatchObject({ code: 0, stdoutTail: '', stderrTail: '' });
  expect(Buffer.concat(chunks.stdout!).toString()).toBe('a\rb\rc\n');
  expect(Buffer.concat(chunks.stderr!).toString()).toBe('no newline');
  expect(lines).toEqual(['a\rb\rc', 'no newline']);
});

test('maxLineChars sets where a long line is cut', async () => {
  const lines: number[] = [];
  await runProcess({
    command: 'sh',
    args: ['-c', `head -c ${2 * MAX_LINE_CHARS} /dev/zero | tr '\\0' a; echo`],
    maxLineChars: 4 * MAX_LINE_CHARS,
    onLine: (line) => (lines.push(line.length), undefined),
  });
  expect(lines).toEqual([2 * MAX_LINE_CHARS]);
});

test('interrupt sends SIGINT to the group and waits for it to stop by itself', async () => {
  const interrupt = new AbortController();
  // The shell stops at SIGINT by itself (as pacemaker does at its checkpoint), saying so on the way out.
  const run = shWithPids('trap "echo interrupted; exit 130" INT; sleep 300 & echo pid $!; wait', {
    interrupt: interrupt.signal,
    interruptGraceMs: 5_000,
  });
  await until('the grandchild', () => run.pids.length === 1);
  interrupt.abort();
  const result = await run.result;
  expect(result).toMatchObject({ interrupted: true, cancelled: false, code: 130 });
  expect(result.stdoutTail).toContain('interrupted');
  expect(alive(run.pids[0]!)).toBe(false);
});

test('an interrupt that is not heeded ends in SIGTERM after interruptGraceMs', async () => {
  const interrupt = new AbortController();
  const run = shWithPids('trap "" INT; sleep 300 & echo pid $!; wait', {
    interrupt: interrupt.signal,
    interruptGraceMs: 300,
    killGraceMs: 2_000,
  });
  await until('the grandchild', () => run.pids.length === 1);
  const started = Date.now();
  interrupt.abort();
  const result = await run.result;
  // The interrupt's grace is a lower bound a busy machine cannot break (it only waits longer).
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  expect(result).toMatchObject({ interrupted: true, signal: 'SIGTERM' });
  expect(alive(run.pids[0]!)).toBe(false);
});

test('runRecordedProcess keeps a pid file while the child runs and its whole output in a log', async () => {
  const dir = scratchDir('recorded');
  const pidFile = path.join(dir, 'tool.pid');
  const logFile = path.join(dir, 'tool.log');
  fs.writeFileSync(logFile, 'earlier attempt\n');
  let recorded: unknown;
  const result = await runRecordedProcess({
    command: 'sh',
    args: ['-c', "printf 'step 1\\rstep 2\\n'; sleep 0.2; echo oops >&2"],
    pidFile,
    logFile,
    onSpawn: (pid) => (recorded = { pid, file: JSON.parse(fs.readFileSync(pidFile, 'utf8')) as unknown }),
  });
  expect(result).toMatchObject({ code: 0, stdoutTail: '', stderrTail: '' });
  expect(recorded).toMatchObject({ file: { pid: (recorded as { pid: number }).pid } });
  expect(fs.existsSync(pidFile)).toBe(false);
  expect(fs.readFileSync(logFile, 'utf8')).toBe('earlier attempt\nstep 1\rstep 2\noops\n');
});

describe('runProcessLines', () => {
  test('yields stdout lines in order and ends with the run; stderr goes to the tail', async () => {
    const run = runProcessLines({ command: 'sh', args: ['-c', 'echo one; echo warn >&2; echo two; exit 4'] });
    const lines: string[] = [];
    for await (const line of run.lines) lines.push(line);
    expect(lines).toEqual(['one', 'two']);
    expect(await run.result).toMatchObject({ code: 4, stderrTail: 'warn\n' });
  });

  test('a reader that is slow holds the child back instead of buffering its output', async () => {
    const total = 200 * LINES_HIGH_WATER_MARK; // over a megabyte: more than the pipes and buffers hold
    const run = runProcessLines({ command: 'sh', args: ['-c', `seq 1 ${total}; echo done >&2`] });
    const first = await run.lines.next();
    expect(first).toEqual({ done: false, value: '1' });
    // With nobody reading, the pipe fills and seq waits: it cannot have finished.
    await new Promise((r) => setTimeout(r, 500));
    let settled = false;
    void run.result.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    let count = 1;
    let last = '1';
    for await (const line of run.lines) {
      count++;
      last = line;
    }
    expect([count, last]).toEqual([total, String(total)]);
    expect((await run.result).code).toBe(0);
  });

  test('a reader that stops early lets the run end once the child is stopped', async () => {
    const stop = new AbortController();
    const run = runProcessLines({ command: 'sh', args: ['-c', 'yes line'], signal: stop.signal });
    for await (const line of run.lines) {
      expect(line).toBe('line');
      break;
    }
    stop.abort();
    expect(await run.result).toMatchObject({ cancelled: true });
    expect(await run.lines.next()).toEqual({ done: true, value: undefined });
  });

  test('a stopped child held back by a full pipe still ends', async () => {
    const stop = new AbortController();
    const run = runProcessLines({ command: 'sh', args: ['-c', 'yes line'], signal: stop.signal });
    await run.lines.next();
    await new Promise((r) => setTimeout(r, 200)); // the queue fills and stdout is paused
    stop.abort();
    expect(await run.result).toMatchObject({ cancelled: true });
  });

  test('a command that cannot be started ends the lines, and the result says why', async () => {
    const run = runProcessLines({ command: '/nonexistent/helper' });
    expect(await run.lines.next()).toEqual({ done: true, value: undefined });
    await expect(run.result).rejects.toBeInstanceOf(ProcessStartError);
  });
});

describe('ByteTail', () => {
  test('keeps the last bytes across chunks', () => {
    const tail = new ByteTail(5);
    for (const s of ['abc', 'defg', 'h']) tail.push(Buffer.from(s));
    expect(tail.text()).toBe('defgh');
  });
  test('drops a character cut in two at the start', () => {
    const tail = new ByteTail(3);
    tail.push(Buffer.from('xé!')); // é is two bytes: the last 3 bytes are é and !
    expect(tail.text()).toBe('é!');
    tail.push(Buffer.from('é')); // the last 3 bytes: the second half of the first é, then !, é
    expect(tail.text()).toBe('!é');
  });
});

describe('LineSplitter', () => {
  test('splits across chunks, CRLF too, and decodes characters split between chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    const bytes = Buffer.from('one\r\ntwö\nthr');
    splitter.push(bytes.subarray(0, 7)); // inside ö
    splitter.push(bytes.subarray(7));
    splitter.push(Buffer.from('ee'));
    splitter.end();
    expect(lines).toEqual(['one', 'twö', 'three']);
  });
});
