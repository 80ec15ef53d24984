import { potentialFromRecords } from '../../activities/lookup-potential';
import { scorerArgs } from '../../activities/score-candidates';
import { decodeCandidate } from '../../src/candidates/candidate-schema';
import { candidateFilter } from '../../src/candidates/candidate-query';
import {
  gammaBand,
  parseScorerLine,
  ScorerProtocolError,
  ScoreTally,
  TopK,
  MAX_LISTED_FAILURES,
} from '../../src/candidates/scoring';
import { parseScoringRequest } from '../../src/api/scoring-request';
import type { ScoredCandidate } from '../../src/api/scoring-result';
import { formatScoringProgress, scoringRequestFromArgs } from '../../src/cli/commands/score';
import type { PotentialRecord } from '../../src/registry/potentials';

const cand = (
  id: string,
  gammaMax: number | null,
  committeeForceStd: number | null = null,
): ScoredCandidate => ({
  id,
  gammaMax,
  committeeForceStd,
});

describe("pacemaker's gamma bands", () => {
  test.each([
    [0, 'interpolation'],
    [0.99, 'interpolation'],
    [1, 'interpolation'],
    [1.0000001, 'extrapolation'],
    [5, 'extrapolation'],
    [5.01, 'unreliable'],
    [250, 'unreliable'],
  ] as const)('gamma %p is %s', (gamma, band) => expect(gammaBand(gamma)).toBe(band));
});

describe('the top-K heap keeps the K highest-ranked candidates in bounded memory', () => {
  test('the K largest, highest first, whatever the arrival order', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000); // a permutation of 0..999
    const top = new TopK(5, 'gammaMax');
    for (const v of values) top.offer(cand(`c${v}`, v));
    expect(top.size).toBe(5);
    expect(top.sorted().map((c) => c.gammaMax)).toEqual([999, 998, 997, 996, 995]);
  });

  test('ties rank by id, so two runs over the same data agree', () => {
    const a = new TopK(2, 'gammaMax');
    const b = new TopK(2, 'gammaMax');
    const items = [cand('z', 3), cand('b', 3), cand('m', 3), cand('a', 1)];
    for (const c of items) a.offer(c);
    for (const c of [...items].reverse()) b.offer(c);
    expect(a.sorted().map((c) => c.id)).toEqual(['b', 'm']);
    expect(b.sorted()).toEqual(a.sorted());
  });

  test('ranks by the committee disagreement when asked to', () => {
    const top = new TopK(1, 'committeeForceStd');
    top.offer(cand('x', null, 0.1));
    top.offer(cand('y', null, 0.4));
    top.offer(cand('z', null, 0.2));
    expect(top.sorted().map((c) => c.id)).toEqual(['y']);
  });

  test('K = 0 keeps nothing; fewer candidates than K keeps them all', () => {
    const none = new TopK(0, 'gammaMax');
    none.offer(cand('a', 1));
    expect(none.sorted()).toEqual([]);
    const few = new TopK(10, 'gammaMax');
    few.offer(cand('a', 1));
    few.offer(cand('b', 2));
    expect(few.sorted().map((c) => c.id)).toEqual(['b', 'a']);
  });
});

describe('the tally a scoring run returns', () => {
  test('counts candidates per band, reused ones included, and lists failures up to a bound', () => {
    const tally = new ScoreTally(2, 'gammaMax');
    tally.add(cand('a', 0.5));
    tally.add(cand('b', 3));
    tally.add(cand('c', 40), true);
    tally.add(cand('d', 1));
    for (let i = 0; i < MAX_LISTED_FAILURES + 5; i++)
      tally.fail(`bad${i}`, 'element Ni not in the potential');
    const s = tally.summary();
    expect(s.bands).toEqual({ interpolation: 2, extrapolation: 1, unreliable: 1 });
    expect(s).toMatchObject({ scored: 4, reused: 1, rankedBy: 'gammaMax', disagreement: null });
    expect(s.top.map((c) => c.id)).toEqual(['c', 'b']);
    expect(s.failed.count).toBe(MAX_LISTED_FAILURES + 5);
    expect(s.failed.first).toHaveLength(MAX_LISTED_FAILURES);
    expect(s.failed.first[0]).toEqual({ id: 'bad0', reason: 'element Ni not in the potential' });
  });

  test("a committee's disagreement is summarised: count, mean, max and a histogram", () => {
    const tally = new ScoreTally(1, 'committeeForceStd');
    for (const d of [0.005, 0.03, 0.03, 0.7, 2]) tally.add(cand(`c${d}`, null, d));
    const s = tally.summary();
    expect(s.bands).toBeNull();
    expect(s.disagreement).toMatchObject({ count: 5, max: 2 });
    expect(s.disagreement!.mean).toBeCloseTo((0.005 + 0.03 + 0.03 + 0.7 + 2) / 5, 12);
    expect(s.disagreement!.counts).toEqual([1, 2, 0, 0, 0, 1, 1]);
    expect(s.disagreement!.counts.reduce((x, y) => x + y)).toBe(5);
  });
});

