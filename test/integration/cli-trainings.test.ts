/**
 * The training commands of mlip-train, run in-process against the real Temporal and MongoDB-wire servers,
 * with real workers and a real (tiny) pacemaker fit.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main';
import type { Env } from '../../src/config/env';
import { progressQuery } from '../../src/api/training-messages';
import {
  seedCampaign,
  startWorkers,
  testEnv,
  TINY_TRAINER,
  waitFor,
  workspacesLeft,
  type RunningWorkers,
} from '../harness/training-env';
import { scratchDir } from '../harness/context';

let env: Env;
let running: RunningWorkers;
let dir: string;

function fakeIo(overrides: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
    env: {
      TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE,
      MLIP_TASK_QUEUE: env.MLIP_TASK_QUEUE,
      MONGODB_URI: env.MONGODB_URI,
      MLIP_DB: env.MLIP_DB,
      ...overrides,
    } as NodeJS.ProcessEnv,
  };
  return { io, out, err, stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}

async function cli(args: string[], overrides: Record<string, string> = {}) {
  const t = fakeIo(overrides);
  const code = await main(args, t.io);
  return { code, out: t.out, stdout: t.stdout(), stderr: t.stderr() };
}

beforeAll(async () => {
  env = testEnv();
  dir = scratchDir('cli-trainings');
  await seedCampaign(env, 'cu-cli', 8);
  running = await startWorkers(env);
});
afterAll(async () => {
  await running?.stop();
});

const trainerFile = () => {
  const file = path.join(dir, 'tiny-trainer.json');
  fs.writeFileSync(file, JSON.stringify(TINY_TRAINER));
  return file;
};

/** A tiny fit takes seconds alone, but the suite's other fits share two cores. */
const FIT_TIMEOUT_MS = 300_000;

let completedId: string;

