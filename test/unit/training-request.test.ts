import fs from 'node:fs';
import path from 'node:path';
import { parseTrainingRequest, TrainingRequestSchema } from '../../src/api/training-request';
import { PathSafeNameSchema } from '../../src/api/names';
import { workspaceName } from '../../src/artefact-names';

describe('TrainingRequest validation', () => {
  test('a minimal request gets every default', () => {
    const parsed = parseTrainingRequest({ campaign: 'cu-2026' });
    expect(parsed).toEqual({
      ok: true,
      request: {
        campaign: 'cu-2026',
        selection: {},
        invalidRecords: 'fail',
        trainer: {},
        limits: {
          trainingTimeout: 72 * 3_600_000,
          heartbeatTimeout: 120_000,
          hostStartTimeout: 600_000,
          maxHostAttempts: 3,
        },
      },
    });
  });

  test.each([
    [
      'durations in words',
      { limits: { trainingTimeout: '7d', heartbeatTimeout: '90s' } },
      { trainingTimeout: 7 * 86_400_000, heartbeatTimeout: 90_000 },
    ],
    ['durations in milliseconds', { limits: { hostStartTimeout: 5000 } }, { hostStartTimeout: 5000 }],
  ])('accepts %s', (_label, extra, limits) => {
    const parsed = parseTrainingRequest({ campaign: 'c', ...extra });
    expect(parsed.ok && parsed.request.limits).toMatchObject(limits);
  });

  test.each([
    [{}, 'campaign'],
    [{ campaign: '' }, 'campaign'],
    [{ campaign: 'c', selection: { limit: 0 } }, 'selection.limit'],
    [{ campaign: 'c', selection: { maxForce: -1 } }, 'selection.maxForce'],
    [{ campaign: 'c', selection: { elemnts: ['Cu'] } }, 'selection.elemnts: unknown field'],
    [{ campaign: 'c', invalidRecords: 'ignore' }, 'invalidRecords'],
    [{ campaign: 'c', potentialName: '../x' }, 'potentialName'],
    [{ campaign: 'c', potentialName: 'a/b' }, 'potentialName'],
    [{ campaign: 'c', potentialName: '.hidden' }, 'potentialName'],
    [
      { campaign: 'runs/2026' },
      'potentialName: required because the campaign name "runs/2026" cannot be used',
    ],
    [{ campaign: 'c', limits: { trainingTimeout: 'forever' } }, 'limits.trainingTimeout'],
    [{ campaign: 'c', limits: { maxHostAttempts: 0 } }, 'limits.maxHostAttempts'],
    [{ campaign: 'c', mongodbUri: 'mongodb://x' }, 'mongodbUri: unknown field'],
  ])('refuses %j, naming %s', (input, named) => {
    const parsed = parseTrainingRequest(input);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(named);
  });
});

describe('names that become paths', () => {
  test.each(['Cu-demo', 'cu_2026.v2', 'A1'])('accepts %s', (name) => {
    expect(PathSafeNameSchema.safeParse(name).success).toBe(true);
  });
  test.each(['', '..', '.', 'a/b', 'a\\b', '.x', 'x y', 'é'])('refuses %j', (name) => {
    expect(PathSafeNameSchema.safeParse(name).success).toBe(false);
  });
  test('workspace names are path-safe, distinct per host attempt, and stable', () => {
    const a = workspaceName('train/../cu 1', '0123456789abcdef', 1);
    expect(a).toBe('train_.._cu_1--01234567--h1');
    expect(PathSafeNameSchema.safeParse(a).success).toBe(true);
    expect(workspaceName('train/../cu 1', '0123456789abcdef', 2)).not.toBe(a);
    expect(workspaceName('..', 'r', 1)).toBe('_--r--h1');
  });
});

describe("docs/data-contracts.md's request table", () => {
  test('has a row for every TrainingRequest field (nested ones as selection.x, limits.x)', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'data-contracts.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## The request'), doc.indexOf('## What a training publishes'));
    expect(section.length).toBeGreaterThan(1000);
    const rows = new Set([...section.matchAll(/^\| `([A-Za-z.]+)`/gm)].map((m) => m[1]));
    const fields = Object.entries(TrainingRequestSchema.shape).flatMap(([key, schema]) => {
      const inner = 'unwrap' in schema ? (schema as { unwrap(): unknown }).unwrap() : schema;
      const shape = (inner as { shape?: Record<string, unknown> }).shape;
      return shape && key !== 'trainer' ? Object.keys(shape).map((k) => `${key}.${k}`) : [key];
    });
    expect(fields.filter((f) => !rows.has(f))).toEqual([]);
    expect(fields.length).toBeGreaterThan(10);
  });
});