describe("the scorer's JSON lines", () => {
  test('results, errors and the ready/done records are read', () => {
    expect(parseScorerLine('{"id": "a", "gammaMax": 1.5, "committeeForceStd": null}')).toEqual({
      id: 'a',
      gammaMax: 1.5,
      committeeForceStd: null,
    });
    expect(parseScorerLine('{"id": "a", "error": "element(s) Ni not in the potential"}')).toEqual({
      id: 'a',
      error: 'element(s) Ni not in the potential',
    });
    expect(parseScorerLine('{"id": null, "error": "unreadable input line"}')).toMatchObject({ id: null });
    expect(parseScorerLine('{"ready": {"members": 3, "elements": ["Cu"], "activeSets": 3}}')).toMatchObject({
      ready: { members: 3 },
    });
    expect(parseScorerLine('{"done": {"scored": 9, "failed": 1, "peakRssKB": 120000}}')).toMatchObject({
      done: { peakRssKB: 120000 },
    });
  });

  test.each([
    ['not json', 'Exception: something printed on stdout'],
    ['a negative gamma', '{"id": "a", "gammaMax": -1, "committeeForceStd": null}'],
    ['a missing field', '{"id": "a", "gammaMax": 1}'],
    ['NaN (not JSON)', '{"id": "a", "gammaMax": NaN, "committeeForceStd": null}'],
  ])('%s is a protocol error', (_what, line) => {
    expect(() => parseScorerLine(line)).toThrow(ScorerProtocolError);
  });
});

describe('candidate documents', () => {
  const structure = {
    symbols: ['Cu', 'Cu'],
    positions: [0, 0, 0, 1.8, 1.8, 0],
    cell: [3.6, 0, 0, 0, 3.6, 0, 0, 0, 3.6],
    pbc: [true, true, true],
  };

  test("use the calculations contract's structure rules, nested arrays included", () => {
    const ok = decodeCandidate({
      _id: 'c1',
      campaign: 'x',
      structure: {
        ...structure,
        positions: [
          [0, 0, 0],
          [1.8, 1.8, 0],
        ],
      },
    });
    expect(ok).toMatchObject({
      ok: true,
      record: { id: 'c1', structure: { positions: structure.positions } },
    });
    const bad = decodeCandidate({
      _id: 'c2',
      campaign: 'x',
      structure: { ...structure, positions: [0, 0, 0], cell: null },
    });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/structure\.positions: expected 3N = 6 numbers/);
    expect(!bad.ok && bad.reason).toMatch(/structure\.cell: pbc is periodic/);
  });

  test('a score is kept when it follows the contract and ignored (scored again) when not', () => {
    const score = { potentialId: 'cu@v1', gammaMax: 2, committeeForceStd: null, scoredAt: new Date(0) };
    const kept = decodeCandidate({ _id: 'c', campaign: 'x', structure, score });
    expect(kept.ok && kept.record.score).toEqual(score);
    const ignored = decodeCandidate({ _id: 'c', campaign: 'x', structure, score: { gamma: 3 } });
    expect(ignored.ok).toBe(true);
    expect(ignored.ok && ignored.record.score).toBeUndefined();
  });

  test('the selection keeps user values in value position; generation 0 includes documents without one', () => {
    expect(candidateFilter({ campaign: '{"$ne": null}' })).toEqual({ campaign: { $eq: '{"$ne": null}' } });
    expect(candidateFilter({ campaign: 'c', generation: 2 })).toEqual({
      campaign: { $eq: 'c' },
      generation: { $eq: 2 },
    });
    expect(candidateFilter({ campaign: 'c', generation: 0 }).$or).toEqual([
      { generation: { $eq: 0 } },
      { generation: { $exists: false } },
    ]);
  });
});