test(
  'start --wait runs a training to the end: id and Web UI link, progress lines, then the .yace, RMSEs and registry id',
  async () => {
    completedId = `cli-start-${randomUUID().slice(0, 8)}`;
    const r = await cli(
      ['start', '--campaign', 'cu-cli', '--trainer', trainerFile(), '--workflow-id', completedId, '--wait'],
      { TEMPORAL_UI_URL: 'http://ui.example:8080/' },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe(
      `started ${completedId} (train cu-cli on cu-cli, task queue ${env.MLIP_TASK_QUEUE})`,
    );
    expect(r.stdout).toContain(`http://ui.example:8080/namespaces/default/workflows/${completedId}`);
    expect(r.stdout).toMatch(/^fitting +\[[#.]{20}\] +\d\/5 +loss \S+ +RMSE E \S+ meV\/atom +F \S+ meV\/Å/m);
    const yace = path.join(env.MLIP_POTENTIALS_DIR, 'cu-cli', 'v1', 'potential.yace');
    expect(r.stdout).toContain('completed: cu-cli@v1');
    expect(r.stdout).toContain(`  potential   ${yace}`);
    expect(r.stdout).toMatch(/ {2}train RMSE {2}\d+\.\d\d meV\/atom, \d+\.\d meV\/Å \(\d+ structures\)/);
    expect(r.stdout).toContain('  registry    cu-cli@v1');
    const curve = path.join(path.dirname(yace), 'learning-curve.svg');
    expect(r.stdout).toContain(`  curve       ${curve}`);
    expect(fs.readFileSync(curve, 'utf8')).toContain('data-series="rmse-forces"');
    // Not a TTY: a line is printed only when it changed.
    r.out.forEach((line, i) => expect(line).not.toBe(r.out[i - 1]));
  },
  FIT_TIMEOUT_MS,
);

test(
  'watch follows a training started without --wait, printing a line only when something changed, and ends with the result',
  async () => {
    const s = await cli([
      'start',
      '--campaign',
      'cu-cli',
      '--potential-name',
      'cu-watch',
      '--trainer',
      trainerFile(),
      '--json',
    ]);
    expect(s.code).toBe(0);
    const started = JSON.parse(s.stdout) as { workflowId: string; runId: string; url: string };
    expect(started.workflowId).toMatch(/^train-cu-cli-\d{8}T\d{6}Z$/);
    expect(started.url).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${started.workflowId}`);

    const w = await cli(['watch', started.workflowId, '--interval', '0.3']);
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    w.out.forEach((line, i) => expect(line).not.toBe(w.out[i - 1]));
    expect(w.out.some((l) => /^fitting .* \d\/5 /.test(l))).toBe(true);
    expect(w.stdout).toContain('completed: cu-watch@v1');

    const again = await cli(['watch', started.workflowId, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      workflowId: started.workflowId,
      status: 'COMPLETED',
      result: { potentialId: 'cu-watch@v1', dataset: { structures: 8 } },
    });
  },
  FIT_TIMEOUT_MS,
);

test('status of a completed training shows its campaign, phase, dataset size and result; an unknown id exits 1', async () => {
  const r = await cli(['status', completedId]);
  expect(r.code).toBe(0);
  expect(r.out[0]).toBe(`${completedId}  COMPLETED`);
  expect(r.stdout).toContain('  campaign    cu-cli');
  expect(r.stdout).toContain('  phase       completed');
  expect(r.stdout).toContain('  dataset     8 structures');
  expect(r.stdout).toContain('completed: cu-cli@v1');

  const j = await cli(['status', completedId, '--json']);
  expect(JSON.parse(j.stdout)).toMatchObject({
    status: 'COMPLETED',
    campaign: 'cu-cli',
    datasetSize: 8,
    result: { potentialId: 'cu-cli@v1' },
  });

  const unknown = await cli(['status', 'no-such-training']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain("no workflow with id 'no-such-training'");
});

test('list --campaign shows that campaign’s trainings with status, phase and dataset size, and no others', async () => {
  const listed = await waitFor('the visibility store to list both trainings', async () => {
    const r = await cli(['list', '--campaign', 'cu-cli', '--json']);
    const rows = JSON.parse(r.stdout) as { workflowId: string; status: string; phase?: string }[];
    return rows.length >= 2 && rows.every((row) => row.status === 'COMPLETED' && row.phase === 'completed')
      ? rows
      : undefined;
  });
  expect(listed.map((r) => r.workflowId)).toContain(completedId);

  const table = await cli(['list', '--campaign', 'cu-cli']);
  expect(table.code).toBe(0);
  expect(table.out[0]).toMatch(/^WORKFLOW ID +STATUS +CAMPAIGN +PHASE +DATASET +STARTED \(UTC\)$/);
  expect(table.stdout).toMatch(new RegExp(`^${completedId} +COMPLETED +cu-cli +completed +8 +\\d{4}-`, 'm'));

  const none = await cli(['list', '--campaign', 'no-such-campaign', '--running']);
  expect(none.code).toBe(0);
  expect(none.stdout).toBe("no trainings of campaign 'no-such-campaign' running");
});

test(
  'cancel stops a running training; status then shows it cancelled; cancelling again says it is already closed',
  async () => {
    const workflowId = `cli-cancel-${randomUUID().slice(0, 8)}`;
    const s = await cli([
      'start',
      '--campaign',
      'cu-cli',
      '--potential-name',
      'cu-cancel',
      '--trainer',
      trainerFile(),
      '--max-iterations',
      '5000',
      '--workflow-id',
      workflowId,
    ]);
    expect(s.code).toBe(0);
    await waitFor(
      'the fit to start',
      async () => {
        const progress = await running.client.workflow
          .getHandle(workflowId)
          .query(progressQuery)
          .catch(() => undefined); // before a worker has taken the first workflow task
        return progress?.phase === 'fitting' ? true : undefined;
      },
      90_000,
    );

    const dup = await cli(['start', '--campaign', 'cu-cli', '--workflow-id', workflowId]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain(`'${workflowId}' is already running; nothing was started`);

    const running1 = await cli(['status', workflowId]);
    expect(running1.code).toBe(0);
    expect(running1.stdout).toMatch(/ {2}progress {4}fitting/);

    const c = await cli(['cancel', workflowId, '--wait']);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toContain(`${workflowId} cancelled; its workspace has been cleaned up`);
    expect(workspacesLeft(env)).toEqual([]);

    const st = await cli(['status', workflowId]);
    expect(st.code).toBe(1);
    expect(st.out[0]).toBe(`${workflowId}  CANCELLED`);
    expect(st.stdout).toContain('cancelled: cancelled');

    const w = await cli(['watch', workflowId]);
    expect(w.code).toBe(1);
    expect(w.stderr).toContain('was cancelled');

    const again = await cli(['cancel', workflowId]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`${workflowId} is already closed (CANCELLED); nothing to cancel`);
  },
  FIT_TIMEOUT_MS,
);

test('potentials lists the registry with RMSEs and paths; --show prints the learning curve, .yace and figures of a version', async () => {
  const r = await cli(['potentials']);
  expect(r.code).toBe(0);
  expect(r.out[0]).toMatch(/^ID +CAMPAIGN +STRUCTURES +TRAIN E\/F RMSE +TEST E\/F RMSE +YACE$/);
  const yace = path.join(env.MLIP_POTENTIALS_DIR, 'cu-cli', 'v1', 'potential.yace');
  expect(r.stdout).toMatch(
    new RegExp(`^cu-cli@v1 +cu-cli +8 +\\d+\\.\\d\\d / \\d+\\.\\d +- +${yace.replace(/[.]/g, '\\.')}$`, 'm'),
  );
  expect(r.stdout).toMatch(/^cu-watch@v1 /m);
  expect(r.stdout).not.toContain('cu-cancel');

  const filtered = await cli(['potentials', '--name', 'cu-watch', '--json']);
  expect((JSON.parse(filtered.stdout) as { _id: string }[]).map((p) => p._id)).toEqual(['cu-watch@v1']);

  for (const which of ['cu-cli', 'cu-cli@v1']) {
    const show = await cli(['potentials', '--show', which]);
    expect(show.code).toBe(0);
    const svg = /^learning curve {2}(\S+)$/m.exec(show.stdout)?.[1];
    expect(svg).toBe(path.join(path.dirname(yace), 'learning-curve.svg'));
    expect(fs.readFileSync(svg!, 'utf8')).toMatch(/^<\?xml[\s\S]*<\/svg>\n$/);
    expect(show.stdout).toContain(`potential       ${yace}`);
    // The active set is shown with the B-basis it is read with.
    expect(show.stdout).toContain(
      `active set      ${path.join(path.dirname(yace), 'potential.asi')}  (γ, with ${path.join(path.dirname(yace), 'output_potential.yaml')})`,
    );
    // pacemaker's own figures, published by the workflow.
    const figure = path.join(path.dirname(yace), 'report', 'train_EF-pairplots.png');
    expect(show.stdout).toMatch(
      new RegExp(`^figure +${figure.replace(/[.]/g, '\\.')} +.*parity plots.*\\(train\\)$`, 'm'),
    );
    expect(fs.statSync(figure).size).toBeGreaterThan(1000);
  }
  const missing = await cli(['potentials', '--show', 'cu-cli@v9']);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('no potential cu-cli@v9 in the registry');
});

test.each([
  { args: ['start'], says: '--campaign is required' },
  { args: ['start', '--campaign', 'cu-cli', '--limit', 'ten'], says: "--limit must be a number, got 'ten'" },
  {
    args: ['start', '--campaign', 'cu-cli', '--invalid-records', 'maybe'],
    says: '--invalid-records must be fail or skip',
  },
  { args: ['start', '--campaign', 'cu-cli', '--potential-name', '../x'], says: 'potentialName:' },
  { args: ['start', '--campaign', 'cu-cli', '--max-force=-1'], says: 'selection.maxForce:' },
  { args: ['start', '--campaign', 'cu-cli', '--bogus'], says: "'--bogus'" },
  { args: ['watch'], says: 'give exactly one WORKFLOW_ID' },
  { args: ['status', 'a', 'b'], says: 'give exactly one WORKFLOW_ID' },
  { args: ['list', '--limit', '0'], says: '--limit must be an integer >= 1' },
  { args: ['cancel'], says: 'give exactly one WORKFLOW_ID' },
  { args: ['potentials', '--show', 'x', '--name', 'y'], says: 'leave out --name' },
])('a command-line mistake exits 2 and names the flag: $args', async ({ args, says }) => {
  const r = await cli(args);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(says);
  expect(r.stderr).toContain(`Run 'mlip-train ${args[0]} --help' for usage.`);
});

test('every training command has --help with its options, environment and exit codes', async () => {
  for (const name of ['start', 'watch', 'status', 'list', 'cancel', 'potentials']) {
    const r = await cli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: mlip-train ${name}`));
    expect(r.stdout).toContain('Exit codes: 0');
    expect(r.stdout).toContain('Environment:');
  }
  expect((await cli(['start', '--help'])).stdout).toContain('TEMPORAL_UI_URL');
});

test('with Temporal unreachable, the commands exit 1 and say how to start it', async () => {
  // At once: each spends its ~4 s in the SDK's connection retries, waiting, not working.
  const commands = [['status', 'x'], ['list'], ['start', '--campaign', 'cu-cli']];
  const results = await Promise.all(commands.map((args) => cli(args, { TEMPORAL_ADDRESS: '127.0.0.1:9' })));
  for (const r of results) {
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'cannot connect to Temporal at 127.0.0.1:9: nothing answers there (ECONNREFUSED); check TEMPORAL_ADDRESS (for the dev server: ./temporal-dev.sh up)',
    );
  }
});
