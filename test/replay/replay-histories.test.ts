/**
 * Every recorded history (test/fixtures/histories/<label>/) replays against today's workflow code: a change
 * that would break determinism for a training in flight fails here, before any worker runs it. The
 * fixtures are real runs (test/replay/record-histories.recorder.ts); how to add a set: docs/design.md,
 * "Versioning".
 */
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import path from 'node:path';
import { loadHistoryFixtures, type HistoryFixture } from './history-fixtures';
import { bundleWorkflows, workflowBundle } from '../harness/workflow-bundle';

const fixtures = loadHistoryFixtures();
let bundle: WorkflowBundle;
beforeAll(async () => {
  bundle = await workflowBundle();
});

async function replay(workflowBundle: WorkflowBundle, list: HistoryFixture[]) {
  const outcomes: { fixture: string; error?: Error }[] = [];
  const results = Worker.runReplayHistories(
    { workflowBundle, replayName: 'replay-fixtures' },
    list.map((f) => ({ workflowId: f.workflowId, history: f.history })),
  );
  for await (const result of results) outcomes.push({ fixture: result.workflowId, error: result.error });
  return outcomes;
}

test('the fixtures cover every way a training ends, for each recorded build', () => {
  const labels = [...new Set(fixtures.map((f) => f.label))];
  expect(labels.length).toBeGreaterThanOrEqual(1);
  for (const label of labels) {
    const scenarios = fixtures.filter((f) => f.label === label).map((f) => f.scenario);
    expect(scenarios).toEqual(
      expect.arrayContaining([
        'completed',
        'cancelled',
        'failed-training',
        'invalid-request',
        'resumed-after-worker-crash',
        'host-lost',
        'committee',
        'committee-member-0',
        'active-learning-round',
        'score-candidates',
      ]),
    );
  }
});

test('every recorded history replays against the current workflow code', async () => {
  const outcomes = await replay(bundle, fixtures);
  expect(outcomes.map((o) => o.fixture).sort()).toEqual(fixtures.map((f) => f.workflowId).sort());
  // One line per failure, naming the fixture: what a developer needs to see which run their change breaks.
  expect(
    outcomes.filter((o) => o.error).map((o) => `${o.fixture}: ${o.error!.message.split('\n')[0]}`),
  ).toEqual([]);
}, 120_000);

test('replay catches a change that is not deterministic (a workflow that schedules another first step)', async () => {
  // A stand-in trainPotential whose first command differs from every recorded run's: the replayer must say so,
  // or the test above proves nothing.
  const divergent = await bundleWorkflows(path.join(__dirname, '..', 'fixtures', 'divergent-workflows.ts'));
  const completed = fixtures.filter((f) => f.scenario === 'completed');
  expect(completed.length).toBeGreaterThanOrEqual(1);
  const outcomes = await replay(divergent, completed);
  expect(outcomes).toHaveLength(completed.length);
  for (const o of outcomes) expect(o.error).toBeInstanceOf(DeterminismViolationError);
}, 120_000);
