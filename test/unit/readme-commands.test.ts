/**
 * The README and docs/ show commands, requests, snippets and tables; this file checks each of them against
 * the code, so renaming a flag, a field, a variable or a file without updating the docs fails here.
 *
 * Every fenced block of README.md and docs/*.md must be claimed by one of the checkers below (a block of a
 * kind nobody checks fails the suite), and so must every inline `mlip-train …`, `npm run …`, `temporal …`
 * and `./temporal-dev.sh …` span:
 * - `mlip-train CMD --flag …`: CMD is a registered command and its `--help` (src/cli's main, in-process)
 *   lists every flag used; a value given where the help names the alternatives must be one of them;
 * - `temporal workflow …`: the workflow type is one the worker registers, the task queue is EnvSchema's
 *   default, the query name is the `progress` query's, `--input` passes the workflow's own resolve step,
 *   list queries use registered search attributes; with the venv present, `temporal … --help` lists each flag;
 * - `npm run X [-- bench --flag]`: X is a package.json script; a bench is one bench/main.ts registers and
 *   its module parses each flag; `./temporal-dev.sh X`: X is in the script's usage line;
 * - JSON blocks parse with the real schemas (calculations, candidates, TrainingRequest via
 *   resolveTrainingRequest, whose TrainerParams go through resolveTrainerParams);
 * - the TypeScript snippet type-checks against the package's exports (tsc, in memory), with the
 *   `round.x.y` fields its comments name; object shapes shown in prose (the result, scoring input) too;
 * - the request table (docs/data-contracts.md) and the TrainerParams table (docs/trainer-params.md) name
 *   only real fields (their defaults: here and in explain.test.ts); the README's CLI table lists every
 *   command; phases, failure types, search attributes and published file names are the code's (the
 *   environment table is EnvSchema's copy: test/unit/env-table.test.ts);
 * - every repository path in backticks exists, every environment variable named is read somewhere, and
 *   every relative link and #anchor resolves.
 * What needs a fitted potential runs in test/e2e/active-set.test.ts, and is checked here as far as it can be:
 *   the LAMMPS inputs (which that test runs, every one) for the file names they read, the ASE snippet for the
 *   calls that test makes; `systemctl`,
 *   `journalctl`, `sbatch` and `scancel` (no systemd, no SLURM here) for the unit files and scripts of
 *   deploy/ they name, `cp`/`install` for the repository files they copy, and a unit drop-in (```ini) for
 *   keys the unit it overrides has in that section.
 * The "mismatch" tests at the end run the same checkers on edited copies of the text and expect failures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import ts from 'typescript';
import * as temporalWorkflow from '@temporalio/workflow';
import { BSON } from 'mongodb';
import { main, registeredCommands } from '../../src/cli/main';
import {
  FitMetricsSchema,
  progressQuery,
  resolveCommitteeInput,
  resolveRoundInput,
  resolveScoringRequest,
  resolveExplorationRequest,
  resolveTrainingRequest,
  ScoringRequestSchema,
  SEARCH_ATTRIBUTES,
  TRAINING_PHASES,
  TrainingProgressSchema,
  TrainingRequestSchema,
  DurationSchema,
  parseTrainingRequest,
  FailureType,
} from '../../src/api';
import { EnvSchema, INSTALLED, PROJECT_ROOT } from '../../src/config';
import { decodeCalculation } from '../../src/calculations';
import { CandidateScoreSchema, decodeCandidate } from '../../src/candidates';
import * as artefactNames from '../../src/artefact-names';
import { PUBLISHED_FIGURES_DIR, PUBLISHED_FILES } from '../../src/artefact-names';
import { explainTrainerParams } from '../../src/pacemaker/explain';
import { fencedBlocks, loadDocs, type Block, type Doc } from '../harness/docs';

const ROOT = PROJECT_ROOT;
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');

// ---------------------------------------------------------------------------------------------------------
// Markdown: fenced blocks, inline code spans, tables, headings, links.

interface Span {
  file: string;
  code: string;
  /** When the span sits in a table: the table's header row, the row's cells and the span's column. */
  table?: { header: string; row: string[]; column: number };
}

/** The text outside fenced blocks (blocks replaced by blank lines, so line numbers stay). */
function prose(doc: Doc): string {
  return doc.text.replace(/^```\w*\s*\n[\s\S]*?^```\s*$/gm, (m) => m.replace(/[^\n]/g, ''));
}

function inlineSpans(doc: Doc): Span[] {
  const spans: Span[] = [];
  const codeSpans = (text: string) =>
    [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\s*\n\s*/g, ' '));
  for (const para of prose(doc).split(/\n\s*\n/)) {
    const lines = para.split('\n').filter((l) => l.trim() !== '');
    const isTable = lines.length > 1 && lines.every((l) => l.trimStart().startsWith('|'));
    if (!isTable) {
      for (const code of codeSpans(para)) spans.push({ file: doc.file, code });
      continue;
    }
    const header = lines[0]!;
    for (const line of lines.slice(2)) {
      const row = splitRow(line);
      row.forEach((cell, column) => {
        for (const code of codeSpans(cell))
          spans.push({ file: doc.file, code, table: { header, row, column } });
      });
    }
  }
  return spans;
}

/** A table row's cells, `\|` (a pipe inside a code span) kept as '|'. */
function splitRow(line: string): string[] {
  return line
    .replace(/\\\|/g, '\uE000')
    .split('|')
    .slice(1, -1)
    .map((c) => c.replace(/\uE000/g, '|').trim());
}

