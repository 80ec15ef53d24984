/**
 * The files of deploy/ that users copy: the systemd unit of a worker per GPU, its example environment file,
 * and the batch-job script. No systemd runs here (no PID 1) and no SLURM, so what can be checked is checked:
 * - the unit through `systemd-analyze verify` where that exists (Debian's systemd package): every key known
 *   and in its section, every value parseable, ExecStart's program executable;
 * - always, what systemd cannot know: the stop timeout against the worker's drain (MLIP_DRAIN_SECONDS and
 *   the worker's own shutdownForceTime, read from worker/create-workers.ts), SIGTERM to the main process
 *   only, ExecStart's script and `--import tsx` present relative to WorkingDirectory, a host id per instance
 *   that EnvSchema accepts, no setting that hides the GPUs;
 * - the example environment file: only variables the code reads, values EnvSchema accepts, and the same
 *   values whether systemd reads it or bash sources it (the batch script does);
 * - the batch script: `bash -n`, shellcheck where installed, and its --signal margin against the drain.
 * The script's behaviour is test/integration/batch-worker.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvSchema, loadEnv, PROJECT_ROOT } from '../../src/config';

const ROOT = PROJECT_ROOT;
const UNIT_FILE = path.join(ROOT, 'deploy', 'systemd', 'mlip-worker@.service');
const ENV_EXAMPLE = path.join(ROOT, 'deploy', 'systemd', 'worker.env.example');
const BATCH_SCRIPT = path.join(ROOT, 'deploy', 'slurm', 'mlip-worker.sbatch');

type Unit = Map<string, Map<string, string[]>>;

/** A unit file as systemd reads it: sections of keys, each key with its values in order. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const [i, raw] of text.replace(/\\\n/g, ' ').split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1]!, section);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !section) throw new Error(`line ${i + 1}: not a key=value in a section: ${raw}`);
    section.set(kv[1]!, [...(section.get(kv[1]!) ?? []), kv[2]!]);
  }
  return unit;
}

const unitText = fs.readFileSync(UNIT_FILE, 'utf8');
const unit = parseUnit(unitText);
const service = unit.get('Service')!;
const one = (key: string) => {
  const values = service.get(key) ?? [];
  expect([key, values.length]).toEqual([key, 1]);
  return values[0]!;
};

/** systemd time spans as this unit writes them: `120s`, `2min`, `120`. */
function seconds(span: string): number {
  const m = /^(\d+)\s*(s|sec|min|m)?$/.exec(span);
  if (!m) throw new Error(`not a time span this test reads: ${span}`);
  return Number(m[1]) * (m[2] === 'min' || m[2] === 'm' ? 60 : 1);
}

/** The worker's own limit past the drain: `shutdownForceTime = drainGraceMs + N` in create-workers.ts. */
function forceTimeBeyondDrainSeconds(): number {
  const source = fs.readFileSync(path.join(ROOT, 'worker', 'create-workers.ts'), 'utf8');
  const m = /shutdownForceTime = drainGraceMs \+ ([\d_]+);/.exec(source);
  if (!m) throw new Error('create-workers.ts no longer sets shutdownForceTime = drainGraceMs + N');
  return Number(m[1]!.replace(/_/g, '')) / 1000;
}

/** NAME=value lines as systemd's EnvironmentFile= reads them (double quotes removed), and commented-out ones. */
function parseEnvFile(text: string): { set: Map<string, string>; commented: string[] } {
  const set = new Map<string, string>();
  const commented: string[] = [];
  for (const line of text.split('\n')) {
    const kv = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (kv) set.set(kv[1]!, kv[2]!.replace(/^"(.*)"$/, '$1'));
    const off = /^#([A-Z][A-Z0-9_]*)=/.exec(line);
    if (off) commented.push(off[1]!);
  }
  return { set, commented };
}