describe('the scoring request', () => {
  test('defaults topK to 10 and names each bad field', () => {
    expect(parseScoringRequest({ potentialId: 'cu@v1', campaign: 'c' })).toEqual({
      ok: true,
      request: { potentialId: 'cu@v1', campaign: 'c', topK: 10 },
    });
    const bad = parseScoringRequest({ potentialId: 'cu@v1', generation: -1, topK: 5000 });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/campaign: required/);
    expect(!bad.ok && bad.message).toMatch(/generation:/);
    expect(!bad.ok && bad.message).toMatch(/topK:/);
    expect(parseScoringRequest({ potentialId: 'a', campaign: 'c', extra: 1 }).ok).toBe(false);
  });

  test('the CLI derives an idempotent workflow id and refuses ambiguous flags', () => {
    const a = scoringRequestFromArgs(['--potential', 'cu@v2', '--campaign', 'demo', '--top', '3']);
    expect(a.workflowId).toBe('score-cu@v2-demo-all');
    expect(a.request).toEqual({ potentialId: 'cu@v2', campaign: 'demo', topK: 3 });
    expect(
      scoringRequestFromArgs(['--committee', 'k1', '--campaign', 'd', '--generation', '2']).workflowId,
    ).toBe('score-k1-d-g2');
    expect(() => scoringRequestFromArgs(['--campaign', 'd'])).toThrow(/exactly one of --potential/);
    expect(() => scoringRequestFromArgs(['--potential', 'cu', '--campaign', 'd'])).toThrow(/NAME@vK/);
    expect(() => scoringRequestFromArgs(['--potential', 'cu@v1'])).toThrow(/--campaign is required/);
    expect(() =>
      scoringRequestFromArgs(['--potential', 'cu@v1', '--campaign', 'd', '--top', '99999']),
    ).toThrow(/--top/);
  });

  test('progress reads as a bar with counts', () => {
    expect(
      formatScoringProgress({
        phase: 'scoring',
        total: 10_000,
        scored: 3_000,
        reused: 0,
        failed: 500,
        host: 'h',
      }),
    ).toMatch(/^scoring\s+\[#######\.+\]\s+3,500\/10,000\s+reused 0\s+failed 500\s+on h$/);
  });
});

describe('the potential a registry entry makes up, and what it scores with', () => {
  const file = (p: string) => ({ path: p, sha256: '0'.repeat(64), bytes: 1 });
  const record = (id: string, extra: Partial<PotentialRecord> = {}): PotentialRecord =>
    ({
      _id: id,
      dataset: { structures: 1, atoms: 1, sha256: '0'.repeat(64), elements: ['Cu'] },
      files: {
        yace: file(`/p/${id}/potential.yace`),
        potentialYaml: file(`/p/${id}/output_potential.yaml`),
        asi: file(`/p/${id}/potential.asi`),
      },
      host: { id: 'h1', taskQueue: 'q@h1' },
      ...extra,
    }) as PotentialRecord;

  test('a single potential with an active set ranks by gamma on its host, reading the B-basis potential', () => {
    const p = potentialFromRecords('cu@v1', [record('cu@v1')]);
    expect(p).toMatchObject({
      kind: 'potential',
      rankedBy: 'gammaMax',
      host: { id: 'h1' },
      elements: ['Cu'],
    });
    expect(scorerArgs(p.members).slice(1)).toEqual([
      '--member',
      '/p/cu@v1/output_potential.yaml',
      '/p/cu@v1/potential.asi',
    ]);
  });

  test('a single potential without an active set is refused: nothing to rank by', () => {
    const r = record('old@v1');
    delete (r.files as Record<string, unknown>).asi;
    expect(() => potentialFromRecords('old@v1', [r])).toThrow(/no active set/);
  });

  test('a committee without active sets ranks by disagreement; members from another host mean any host', () => {
    const members = [0, 1].map((m) => {
      const r = record(`k-m${m}@v1`, {
        committee: { id: 'k', member: m, size: 2 },
        ...(m === 1 ? { host: { id: 'h2', taskQueue: 'q@h2' } } : {}),
      });
      delete (r.files as Record<string, unknown>).asi;
      return r;
    });
    const p = potentialFromRecords('k', members);
    expect(p).toMatchObject({ kind: 'committee', rankedBy: 'committeeForceStd' });
    expect(p.host).toBeUndefined();
    expect(scorerArgs(p.members).slice(1)).toEqual([
      '--member',
      '/p/k-m0@v1/potential.yace',
      '--member',
      '/p/k-m1@v1/potential.yace',
    ]);
  });

  test('a committee with members missing from the registry is refused', () => {
    expect(() =>
      potentialFromRecords('k', [record('k-m0@v1', { committee: { id: 'k', member: 0, size: 3 } })]),
    ).toThrow(/1 of its 3 members/);
  });
});