/** Rows of the first table whose header row starts with `| <first>`: cells, code spans unescaped. */
function tableRows(text: string, first: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^\\|\\s*${first}\\s*\\|`).test(l));
  if (start < 0) return [];
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(splitRow(lines[i]!));
  return rows;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose({ file: '', text }).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = m[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Shell-ish command lines.

/** Splits a command line into words, honouring '…' and "…" quotes. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** Lines of a bash block: continuations joined, comments and blank lines dropped. */
function commandLines(code: string): string[] {
  return code
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.replace(/(^|\s+)#(\s.*)?$/, '').trim())
    .filter((l) => l !== '');
}

/** Leading VAR=value assignments, and the rest of the line. */
function splitAssignments(line: string): { vars: [string, string][]; rest: string } {
  const vars: [string, string][] = [];
  let rest = line.trim();
  for (let m = /^([A-Z][A-Z0-9_]*)=(\S*)\s*/.exec(rest); m; m = /^([A-Z][A-Z0-9_]*)=(\S*)\s*/.exec(rest)) {
    vars.push([m[1]!, m[2]!]);
    rest = rest.slice(m[0].length);
  }
  return { vars, rest };
}

// ---------------------------------------------------------------------------------------------------------
// Checkers. Each returns the problems it found (empty: fine); the tests expect no problems.

type Problems = string[];

const usageCache = new Map<string, string>();
async function usageOf(command: string): Promise<string | undefined> {
  if (!registeredCommands().some((c) => c.name === command)) return undefined;
  if (!usageCache.has(command)) {
    const out: string[] = [];
    const code = await main([command, '--help'], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      env: {},
    });
    expect(code).toBe(0);
    usageCache.set(command, out.join('\n'));
  }
  return usageCache.get(command);
}

/** `mlip-train CMD [SUB] [--flag value]…` (table notation `[--x Y]`, `A|B` and `N[@vK]` allowed). */
async function checkMlipTrain(line: string, where: string): Promise<Problems> {
  const tokens = line
    .replace(/^(npx mlip-train|node bin\/mlip-train\.js|mlip-train)(\s+|$)/, '')
    .replace(/[[\]]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const command = tokens[0];
  if (command === undefined || command === '--help') return [];
  const usage = await usageOf(command);
  if (usage === undefined) return [`${where}: mlip-train has no command '${command}' (${line})`];
  const problems: Problems = [];
  // A fixed sub-command word in the usage line (`mlip-train dataset export …`) must be the one shown.
  const sub = new RegExp(`mlip-train ${command} ([a-z]+)\\b`).exec(usage)?.[1];
  if (sub && tokens[1] !== sub) problems.push(`${where}: mlip-train ${command} needs '${sub}' (${line})`);
  for (let i = 1; i < tokens.length; i++) {
    const flag = tokens[i]!;
    if (!flag.startsWith('--')) continue;
    const listed = new RegExp(`(^|[\\s\\[(|])${flag}(?![\\w-])`, 'm').test(usage);
    if (!listed) {
      problems.push(`${where}: 'mlip-train ${command} --help' does not list ${flag} (${line})`);
      continue;
    }
    const value = tokens[i + 1];
    if (value === undefined || !/^[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)*$/.test(value)) continue;
    const helpLine = usage.split('\n').find((l) => new RegExp(`^\\s+${flag}\\b`).test(l)) ?? '';
    const alternatives = new Set<string>();
    for (const m of helpLine.matchAll(/\b([a-z][a-z0-9-]*) or ([a-z][a-z0-9-]*)\b/g))
      alternatives.add(m[1]!).add(m[2]!);
    for (const m of helpLine.matchAll(/\b([a-z][a-z0-9-]*(?:\|[a-z][a-z0-9-]*)+)\b/g))
      m[1]!.split('|').forEach((a) => alternatives.add(a));
    if (alternatives.size === 0) continue;
    for (const v of value.split('|'))
      if (!alternatives.has(v))
        problems.push(`${where}: ${flag} takes ${[...alternatives].join(' | ')}, not '${v}' (${line})`);
  }
  return problems;
}

const WORKFLOWS = [...read('workflows/index.ts').matchAll(/export \{ (\w+) \}/g)].map((m) => m[1]!);
const DEFAULT_TASK_QUEUE = EnvSchema.shape.MLIP_TASK_QUEUE.parse(undefined);

function checkWorkflowInput(type: string, input: unknown): string | undefined {
  const resolved =
    type === 'trainPotential'
      ? resolveTrainingRequest(input)
      : type === 'trainCommittee'
        ? resolveCommitteeInput(input as Parameters<typeof resolveCommitteeInput>[0])
        : type === 'scoreCandidates'
          ? resolveScoringRequest(input)
          : type === 'exploreStructures'
            ? resolveExplorationRequest(input)
            : resolveRoundInput(input);
  return resolved.ok ? undefined : resolved.message;
}

const temporalHelp = new Map<string, string>();
function temporalFlags(sub: string[]): string | undefined {
  if (!fs.existsSync(INSTALLED.temporal)) return undefined; // no venv: the fixed names are still checked
  const key = sub.join(' ');
  if (!temporalHelp.has(key))
    temporalHelp.set(key, execFileSync(INSTALLED.temporal, [...sub, '--help'], { encoding: 'utf8' }));
  return temporalHelp.get(key);
}

/** `temporal workflow …` / `temporal operator search-attribute create …`: the fixed names. */
function checkTemporal(line: string, where: string): Problems {
  const w = words(line);
  const problems: Problems = [];
  const flag = (name: string) => {
    const i = w.indexOf(`--${name}`);
    return i < 0 ? undefined : w[i + 1];
  };
  const sub = w
    .slice(1)
    .filter((x, i, all) => !x.startsWith('-') && all.slice(0, i).every((y) => !y.startsWith('-')));
  const help = temporalFlags(sub);
  if (help !== undefined)
    for (const f of w.filter((x) => x.startsWith('--')))
      if (!new RegExp(`${f}(?![\\w-])`).test(help))
        problems.push(`${where}: 'temporal ${sub.join(' ')} --help' does not list ${f}`);
  if (sub[0] === 'workflow') {
    const type = flag('type');
    if (sub[1] === 'start' && w.length > 3) {
      if (!type || !WORKFLOWS.includes(type))
        problems.push(
          `${where}: --type ${type} is not a workflow the worker registers (${WORKFLOWS.join(', ')})`,
        );
      if (flag('task-queue') !== DEFAULT_TASK_QUEUE)
        problems.push(`${where}: --task-queue ${flag('task-queue')} is not ${DEFAULT_TASK_QUEUE}`);
      const input = flag('input');
      if (input === undefined) problems.push(`${where}: no --input`);
      else if (type && WORKFLOWS.includes(type)) {
        const message = checkWorkflowInput(type, JSON.parse(input));
        if (message) problems.push(`${where}: --input is refused: ${message}`);
      }
    }
    if (sub[1] === 'query' && flag('name') !== progressQuery.name)
      problems.push(`${where}: the query is '${progressQuery.name}', not '${flag('name')}'`);
    const query = flag('query');
    if (query !== undefined) problems.push(...checkListQuery(query, where));
  } else if (sub.join(' ') === 'operator search-attribute create') {
    const name = flag('name') as keyof typeof SEARCH_ATTRIBUTES;
    if (SEARCH_ATTRIBUTES[name] !== flag('type'))
      problems.push(`${where}: search attribute ${name} is ${SEARCH_ATTRIBUTES[name]}, not ${flag('type')}`);
  } else problems.push(`${where}: no check for 'temporal ${sub.join(' ')}' (${line})`);
  return problems;
}

const BUILT_IN_SEARCH_ATTRIBUTES = [
  'WorkflowType',
  'ExecutionStatus',
  'StartTime',
  'CloseTime',
  'WorkflowId',
];
function checkListQuery(query: string, where: string): Problems {
  const problems: Problems = [];
  for (const m of query.matchAll(/(\w+)\s*(=|<|>|<=|>=)\s*'([^']*)'/g)) {
    const [, attribute, , value] = m;
    if (attribute === 'WorkflowType' && !WORKFLOWS.includes(value!))
      problems.push(`${where}: WorkflowType '${value}' is not a workflow`);
    else if (!BUILT_IN_SEARCH_ATTRIBUTES.includes(attribute!) && !(attribute! in SEARCH_ATTRIBUTES))
      problems.push(`${where}: ${attribute} is not a registered search attribute`);
  }
  return problems;
}

const PACKAGE_SCRIPTS = Object.keys((JSON.parse(read('package.json')) as { scripts: object }).scripts);
/** bench name → the module bench/main.ts loads for it. */
const BENCHES = new Map(
  [...read('bench/main.ts').matchAll(/'?([\w-]+)'?: \{\s*summary:[\s\S]*?import\('\.\/([\w-]+)'\)/g)].map(
    (m) => [m[1]!, m[2]!],
  ),
);

function checkNpm(line: string, where: string): Problems {
  const w = words(line.replace(/[[\]]/g, ' '));
  if (w[1] === 'test' || w[1] === 'ci' || w[1] === 'link') return [];
  if (w[1] !== 'run' || !w[2]) return [`${where}: no check for '${line}'`];
  if (!PACKAGE_SCRIPTS.includes(w[2])) return [`${where}: package.json has no script '${w[2]}'`];
  if (w[2] !== 'bench' || w[3] !== '--' || w[4] === '--help') return [];
  const module = BENCHES.get(w[4] ?? '');
  if (!module) return [`${where}: bench/main.ts has no bench '${w[4]}'`];
  const source = read(`bench/${module}.ts`);
  return w
    .slice(5)
    .filter((x) => x.startsWith('--'))
    .filter((f) => !new RegExp(`['"\`-]${f.slice(2)}['"\`\\s]`).test(source))
    .map((f) => `${where}: bench ${w[4]} (bench/${module}.ts) does not parse ${f}`);
}

/** One command line from a bash block or an inline span; undefined when it is not a command we know. */
async function checkCommand(line: string, where: string): Promise<Problems | undefined> {
  const { vars, rest: command } = splitAssignments(line);
  const problems = vars.flatMap(([name, value]) => checkEnvValue(name, value, where));
  const rest = command.replace(/^sudo\s+/, '');
  const first = rest.split(/\s+/)[0] ?? '';
  if (SERVICE_TOOLS.includes(first)) return [...problems, ...checkServiceCommand(rest, where)];
  if (/^(npx )?mlip-train\b/.test(rest) || rest.startsWith('node bin/mlip-train.js'))
    return [...problems, ...(await checkMlipTrain(rest, where))];
  if (first === 'temporal') return [...problems, ...checkTemporal(rest, where)];
  if (first === 'npm') return [...problems, ...checkNpm(rest, where)];
  if (first === './temporal-dev.sh') {
    const usage = /Usage: \.\/temporal-dev\.sh (.*)/.exec(read('temporal-dev.sh'))?.[1] ?? '';
    const sub = rest.split(/\s+/)[1];
    return sub && !usage.split(/\W+/).includes(sub)
      ? [...problems, `${where}: ./temporal-dev.sh has no '${sub}' (usage: ${usage})`]
      : problems;
  }
  if (first === 'export') {
    // `export PATH="$PWD/DIR:$PATH"`: DIR must be where the set-up installs the tools the block then runs.
    const dir = /^export PATH="\$PWD\/([^:"]+):\$PATH"$/.exec(rest)?.[1];
    return dir && path.join(ROOT, dir) === path.dirname(INSTALLED.temporal)
      ? problems
      : [
          ...problems,
          `${where}: '${rest}' does not put the set-up's tools (${path.dirname(INSTALLED.temporal)}) on PATH`,
        ];
  }
  if (first === 'node') {
    const script = rest.split(/\s+/).find((x) => /\.(ts|js)$/.test(x));
    return script && fs.existsSync(path.join(ROOT, script))
      ? problems
      : [...problems, `${where}: ${script} does not exist`];
  }
  return vars.length > 0 && rest === '' ? problems : undefined;
}

// Services and batch jobs (deploy/): nothing here runs systemd or SLURM, so each command is checked for the
// units, scripts and files it names, and for the verbs and flags the docs rely on.
const SERVICE_TOOLS = ['systemctl', 'journalctl', 'sbatch', 'scancel', 'cp', 'install'];
const UNIT_TEMPLATES = fs
  .readdirSync(path.join(ROOT, 'deploy', 'systemd'))
  .filter((f) => f.endsWith('.service'));
const SYSTEMCTL_VERBS = ['enable', 'disable', 'start', 'stop', 'restart', 'status', 'daemon-reload', 'edit'];
/** The flags docs/operations.md uses, as systemctl(1), journalctl(1) and scancel(1) spell them. */
const SERVICE_FLAGS: Record<string, string[]> = {
  systemctl: ['--now'],
  journalctl: ['-u', '-f'],
  scancel: ['--batch', '--signal=TERM'],
  sbatch: [],
};

/** `mlip-worker@0`, `mlip-worker@.service`: an instance or the template of a unit file in deploy/systemd. */
function checkUnitName(name: string, where: string): Problems {
  const template = name.replace(/@[^.]*(\.service)?$/, '@.service').replace(/^([^@.]+)$/, '$1.service');
  return UNIT_TEMPLATES.includes(template)
    ? []
    : [`${where}: ${name} is no unit of deploy/systemd (${UNIT_TEMPLATES.join(', ')})`];
}

function checkServiceCommand(line: string, where: string): Problems {
  const [tool, ...args] = words(line);
  const problems: Problems = [];
  for (const flag of args.filter((a) => a.startsWith('-')))
    if (tool! in SERVICE_FLAGS && !SERVICE_FLAGS[tool!]!.includes(flag))
      problems.push(`${where}: no check for ${tool} ${flag}`);
  const operands = args.filter(
    (a, i) => !a.startsWith('-') && !(tool === 'install' && /^-[mog]$/.test(args[i - 1]!)),
  );
  if (tool === 'systemctl') {
    const [verb, ...units] = operands;
    if (!SYSTEMCTL_VERBS.includes(verb!)) problems.push(`${where}: no check for systemctl ${verb}`);
    else if (verb !== 'daemon-reload' && units.length === 0)
      problems.push(`${where}: systemctl ${verb} of what?`);
    for (const unit of units) problems.push(...checkUnitName(unit, where));
  } else if (tool === 'journalctl') {
    const unit = args[args.indexOf('-u') + 1];
    problems.push(...(unit ? checkUnitName(unit, where) : [`${where}: journalctl without -u UNIT`]));
  } else if (tool === 'sbatch') {
    const script = operands[0] ?? '';
    if (!/^deploy\/\S+\.sbatch$/.test(script))
      problems.push(`${where}: sbatch of ${script}, not a deploy/ script`);
    else problems.push(...checkRepoPath(script, where));
  } else if (tool === 'scancel') {
    if (!operands.every((o) => /^\d+$/.test(o))) problems.push(`${where}: scancel takes job ids (${line})`);
  } else {
    // cp / install: the repository files copied must exist (the destinations are the host's).
    for (const file of operands.filter((o) => REPO_PATH.test(o)))
      problems.push(...checkRepoPath(file, where));
    if (!operands.slice(0, -1).some((o) => REPO_PATH.test(o)) && !args.includes('-d'))
      problems.push(`${where}: ${tool} copies no file of the repository (${line})`);
  }
  return problems;
}

/** A drop-in (```ini): each key must be one the unit it overrides sets, in the same section. */
function checkUnitDropIn(code: string, where: string): Problems {
  const unit = read('deploy/systemd/mlip-worker@.service');
  const problems: Problems = [];
  let section = '';
  for (const line of code.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const key = /^(\w+)=/.exec(line)?.[1];
    const body = unit.split(`[${section}]`)[1]?.split(/^\[/m)[0] ?? '';
    if (!key || !new RegExp(`^${key}=`, 'm').test(body))
      problems.push(`${where}: deploy/systemd/mlip-worker@.service sets no ${key ?? line} in [${section}]`);
  }
  return problems;
}

// Environment variables.
/** Every variable named in the docs must be read by something in the repository (or be the world's). */
const EXTERNAL_VARIABLES = ['CUDA_VISIBLE_DEVICES'];
const SOURCES = [
  'src',
  'activities',
  'workflows',
  'scripts',
  'bench',
  'test/harness',
  'test/replay',
  'python',
  'mongo-wire-server',
  'deploy',
]
  .flatMap((dir) => listFiles(dir))
  .filter((f) => /\.(ts|js|sh|py|go|sbatch)$/.test(f))
  .concat(['temporal-dev.sh', 'package.json'])
  .map((f) => read(f))
  .join('\n');

function listFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : listFiles(rel);
    return [rel];
  });
}