describe('deploy/systemd/mlip-worker@.service', () => {
  const hasSystemdAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0;

  // Where systemd-analyze is missing (it comes with Debian's systemd package), the checks below still run.
  (hasSystemdAnalyze ? test : test.skip)('systemd-analyze verify finds nothing to say', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlip-unit-'));
    try {
      // The one site-specific path verify checks (the program must be executable): this machine's node.
      const text = unitText.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `);
      fs.writeFileSync(path.join(dir, 'mlip-worker@.service'), text);
      const result = spawnSync('systemd-analyze', ['verify', '--man=no', 'mlip-worker@0.service'], {
        cwd: dir,
        encoding: 'utf8',
      });
      // verify prints unknown keys and bad values as warnings but exits 0: any output is a finding.
      expect({ status: result.status, output: (result.stdout + result.stderr).trim() }).toEqual({
        status: 0,
        output: '',
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('its keys sit in the sections systemd reads them from', () => {
    // The keys this unit uses, by section (systemd-analyze checks every key where it runs).
    const where: Record<string, string> = {
      Description: 'Unit',
      Documentation: 'Unit',
      Wants: 'Unit',
      After: 'Unit',
      RequiresMountsFor: 'Unit',
      WantedBy: 'Install',
      DefaultInstance: 'Install',
    };
    for (const [section, keys] of unit)
      for (const key of keys.keys()) expect([key, section]).toEqual([key, where[key] ?? 'Service']);
    expect([...unit.keys()]).toEqual(['Unit', 'Service', 'Install']);
  });

  test('a stop drains the worker: SIGTERM to the main process only, and time for the drain to end', () => {
    expect(one('KillSignal')).toBe('SIGTERM');
    // pacemaker shares the control group: it must not get the SIGTERM (the worker interrupts it itself).
    expect(one('KillMode')).toBe('mixed');
    expect(service.get('SendSIGKILL') ?? ['yes']).toEqual(['yes']);
    const drainDefault = EnvSchema.shape.MLIP_DRAIN_SECONDS.parse(undefined);
    const exampleDrain = Number(
      parseEnvFile(fs.readFileSync(ENV_EXAMPLE, 'utf8')).set.get('MLIP_DRAIN_SECONDS'),
    );
    const stop = seconds(one('TimeoutStopSec'));
    // The worker gives up on every task MLIP_DRAIN_SECONDS + 30 s after SIGTERM; systemd must wait longer.
    for (const drain of [drainDefault, exampleDrain])
      expect(stop).toBeGreaterThan(drain + forceTimeBeyondDrainSeconds());
    // The comments tell whoever raises MLIP_DRAIN_SECONDS to raise this too.
    expect(unitText).toMatch(/raise (TimeoutStopSec )?(it )?(together )?with MLIP_DRAIN_SECONDS/i);
  });

  test('restarted after a crash, not after a drain (which exits 0)', () => {
    expect(one('Restart')).toBe('on-failure');
    expect(seconds(one('RestartSec'))).toBeGreaterThanOrEqual(5);
  });

  test('ExecStart runs worker/main.ts in the checkout, as the one process that gets the signal', () => {
    const exec = one('ExecStart').split(/\s+/);
    expect(path.isAbsolute(exec[0]!)).toBe(true);
    expect(path.basename(exec[0]!)).toBe('node');
    expect(exec.slice(1)).toEqual(['--import', 'tsx', 'worker/main.ts']);
    // Relative to WorkingDirectory, which is the checkout: this one stands for it.
    expect(path.isAbsolute(one('WorkingDirectory'))).toBe(true);
    expect(fs.existsSync(path.join(ROOT, exec[3]!))).toBe(true);
    expect(fs.existsSync(path.join(ROOT, 'node_modules', 'tsx', 'package.json'))).toBe(true);
    expect(one('Type')).toBe('exec');
  });

  test('each instance is one GPU with a host id of its own that EnvSchema accepts', () => {
    const environment = new Map(
      (service.get('Environment') ?? []).map((e) => e.split('=', 2) as [string, string]),
    );
    expect(environment.get('CUDA_VISIBLE_DEVICES')).toBe('%i');
    const hostId = environment.get('MLIP_HOST_ID')!;
    expect(hostId).toContain('%i');
    // %H is the host name (what MLIP_HOST_ID defaults to without systemd), %i the instance.
    const expanded = hostId.replace('%H', 'gpu-node-07.cluster.example.org').replace('%i', '3');
    expect(loadEnv({ MLIP_HOST_ID: expanded }).MLIP_HOST_ID).toBe('gpu-node-07.cluster.example.org-gpu3');
    expect(service.get('EnvironmentFile')).toEqual(['/etc/mlip/worker.env', '-/etc/mlip/worker-%i.env']);
  });

  test('hardened without hiding the GPUs or breaking node', () => {
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('User')).not.toBe('root');
    // Each of these would hide /dev/nvidia* (a device allow-list) or stop V8's JIT.
    for (const key of [
      'PrivateDevices',
      'DevicePolicy',
      'DeviceAllow',
      'ProtectClock',
      'MemoryDenyWriteExecute',
    ])
      expect([key, service.has(key)]).toEqual([key, false]);
  });

  test('every setting has a comment that says why', () => {
    // A [Service] key line right after a blank line (no comment above its group) has no explanation.
    const lines = unitText.split('\n');
    const unexplained = lines
      .map((l, i) => ({ l, above: lines[i - 1] ?? '' }))
      .filter(({ l, above }) => /^[A-Z]\w+=/.test(l) && above.trim() === '')
      .map(({ l }) => l);
    expect(unexplained).toEqual([]);
  });
});

function tsFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? tsFiles(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

describe('deploy/systemd/worker.env.example', () => {
  const text = fs.readFileSync(ENV_EXAMPLE, 'utf8');
  const { set, commented } = parseEnvFile(text);
  // What the worker's code reads besides EnvSchema (e.g. connection settings read where they are used).
  const sources = ['src', 'activities']
    .flatMap((dir) => tsFiles(dir))
    .map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8'))
    .join('\n');

  test('names only variables the worker reads, and not those each instance or job sets', () => {
    const names = [...set.keys(), ...commented];
    expect(names.length).toBeGreaterThan(8);
    const unknown = names.filter((n) => !(n in EnvSchema.shape) && !new RegExp(`\\b${n}\\b`).test(sources));
    expect(unknown).toEqual([]);
    // The unit sets these per instance and the batch script per job; a value in the file would win over
    // the unit's Environment= lines.
    expect(names.filter((n) => n === 'MLIP_HOST_ID' || n === 'CUDA_VISIBLE_DEVICES')).toEqual([]);
  });

  test('its values are ones EnvSchema accepts', () => {
    expect(() => loadEnv(Object.fromEntries(set))).not.toThrow();
    expect(set.get('MLIP_WORK_ROOT')).not.toMatch(/^\/tmp\b/); // the unit's /tmp is private and removed
  });

  test('bash (the batch script sources it) reads the same values as systemd', () => {
    const names = [...set.keys()];
    const out = execFileSync(
      'bash',
      [
        '-c',
        `set -a; . "$1"; for n in ${names.join(' ')}; do printf '%s=%s\\0' "$n" "\${!n}"; done`,
        'bash',
        ENV_EXAMPLE,
      ],
      // stdin not a socket (node's pipes are): bash would take itself for an ssh session and read ~/.bashrc.
      { encoding: 'utf8', env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const fromBash = new Map(
      out
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string]),
    );
    expect(fromBash).toEqual(set);
  });
});

/** The project's own shell scripts besides the batch script: the set-up, the test and demo entry points, CI. */
const SHELL_SCRIPTS = [
  'scripts/setup.sh',
  'scripts/test.sh',
  'scripts/demo.sh',
  'temporal-dev.sh',
  'bin/lmp-pace',
  '.ci/run',
  ...fs
    .readdirSync(path.join(ROOT, 'test', 'doubles'))
    .filter((f) => f.endsWith('.sh'))
    .map((f) => path.join('test', 'doubles', f)),
];

describe('deploy/slurm/mlip-worker.sbatch', () => {
  const text = fs.readFileSync(BATCH_SCRIPT, 'utf8');

  test('bash -n and shellcheck find nothing in it, nor in any other shell script of the project', () => {
    execFileSync('bash', ['-n', BATCH_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(fs.statSync(BATCH_SCRIPT).mode & 0o111).not.toBe(0);
    // The set-up installs shellcheck (Debian's package) as it installs nginx: its absence is a set-up to rerun.
    if (spawnSync('sh', ['-c', 'command -v shellcheck']).status !== 0)
      throw new Error("shellcheck is missing: run 'npm run setup' (it installs Debian's shellcheck)");
    const scripts = [BATCH_SCRIPT, ...SHELL_SCRIPTS.map((f) => path.join(ROOT, f))];
    const result = spawnSync('shellcheck', ['-f', 'gcc', ...scripts], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('the SLURM signal comes at least drain + margin before the wall time', () => {
    const signal = /^#SBATCH --signal=B:TERM@(\d+)$/m.exec(text);
    expect(signal).not.toBeNull();
    const drain = Number(/drain_seconds=\$\{MLIP_DRAIN_SECONDS:-(\d+)\}/.exec(text)?.[1]);
    const margin = Number(/margin_seconds=\$\{MLIP_DRAIN_MARGIN_SECONDS:-(\d+)\}/.exec(text)?.[1]);
    // The script's default drain is the worker's.
    expect(drain).toBe(EnvSchema.shape.MLIP_DRAIN_SECONDS.parse(undefined));
    // The worker waits MLIP_DRAIN_SECONDS + 30 s at most: the margin must cover that and the exit.
    expect(margin).toBeGreaterThan(forceTimeBeyondDrainSeconds());
    expect(Number(signal![1])).toBeGreaterThanOrEqual(drain + margin);
  });
});