function checkEnvValue(name: string, value: string, where: string): Problems {
  if (!(name in EnvSchema.shape) || value.includes('<')) return [];
  const parsed = EnvSchema.shape[name as keyof typeof EnvSchema.shape].safeParse(value);
  return parsed.success ? [] : [`${where}: ${name}=${value} is refused by EnvSchema`];
}

function checkVariableNamed(name: string, where: string): Problems {
  if (name in EnvSchema.shape || EXTERNAL_VARIABLES.includes(name)) return [];
  return new RegExp(`\\b${name}\\b`).test(SOURCES)
    ? []
    : [`${where}: nothing in the repository reads ${name}`];
}

// JSON documents.
function checkJsonBlock(block: Block, where: string): Problems {
  const doc = BSON.EJSON.parse(block.code, { relaxed: true }) as Record<string, unknown>;
  if ('results' in doc) {
    const decoded = decodeCalculation(doc);
    const problems = decoded.ok ? [] : [`${where}: the calculation is refused: ${decoded.reason}`];
    if (doc.status !== 'completed') problems.push(`${where}: only status "completed" is read`);
    const known = ['_id', 'campaign', 'generation', 'status', 'structure', 'results', 'dft', 'completedAt'];
    for (const key of Object.keys(doc).filter((k) => !known.includes(k)))
      problems.push(`${where}: '${key}' is not a field of the calculations contract`);
    return problems;
  }
  if ('structure' in doc) {
    const decoded = decodeCandidate(doc);
    if (!decoded.ok) return [`${where}: the candidate is refused: ${decoded.reason}`];
    const score = CandidateScoreSchema.safeParse(doc.score);
    return doc.score === undefined || score.success
      ? []
      : [`${where}: the candidate's score breaks the contract: ${score.error.message}`];
  }
  if ('campaign' in doc) {
    const message = checkWorkflowInput('trainPotential', doc);
    return message ? [`${where}: the request is refused: ${message}`] : [];
  }
  return [`${where}: a JSON block nobody checks`];
}

// File names and paths.
const ARTEFACT_NAMES = new Set(
  Object.values(artefactNames)
    .flatMap((v) =>
      typeof v === 'string'
        ? [v]
        : v && typeof v === 'object' && !(v instanceof RegExp)
          ? Object.values(v)
          : [],
    )
    .filter((v): v is string => typeof v === 'string'),
);
/** Names of files a training writes, as they appear in diagrams and LAMMPS/ASE snippets. */
function checkArtefactNames(code: string, where: string): Problems {
  return [...code.matchAll(/\b[\w-]+\.(?:extxyz|pckl\.gzip|yaml|yace|asi|svg)\b/g)]
    .map((m) => m[0])
    .filter((name) => !ARTEFACT_NAMES.has(name))
    .map((name) => `${where}: ${name} is not a file name in src/artefact-names.ts`);
}

const REPO_PATH =
  /^(src|activities|workflows|test|python|scripts|bench|bin|mongo-wire-server|docs|deploy)\/\S*$|^(temporal-dev\.sh|package\.json|package-lock\.json|tsconfig\.json)$/;
/** Folders the code creates at run time (git-ignored), which a fresh checkout does not have. */
const GENERATED = read('.gitignore')
  .split('\n')
  .filter((l) => /^[\w-]+\/[\w/-]+$/.test(l));
function checkRepoPath(p: string, where: string): Problems {
  const cut = p.search(/[<*]/);
  if (cut < 0)
    return fs.existsSync(path.join(ROOT, p)) || GENERATED.some((g) => p.startsWith(g))
      ? []
      : [`${where}: ${p} does not exist`];
  const prefix = p.slice(0, cut);
  const dir = prefix.endsWith('/') ? prefix : path.dirname(prefix);
  const base = prefix.endsWith('/') ? '' : path.basename(prefix);
  const abs = path.join(ROOT, dir);
  return fs.existsSync(abs) && fs.readdirSync(abs).some((e) => e.startsWith(base))
    ? []
    : [`${where}: nothing matches ${p}`];
}

function checkLinks(docs: Doc[]): Problems {
  const problems: Problems = [];
  for (const doc of docs) {
    const text = prose(doc).replace(/`[^`]*`/g, '');
    for (const m of text.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^(https?|mailto):/.test(target)) continue;
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const rel = file === '' ? doc.file : path.normalize(path.join(path.dirname(doc.file), file));
      const abs = path.join(ROOT, rel);
      if (!fs.existsSync(abs)) {
        problems.push(`${doc.file}: link to ${target}: ${rel} does not exist`);
        continue;
      }
      if (anchor !== undefined && !anchors(fs.readFileSync(abs, 'utf8')).has(anchor))
        problems.push(`${doc.file}: link to ${target}: ${rel} has no heading #${anchor}`);
    }
  }
  return problems;
}

// TypeScript: the snippets and the object shapes shown in prose, type-checked in memory.
const ACTIVITY_TYPES = ['HostQueueActivities', 'SharedQueueActivities', 'ResolveRequestActivities'];

interface TypeCheckInput {
  snippets: Block[];
  /** `{a, b: {c}}` shapes shown in prose, each with the type it describes. */
  shapes: { type: string; shape: string; where: string }[];
  /** Activity names from the workflow diagrams. */
  activities: { name: string; where: string }[];
}

/** `{a, b: {c, d}, e?}` → ['a', 'b', 'b.c', 'b.d', 'e']. */
function shapePaths(shape: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  let last = '';
  for (const m of shape.matchAll(/([A-Za-z_]\w*)\??(?:\s*=\s*[^,}]+)?|[{}:]/g)) {
    const t = m[0];
    if (t === '{') {
      if (last) stack.push(last);
    } else if (t === '}') stack.pop();
    else if (t !== ':') {
      last = m[1]!;
      out.push([...stack, last].join('.'));
    }
  }
  return out;
}

function snippetSource(input: TypeCheckInput): { source: string; origin: (line: number) => string } {
  const lines: string[] = [];
  const origins: string[] = [];
  const add = (l: string, where: string) => {
    lines.push(l);
    origins.push(where);
  };
  add(`import * as wf from '@temporalio/workflow';`, 'prelude');
  add(`import * as workflows from '../../workflows';`, 'prelude');
  add(`import type * as api from '../../src/api';`, 'prelude');
  add(`import type { ${ACTIVITY_TYPES.join(', ')} } from '../../activities';`, 'prelude');
  add(`type ActivityName = ${ACTIVITY_TYPES.map((t) => `keyof ${t}`).join(' | ')};`, 'prelude');
  input.snippets.forEach((block, n) => {
    const where = `${block.file}:${block.line}`;
    const free = freeIdentifiers(block.code);
    add(`export async function snippet${n}() {`, where);
    for (const id of free) {
      if (id in temporalWorkflow) add(`  const ${id} = wf.${id};`, where);
      else if (WORKFLOWS.includes(id)) add(`  const ${id} = workflows.${id};`, where);
    }
    // The one variable the round snippet assumes: the previous round's result.
    if (free.includes('previous'))
      add(`  const previous = undefined as api.ActiveLearningRoundResult | undefined;`, where);
    block.code.split('\n').forEach((l, i) => add(`  ${l}`, `${block.file}:${block.line + 1 + i}`));
    for (const m of block.code.matchAll(/^\/\/ ([a-z]\w*(?:\.\w+)+):/gm)) add(`  void ${m[1]};`, where);
    add(`}`, where);
  });
  input.shapes.forEach(({ type, shape, where }, n) => {
    add(`export function shape${n}(value: ${type}) {`, where);
    for (const p of shapePaths(shape)) add(`  void value.${p.replace(/\./g, '?.')};`, `${where} (${p})`);
    add(`}`, where);
  });
  // One declaration per name: several documents name the same activity.
  const declared = new Set<string>();
  input.activities.forEach(({ name, where }) => {
    if (!declared.has(name)) add(`export const activity_${name}: ActivityName = '${name}';`, where);
    declared.add(name);
  });
  return { source: lines.join('\n'), origin: (line) => origins[line] ?? '?' };
}

/** Identifiers a snippet uses without declaring them. */
function freeIdentifiers(code: string): string[] {
  const file = ts.createSourceFile('snippet.ts', code, ts.ScriptTarget.ES2022, true);
  const declared = new Set<string>();
  const used = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) declared.add(node.name.text);
    if (ts.isIdentifier(node)) {
      const parent = node.parent;
      const isName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        (ts.isVariableDeclaration(parent) && parent.name === node);
      if (!isName) used.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return [...used].filter((id) => !declared.has(id));
}

/** The object literal given as `training:` in an executeChild(activeLearningRound, …) snippet. */
function trainingKeys(code: string): string[] {
  const file = ts.createSourceFile('snippet.ts', code, ts.ScriptTarget.ES2022, true);
  const keys: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isPropertyAssignment(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === 'training' &&
      ts.isObjectLiteralExpression(node.initializer)
    )
      for (const p of node.initializer.properties)
        if (p.name && ts.isIdentifier(p.name)) keys.push(p.name.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return keys;
}

/**
 * One compiler host for the whole file: the project's sources and type declarations are parsed once and
 * reused by every program (a program per checked set of documents; the mismatch tests make several).
 */
const VIRTUAL = path.join(ROOT, 'test', 'unit', '__readme_snippets__.ts');
let compiler:
  { options: ts.CompilerOptions; host: ts.CompilerHost; setSource(text: string): void } | undefined;
const typeCheckCache = new Map<string, Problems>();

function typeCheck(input: TypeCheckInput): Problems {
  const { source, origin } = snippetSource(input);
  const cached = typeCheckCache.get(source);
  if (cached) return cached;
  compiler ??= makeCompiler();
  compiler.setSource(source);
  const program = ts.createProgram([VIRTUAL], compiler.options, compiler.host);
  const file = program.getSourceFile(VIRTUAL)!;
  const problems = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map(
    (d) => {
      const line = d.start === undefined ? -1 : file.getLineAndCharacterOfPosition(d.start).line;
      return `${origin(line)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    },
  );
  typeCheckCache.set(source, problems);
  return problems;
}

function makeCompiler() {
  const config = ts.parseJsonConfigFileContent(
    ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config,
    ts.sys,
    ROOT,
  );
  // Only the snippets' diagnostics are asked for: the test runner's ambient types (jest) are not needed.
  const options: ts.CompilerOptions = { ...config.options, types: ['node'], noUnusedLocals: false };
  const host = ts.createCompilerHost(options);
  const parsed = new Map<string, ts.SourceFile | undefined>();
  const fromDisk = host.getSourceFile.bind(host);
  let virtualSource = '';
  host.getSourceFile = (name, languageVersion, ...rest) => {
    if (path.resolve(name) === VIRTUAL)
      return ts.createSourceFile(name, virtualSource, languageVersion, true);
    if (!parsed.has(name)) parsed.set(name, fromDisk(name, languageVersion, ...rest));
    return parsed.get(name);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => path.resolve(name) === VIRTUAL || fileExists(name);
  return { options, host, setSource: (text: string) => (virtualSource = text) };
}

// ---------------------------------------------------------------------------------------------------------
// The whole check of a set of documents.

interface Report {
  problems: Problems;
  /** How many items each checker looked at (the tests make sure the checkers found their material). */
  counts: Record<string, number>;
}

async function checkDocs(docs: Doc[]): Promise<Report> {
  const problems: Problems = [];
  const counts: Record<string, number> = {};
  const count = (what: string) => (counts[what] = (counts[what] ?? 0) + 1);
  const typeInput: TypeCheckInput = { snippets: [], shapes: [], activities: [] };

  for (const doc of docs) {
    for (const block of fencedBlocks(doc)) {
      const where = `${block.file}:${block.line}`;
      if (block.lang === 'bash') {
        for (const m of block.code.matchAll(/# (\{potentialPath\b[^}]*\})/g)) {
          typeInput.shapes.push({ type: 'api.TrainingResult', shape: m[1]!, where });
          count('shapes');
        }
        for (const line of commandLines(block.code)) {
          const found = await checkCommand(line, where);
          if (found === undefined) problems.push(`${where}: no check for the command '${line}'`);
          else problems.push(...found);
          count('commands');
        }
      } else if (block.lang === 'json') {
        problems.push(...checkJsonBlock(block, where));
        count('json');
      } else if (block.lang === 'ts') {
        typeInput.snippets.push(block);
        for (const key of trainingKeys(block.code))
          if (!(key in TrainingRequestSchema.shape))
            problems.push(`${where}: training.${key} is not a TrainingRequest field`);
        count('typescript');
      } else if (block.lang === 'ini') {
        problems.push(...checkUnitDropIn(block.code, where));
        count('unit drop-ins');
      } else if (block.lang === 'python') {
        // Not run here (it needs a fitted potential): each call must be one the e2e test makes on a
        // published version, and the files it reads must be published ones.
        const e2e = read('test/e2e/active-set.test.ts');
        for (const line of block.code
          .split('\n')
          .map((l) => l.replace(/#.*$/, '').trim())
          .filter(Boolean)) {
          const indexes = line.match(/\["\w+"\]/g) ?? [];
          const code = line.replace(/"[^"]*"/g, '""');
          const calls = line.startsWith('from ')
            ? [line]
            : [...indexes, ...(code.match(/[A-Za-z_]\w*(?=\()|\.[A-Za-z_]\w*/g) ?? [])];
          for (const call of calls)
            if (!e2e.includes(call))
              problems.push(`${where}: test/e2e/active-set.test.ts never runs ${call}`);
        }
        problems.push(...checkPublishedNames(block.code, where));
        count('python');
      } else if (block.lang === '' && /^pair_style/m.test(block.code)) {
        // LAMMPS input: the e2e test runs every one on a published version (documentedLammpsInputs); here,
        // the files it reads must be those a version publishes.
        if (!read('test/e2e/active-set.test.ts').includes('documentedLammpsInputs()'))
          problems.push(`${where}: test/e2e/active-set.test.ts no longer runs the documented LAMMPS inputs`);
        problems.push(...checkPublishedNames(block.code, where));
        count('lammps');
      } else if (block.lang === '' && block.heading === 'The moving parts') {
        // The README's map: every workflow and activity it names is one the worker registers.
        for (const [name] of block.code.matchAll(/\b[a-z]+[A-Z]\w*\b/g))
          if (!WORKFLOWS.includes(name)) typeInput.activities.push({ name, where });
        count('diagrams');
      } else if (block.lang === '' && block.heading === 'Layout') {
        count('layout'); // the repository map, kept by hand (docs/design.md, "Layout")
      } else if (block.lang === '' && /^\s*(\w+\(|[├└│]|[a-z]\w+ \()/m.test(block.code)) {
        // A workflow diagram: the workflow, its activities and the files they write.
        for (const m of block.code.matchAll(/^(\w+)\(/gm))
          if (!WORKFLOWS.includes(m[1]!)) problems.push(`${where}: ${m[1]} is not a workflow`);
        const names = [
          ...[...block.code.matchAll(/[├└]─+\s*(?:finally:\s*)?([a-z]\w+)/g)].map((m) => m[1]!),
          ...[...block.code.matchAll(/^([a-z]\w+) \(/gm)].map((m) => m[1]!),
        ];
        names.forEach((name) => typeInput.activities.push({ name, where }));
        for (const m of block.code.matchAll(/([\w-]+)@<MLIP_HOST_ID>/g))
          if (m[1] !== DEFAULT_TASK_QUEUE)
            problems.push(`${where}: the host queue is ${DEFAULT_TASK_QUEUE}@<MLIP_HOST_ID>`);
        problems.push(...checkArtefactNames(block.code, where));
        count('diagrams');
      } else problems.push(`${where}: a \`\`\`${block.lang} block nobody checks`);
    }

    for (const span of inlineSpans(doc)) {
      const where = `${span.file} \`${span.code}\``;
      // The CLI table: the first column omits `mlip-train`; a flag in the second is the row's command's.
      const cliRow = span.table && /^\|\s*command\s*\|/.test(span.table.header) ? span.table : undefined;
      const rowCommand = cliRow && /^[a-z-]+( [a-z]+)*/.exec(cliRow.row[0]!.replace(/`/g, ''))?.[0];
      const code =
        cliRow?.column === 0
          ? `mlip-train ${span.code}`
          : cliRow && span.code.startsWith('--')
            ? `mlip-train ${rowCommand} ${span.code}`
            : span.code;
      if (
        /^((npx )?mlip-train |npm (run|test)\b|temporal (workflow|operator) |\.\/temporal-dev\.sh |node |(sudo )?(systemctl|journalctl|sbatch|scancel) )/.test(
          splitAssignments(code).rest,
        )
      ) {
        const found = await checkCommand(code, where);
        if (found === undefined) problems.push(`${where}: no check for this command`);
        else problems.push(...found);
        count('inline commands');
      }
      for (const m of code.matchAll(/\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b(?:=(\S+))?/g)) {
        problems.push(...checkVariableNamed(m[1]!, where));
        if (m[2]) problems.push(...checkEnvValue(m[1]!, m[2], where));
        count('variables');
      }
      if (REPO_PATH.test(code)) {
        problems.push(...checkRepoPath(code, where));
        count('paths');
      }
      if (
        /^(Invalid\w+|Empty\w+|\w+(Failed|Busy|Unavailable|Killed|Misconfigured|ShuttingDown))$/.test(code)
      ) {
        if (!Object.values(FailureType).includes(code as FailureType))
          problems.push(`${where}: ${code} is not a failure type in src/api/failures.ts`);
        count('failure types');
      }
      if (/^\{"campaign": "/.test(code)) {
        const message = checkWorkflowInput('trainPotential', JSON.parse(code));
        if (message) problems.push(`${where}: the request is refused: ${message}`);
        count('json');
      }
      if (/^\w+='[^']*'$/.test(code)) {
        problems.push(...checkListQuery(code, where));
        count('list queries');
      }
      if (/^\{"phase"/.test(code)) {
        problems.push(...checkProgressExample(code, where));
        count('progress');
      }
      if (/^\{potentialPath\b/.test(code)) {
        typeInput.shapes.push({ type: 'api.TrainingResult', shape: code, where });
        count('shapes');
      }
      if (/^scoreCandidates\(\{/.test(code)) {
        problems.push(...checkScoringShape(code, where));
        count('shapes');
      }
    }

    const text = prose(doc);
    for (const m of text.matchAll(/`(Mlip\w+)`\s+\((\w+)\)/g)) {
      const type = SEARCH_ATTRIBUTES[m[1] as keyof typeof SEARCH_ATTRIBUTES];
      if (type !== m[2])
        problems.push(`${doc.file}: search attribute ${m[1]} is ${type ?? 'not registered'}, not ${m[2]}`);
      count('search attributes');
    }
    for (const m of text.matchAll(/Phases[^:]*:([^.]*\))/g)) {
      const shown = [...m[1]!.matchAll(/`([a-z-]+)`/g)].map((p) => p[1]);
      if (shown.join(' ') !== TRAINING_PHASES.join(' '))
        problems.push(
          `${doc.file}: the phases are ${TRAINING_PHASES.join(', ')}; shown: ${shown.join(', ')}`,
        );
      count('phases');
    }
    for (const m of text.matchAll(/^A published version[\s\S]*?\n\n/gm)) {
      problems.push(...checkPublishedParagraph(m[0], doc.file));
      count('published files');
    }
  }

  problems.push(...typeCheck(typeInput));
  problems.push(...checkLinks(docs));
  return { problems, counts };
}

function checkPublishedNames(code: string, where: string): Problems {
  const published = new Set<string>(Object.values(PUBLISHED_FILES));
  return [...code.matchAll(/\b[\w-]+\.(?:yaml|yace|asi)\b/g)]
    .map((m) => m[0])
    .filter((name) => !published.has(name))
    .map((name) => `${where}: ${name} is not a file a published version holds (PUBLISHED_FILES)`);
}

function checkPublishedParagraph(paragraph: string, file: string): Problems {
  const named = new Set([...paragraph.matchAll(/`([\w.-]+\/?)`/g)].map((m) => m[1]!));
  const published = [...Object.values(PUBLISHED_FILES), `${PUBLISHED_FIGURES_DIR}/`];
  const problems = published
    .filter((f) => !named.has(f))
    .map((f) => `${file}: the published-version paragraph does not name ${f}`);
  for (const name of named)
    if (/\.\w+$|\/$/.test(name) && !published.includes(name))
      problems.push(`${file}: a published version holds no ${name}`);
  return problems;
}

function checkProgressExample(code: string, where: string): Problems {
  const elided = [...code.matchAll(/"(\w+)": \{\.\.\.\}/g)].map((m) => m[1]!);
  const json = code.replace(/,\s*"\w+": \{\.\.\.\}/g, '');
  const parsed = TrainingProgressSchema.safeParse(JSON.parse(json));
  const problems: Problems = parsed.success ? [] : [`${where}: ${parsed.error.message}`];
  const value = JSON.parse(json) as Record<string, unknown>;
  for (const key of [...Object.keys(value), ...elided])
    if (!(key in TrainingProgressSchema.shape)) problems.push(`${where}: progress has no field ${key}`);
  for (const key of Object.keys((value.latest as object | undefined) ?? {}))
    if (!(key in FitMetricsSchema.shape)) problems.push(`${where}: fit metrics have no field ${key}`);
  return problems;
}

/** `scoreCandidates({potentialId, campaign, generation?, topK = 10})`: the fields, the optional ones, the defaults. */
function checkScoringShape(code: string, where: string): Problems {
  const problems: Problems = [];
  const shape = ScoringRequestSchema.shape;
  const fields = [...code.matchAll(/(\w+)(\?)?(?:\s*=\s*(\w+))?\s*[,}]/g)];
  for (const [, name, optional, fallback] of fields) {
    if (!(name! in shape)) {
      problems.push(`${where}: the scoring request has no field ${name}`);
      continue;
    }
    const field = shape[name as keyof typeof shape];
    if ((optional !== undefined || fallback !== undefined) !== field.safeParse(undefined).success)
      problems.push(`${where}: ${name} is ${field.safeParse(undefined).success ? 'optional' : 'required'}`);
    if (fallback !== undefined && String(field.parse(undefined)) !== fallback)
      problems.push(`${where}: ${name} defaults to ${String(field.parse(undefined))}`);
  }
  for (const name of Object.keys(shape))
    if (!fields.some((f) => f[1] === name))
      problems.push(`${where}: the scoring request's ${name} is not shown`);
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Tables of the docs: the request (docs/data-contracts.md), TrainerParams (docs/trainer-params.md) and the
// CLI (README).

function checkRequestTable(text: string): Problems {
  const rows = tableRows(text, 'field');
  const problems: Problems = [];
  const parsed = parseTrainingRequest({ campaign: 'c' });
  if (!parsed.ok) return ['a minimal request does not parse'];
  const resolved = parsed.request as unknown as Record<string, unknown>;
  const at = (dotted: string) =>
    dotted.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], resolved);
  for (const [fieldCell, defaultCell] of rows) {
    const field = /`([\w.]+)`/.exec(fieldCell!)?.[1] ?? '';
    const [top, inner] = field.split('.') as [string, string | undefined];
    const schema = TrainingRequestSchema.shape[top as keyof typeof TrainingRequestSchema.shape];
    const innerShape =
      schema && 'unwrap' in schema ? (schema.unwrap() as { shape?: object }).shape : undefined;
    if (!schema || (inner !== undefined && !(innerShape && inner in innerShape))) {
      problems.push(`request table: ${field} is not a TrainingRequest field`);
      continue;
    }
    const shown = /^`(.*)`$/.exec(defaultCell!)?.[1];
    const actual = at(field);
    if (defaultCell === 'required') {
      if (schema.safeParse(undefined).success) problems.push(`request table: ${field} is not required`);
    } else if (shown === undefined) {
      if (actual !== undefined)
        problems.push(`request table: ${field} defaults to ${JSON.stringify(actual)}`);
    } else {
      const expected =
        field.startsWith('limits.') && shown.startsWith('"')
          ? DurationSchema.parse(JSON.parse(shown))
          : JSON.parse(shown);
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        problems.push(`request table: ${field} defaults to ${JSON.stringify(actual)}, not ${shown}`);
    }
  }
  return problems;
}

function checkTrainerTable(text: string): Problems {
  const fields = new Set(explainTrainerParams().map((e) => e.field));
  const shown = new Set<string>();
  const problems: Problems = [];
  for (const [cell] of tableRows(text, 'TrainerParams field')) {
    const names = [...cell!.matchAll(/`([\w./]+)`/g)].map((m) => m[1]!);
    const first = names[0];
    if (first === undefined) continue; // "(the dataset)"
    const expanded = names.flatMap((n, i) => {
      const full = i > 0 && n.startsWith('.') ? first.replace(/\.\w+$/, '') + n : n;
      const slash = /^(.*\.)(\w+(?:\/\w+)+)$/.exec(full); // w0/w1/w2
      return slash ? slash[2]!.split('/').map((leaf) => slash[1]! + leaf) : [full];
    });
    for (const name of expanded) {
      shown.add(name);
      if (!fields.has(name)) problems.push(`TrainerParams table: ${name} is not a TrainerParams field`);
    }
  }
  for (const field of fields)
    if (!shown.has(field)) problems.push(`TrainerParams table: ${field} has no row`);
  return problems;
}

function checkCliTable(readme: string): Problems {
  const rows = tableRows(readme, 'command').map((r) => /`([a-z-]+)/.exec(r[0]!)?.[1]);
  return registeredCommands()
    .filter((c) => !rows.includes(c.name))
    .map((c) => `CLI table: mlip-train ${c.name} has no row`);
}

// ---------------------------------------------------------------------------------------------------------

const DOCS = loadDocs();
const README = DOCS[0]!.text;
const docText = (file: string) => DOCS.find((d) => d.file === file)!.text;
const REQUEST_DOC = docText('docs/data-contracts.md');
const TRAINER_DOC = docText('docs/trainer-params.md');

describe('the README and docs/ show only what the code does', () => {
  let report: Report;
  beforeAll(async () => {
    report = await checkDocs(DOCS);
  }, 60_000);

  test('every block, command, example, path and link checks out', () => {
    expect(report.problems).toEqual([]);
  });

  test('the checkers found their material', () => {
    // Guards against a checker that silently stops matching (a reworded heading, a new notation).
    expect(report.counts).toMatchObject({
      json: 3, // the calculation and candidate documents, the warm-start request
      typescript: 1,
      python: 1,
      lammps: 2,
      diagrams: 3, // docs/design.md's two workflow diagrams and the README's map of the moving parts
      phases: 1, // docs/design.md's list, in order
      progress: 1,
      'published files': 1,
      'list queries': 2,
      shapes: 3,
      'unit drop-ins': 1,
    });
    expect(report.counts['commands']).toBeGreaterThanOrEqual(15);
    expect(report.counts['inline commands']).toBeGreaterThanOrEqual(80);
    expect(report.counts['paths']).toBeGreaterThanOrEqual(40);
    expect(report.counts['variables']).toBeGreaterThanOrEqual(50);
    expect(report.counts['failure types']).toBeGreaterThanOrEqual(15);
    expect(report.counts['search attributes']).toBeGreaterThanOrEqual(5);
  });

  test('the request table names only TrainingRequest fields, with their defaults', () => {
    expect(checkRequestTable(REQUEST_DOC)).toEqual([]);
  });

  test('the TrainerParams table names every field and nothing else', () => {
    expect(checkTrainerTable(TRAINER_DOC)).toEqual([]);
  });

  test('the CLI table lists every command', () => {
    expect(checkCliTable(README)).toEqual([]);
  });

  test("CI runs exactly the README's test command", () => {
    const block = fencedBlocks(DOCS[0]!).find((b) => b.heading === 'Two commands' && b.lang === 'bash');
    const testCommand = commandLines(block?.code ?? '').find((l) => /^npm (run )?test\b/.test(l));
    // CI may do more around it (report timings), but the npm command it runs is the README's.
    const ciNpm = commandLines(read('.ci/run')).filter((l) => /^npm\b/.test(l));
    expect(testCommand).toBe('npm test');
    expect(ciNpm).toEqual([testCommand]);
  });

  test('the demo the README describes is the one scripts/demo.sh runs', () => {
    const demo = read('scripts/demo.sh');
    const section = README.slice(README.indexOf('## Two commands'), README.indexOf('## Starting'));
    const count = /seed-demo --labeller (\S+) --count (\d+)/.exec(section);
    const start = /start --campaign (\S+) --max-iterations (\d+)/.exec(section);
    expect(count && start).toBeTruthy();
    expect(demo).toContain(`DEMO_LABELLER:-${count![1]}`);
    expect(demo).toContain(`DEMO_STRUCTURES:-${count![2]}`);
    expect(demo).toContain(`DEMO_ITERATIONS:-${start![2]}`);
    expect(demo).toMatch(new RegExp(`${count![1]}\\) default_campaign=${start![1]}`));
  });
});

describe('the checks fail when the docs and the code disagree', () => {
  // Each case edits a copy of the real text (never the code) and expects the checkers to name the mismatch.
  type Edit = [file: string, from: string, to: string];
  const edited = (...edits: Edit[]): Doc[] =>
    DOCS.map((d) => {
      let text = d.text;
      for (const [file, from, to] of edits) {
        if (file !== d.file) continue;
        expect([file, text.includes(from)]).toEqual([file, true]); // the edit must hit real text
        text = text.replace(from, to);
      }
      return { file: d.file, text };
    });
  const expectProblems = async (edits: Edit[], expected: RegExp[]) =>
    expect((await checkDocs(edited(...edits))).problems).toEqual(
      expect.arrayContaining(expected.map((r) => expect.stringMatching(r))),
    );

  test('a renamed mlip-train flag, sub-command or flag value', async () => {
    await expectProblems(
      [
        [
          'README.md',
          'start --campaign demo-si --max-iterations 100 --wait',
          'start --campaign demo-si --max-iters 100 --wait',
        ],
        [
          'docs/data-contracts.md',
          '`mlip-train dataset export --campaign C',
          '`mlip-train dataset write --campaign C',
        ],
        [
          'README.md',
          'mlip-train seed-demo --labeller kumagai-si ',
          'mlip-train seed-demo --labeller kumagai ',
        ],
        ['README.md', '(`--out FILE.extxyz`)', '(`--output FILE.extxyz`)'],
      ],
      [
        /'mlip-train start --help' does not list --max-iters/,
        /mlip-train dataset needs 'export'/,
        /--labeller takes emt \| kumagai-si \| erhart-albe-sic, not 'kumagai'/,
        /'mlip-train dataset --help' does not list --output/,
      ],
    );
  }, 60_000);

  test('a wrong workflow type, task queue and query name', async () => {
    await expectProblems(
      [
        [
          'README.md',
          '--type trainPotential --task-queue mlip-training',
          '--type trainPotentials --task-queue mlip-train',
        ],
        ['README.md', '--name progress', '--name status'],
        [
          'README.md',
          "WorkflowType='trainPotential' AND MlipCampaign=",
          "WorkflowType='trainPotential' AND Campaign=",
        ],
      ],
      [
        /--type trainPotentials is not a workflow/,
        /--task-queue mlip-train is not mlip-training/,
        /the query is 'progress', not 'status'/,
        /Campaign is not a registered search attribute/,
      ],
    );
  }, 60_000);

  (fs.existsSync(INSTALLED.temporal) ? test : test.skip)(
    'a temporal flag its --help does not list',
    async () => {
      await expectProblems(
        [
          [
            'README.md',
            'temporal workflow describe --workflow-id train-si-1',
            'temporal workflow describe --workflow train-si-1',
          ],
        ],
        [/'temporal workflow describe --help' does not list --workflow$/],
      );
    },
    60_000,
  );

  test('a request the workflow would refuse', async () => {
    await expectProblems(
      [
        ['README.md', '"maxIterations": 30', '"maxIteration": 30'],
        ['docs/active-learning.md', '"initialPotential": "si-loop@v3"', '"initialPotential": "si-loop-3"'],
      ],
      [/--input is refused: .*maxIteration/s, /the request is refused: .*initialPotential/s],
    );
  }, 60_000);

  test('a renamed field in the calculations and candidates examples', async () => {
    await expectProblems(
      [
        ['docs/data-contracts.md', '"forces": [0.01', '"force": [0.01'],
        ['docs/data-contracts.md', '"gammaMax": 7.3', '"gamma": 7.3'],
      ],
      [/the calculation is refused: .*forces/s, /the candidate's score breaks the contract/],
    );
  }, 60_000);

  test('a renamed field in the TypeScript snippet, its comments and the shapes shown in prose', async () => {
    await expectProblems(
      [
        ['README.md', 'selectForDft: 50', 'selectForDFT: 50'],
        ['README.md', "training: { campaign: 'si-loop'", "training: { campaigns: 'si-loop'"],
        [
          'docs/data-contracts.md',
          'The result is `{potentialPath, potentialId,',
          'The result is `{potentialPath, registryId,',
        ],
        ['docs/active-learning.md', 'generation?, topK = 10})', 'generation?, topK = 20})'],
      ],
      [
        /selectForDFT' does not exist/,
        /training\.campaigns is not a TrainingRequest field/,
        /\(registryId\): Property 'registryId' does not exist on type 'TrainingResult'/,
        /topK defaults to 10/,
      ],
    );
    // A field of the round's result, named only in a comment (the call itself type-checks).
    await expectProblems(
      [['README.md', '// round.nextInitialPotential:', '// round.nextPotential:']],
      [/Property 'nextPotential' does not exist/],
    );
  }, 60_000);

  test('request, TrainerParams and CLI tables with a renamed field or command', () => {
    expect(
      checkRequestTable(REQUEST_DOC.replace('| `limits.maxHostAttempts` ', '| `limits.maxHosts`        ')),
    ).toEqual(
      expect.arrayContaining([expect.stringMatching(/limits\.maxHosts is not a TrainingRequest field/)]),
    );
    expect(
      checkRequestTable(REQUEST_DOC.replace(/(\| `limits\.trainingTimeout` +\| )`"72h"`/, '$1`"24h"`')),
    ).toEqual(['request table: limits.trainingTimeout defaults to 259200000, not "24h"']);
    expect(
      checkTrainerTable(TRAINER_DOC.replace('| `backend.displayStep` ', '| `backend.displaySteps`')),
    ).toEqual([
      'TrainerParams table: backend.displaySteps is not a TrainerParams field',
      'TrainerParams table: backend.displayStep has no row',
    ]);
    expect(checkCliTable(README.replace('| `label-demo --campaign', '| `label --campaign'))).toEqual([
      'CLI table: mlip-train label-demo has no row',
    ]);
  });

  test('a stale path, link, anchor, variable, phase list and failure type', async () => {
    await expectProblems(
      [
        ['docs/operations.md', 'one way (`src/temporal/`)', 'one way (`src/temporals/`)'],
        ['docs/setup.md', '(design.md#versioning)', '(design.md#versions)'],
        [
          'README.md',
          '[docs/trainer-params.md](docs/trainer-params.md)',
          '[docs/trainer.md](docs/trainer.md)',
        ],
        ['docs/design.md', '`MLIP_DRAIN_SECONDS` (default 60)', '`MLIP_DRAIN_SECS` (default 60)'],
        ['docs/design.md', '`publishing`, `cleaning-up`,', '`publishing`,'],
        ['docs/troubleshooting.md', '| `TrainingFailed`', '| `TrainingHasFailed`'],
      ],
      [
        /src\/temporals\/ does not exist/,
        /docs\/design\.md has no heading #versions/,
        /docs\/trainer\.md does not exist/,
        /nothing in the repository reads MLIP_DRAIN_SECS/,
        /the phases are .*cleaning-up/,
        /TrainingHasFailed is not a failure type/,
      ],
    );
  }, 60_000);

  test('a bench, npm script, published file or search attribute that does not exist', async () => {
    await expectProblems(
      [
        ['docs/benchmarks.md', '`npm run bench -- score [--sizes', '`npm run bench -- scoring [--sizes'],
        ['docs/benchmarks.md', '[--heap-mb 128]`', '[--heap 128]`'],
        ['docs/design.md', 'npm run record-histories`', 'npm run record`'],
        ['docs/data-contracts.md', 'holds `potential.yace`,', 'holds `potential.ace`,'],
        [
          'docs/active-learning.md',
          '* * output_potential.yaml potential.asi Si',
          '* * output.yaml potential.asi Si',
        ],
        ['docs/setup.md', '`MlipDatasetSize` (Int)', '`MlipDatasetSize` (Keyword)'],
        [
          'docs/active-learning.md',
          'calc.set_active_set("potential.asi")',
          'calc.set_activeset("potential.asi")',
        ],
      ],
      [
        /bench\/main\.ts has no bench 'scoring'/,
        /bench fetch \(bench\/fetch\.ts\) does not parse --heap\b/,
        /package\.json has no script 'record'/,
        /does not name potential\.yace/,
        /output\.yaml is not a file a published version holds/,
        /MlipDatasetSize is Int, not Keyword/,
        /test\/e2e\/active-set\.test\.ts never runs \.set_activeset/,
      ],
    );
  }, 60_000);

  test('a unit, batch script, copied file or drop-in key that deploy/ does not have', async () => {
    await expectProblems(
      [
        [
          'docs/operations.md',
          'enable --now mlip-worker@0 mlip-worker@1',
          'enable --now mlip-workers@0 mlip-worker@1',
        ],
        ['docs/operations.md', 'journalctl -u mlip-worker@0 -f', 'journalctl -u mlip-trainer@0 -f'],
        ['docs/operations.md', 'sbatch deploy/slurm/mlip-worker.sbatch', 'sbatch deploy/slurm/worker.sbatch'],
        [
          'docs/operations.md',
          'sudo cp deploy/systemd/mlip-worker@.service',
          'sudo cp deploy/mlip-worker@.service',
        ],
        ['docs/operations.md', 'TimeoutStopSec=360s', 'TimeoutStopSecs=360s'],
        ['docs/operations.md', 'scancel --batch --signal=TERM', 'scancel --signal=TERM --full'],
      ],
      [
        /mlip-workers@0 is no unit of deploy\/systemd/,
        /mlip-trainer@0 is no unit of deploy\/systemd/,
        /deploy\/slurm\/worker\.sbatch does not exist/,
        /deploy\/mlip-worker@\.service does not exist/,
        /sets no TimeoutStopSecs in \[Service\]/,
        /no check for scancel --full/,
      ],
    );
  }, 60_000);

  test('a block nobody checks, and a command nobody checks', async () => {
    await expectProblems(
      [
        [
          'docs/setup.md',
          '## Local services\n',
          '## Local services\n\n```yaml\na: 1\n```\n\n```bash\nmake install\n```\n',
        ],
      ],
      [/a ```yaml block nobody checks/, /no check for the command 'make install'/],
    );
  }, 60_000);
});
