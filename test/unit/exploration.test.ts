import { checkpointFrom, withRunDone } from '../../activities/explore-structures/checkpoint';
import { resolveExplorationRequest, type ExplorationRequest } from '../../src/api/exploration';
import { FailureType } from '../../src/api';
import { evenlySpacedIndices, frameCandidate, frameCandidateId, planRuns } from '../../src/exploration/plan';
import { ExplorerProtocolError, parseExplorerLine } from '../../src/exploration/explorer-protocol';

const structure = {
  symbols: ['Si'],
  positions: [0, 0, 0],
  cell: [3, 0, 0, 0, 3, 0, 0, 0, 3],
  pbc: [true, true, true] as [boolean, boolean, boolean],
};

function request(settings: Record<string, unknown> = {}): ExplorationRequest {
  const r = resolveExplorationRequest({ potentialId: 'si@v2', campaign: 'si', generation: 3, settings });
  if (!r.ok) throw new Error(r.message);
  return r.request;
}

describe('the exploration request', () => {
  test("defaults say pacemaker's γ bounds (5, 25), NVT at 300 and 1000 K, 2000 steps of 1 fs, γ every 20 steps, 4 seeds", () => {
    expect(request().settings).toEqual({
      seeds: { count: 4 },
      temperaturesK: [300, 1000],
      steps: 2000,
      timestepFs: 1,
      sampleEvery: 20,
      gammaLower: 5,
      gammaUpper: 25,
      maxFramesPerRun: 10,
      velocitySeed: 4928459,
    });
  });

  test.each([
    [{ potentialId: 'si@v2', campaign: 'si' }, 'generation: required'],
    [
      { potentialId: 'si@v2', campaign: 'si', generation: 1, settings: { gammaLower: 30 } },
      'settings.gammaLower: gammaLower must be below gammaUpper',
    ],
    [
      { potentialId: 'si@v2', campaign: 'si', generation: 1, settings: { temperaturesK: [] } },
      'settings.temperaturesK:',
    ],
    [
      {
        potentialId: 'si@v2',
        campaign: 'si',
        generation: 1,
        settings: { seeds: { count: 600 }, pressuresBar: [0, 1e4] },
      },
      'settings.seeds.count: seeds.count × temperaturesK × pressuresBar makes more than 1000 runs',
    ],
    [{ potentialId: 'si@v2', campaign: 'si', generation: 1, settings: { steps: 2.5 } }, 'settings.steps:'],
    [{ potentialId: 'si@v2', campaign: 'si', generation: 1, temperature: 300 }, 'Unrecognized key'],
  ])('%j is refused, naming the field: %s', (input, message) => {
    const r = resolveExplorationRequest(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failureType).toBe(FailureType.InvalidExplorationRequest);
    expect(r.message).toContain(message);
  });
});

describe('the plan', () => {
  test.each([
    [10, 4, [0, 2, 5, 7]],
    [3, 4, [0, 1, 2]],
    [1, 1, [0]],
    [0, 4, []],
    [100, 1, [0]],
  ])('%i documents, %i seeds wanted: spread evenly at %j', (total, count, indices) => {
    expect(evenlySpacedIndices(total, count)).toEqual(indices);
  });

  test('runs go seed by seed, temperature by temperature, pressure by pressure, each with its own velocity seed', () => {
    const runs = planRuns(
      request({ temperaturesK: [300, 900], pressuresBar: [0, 5000], velocitySeed: 10 }).settings,
      [
        { id: 'a', structure },
        { id: 'b', structure },
      ],
    );
    expect(runs.map((r) => [r.index, r.seedId, r.temperatureK, r.pressureBar, r.velocitySeed])).toEqual([
      [0, 'a', 300, 0, 10],
      [1, 'a', 300, 5000, 11],
      [2, 'a', 900, 0, 12],
      [3, 'a', 900, 5000, 13],
      [4, 'b', 300, 0, 14],
      [5, 'b', 300, 5000, 15],
      [6, 'b', 900, 0, 16],
      [7, 'b', 900, 5000, 17],
    ]);
    expect(planRuns(request().settings, [{ id: 'a', structure }]).map((r) => r.pressureBar)).toEqual([
      null,
      null,
    ]);
  });

  test("a frame's candidate id names the potential, generation, seed, ensemble and step, and differs when any of them does", () => {
    const r = request();
    const run = { seedId: 'calc-7', temperatureK: 1000, pressureBar: null };
    expect(frameCandidateId(r, run, 40)).toBe('md:si@v2:g3:calc-7:1000K:nvt:s40');
    expect(frameCandidateId(r, { ...run, pressureBar: 5000 }, 40)).toBe(
      'md:si@v2:g3:calc-7:1000K:npt5000bar:s40',
    );
    const ids = new Set([
      frameCandidateId(r, run, 40),
      frameCandidateId(r, run, 60),
      frameCandidateId(r, { ...run, temperatureK: 300 }, 40),
      frameCandidateId(r, { ...run, seedId: 'calc-8' }, 40),
      frameCandidateId({ ...r, generation: 4 }, run, 40),
      frameCandidateId({ ...r, potentialId: 'si@v3' }, run, 40),
    ]);
    expect(ids.size).toBe(6);
  });

  test('a candidate goes to candidatesCampaign when given, as the generation, with its provenance', () => {
    const r = { ...request(), candidatesCampaign: 'si-candidates' };
    const [run] = planRuns(r.settings, [{ id: 'calc-7', structure }]);
    expect(frameCandidate(r, run!, { step: 40, gammaMax: 7.5, structure })).toEqual({
      _id: 'md:si@v2:g3:calc-7:300K:nvt:s40',
      campaign: 'si-candidates',
      generation: 3,
      structure,
      exploration: {
        potentialId: 'si@v2',
        seedId: 'calc-7',
        temperatureK: 300,
        pressureBar: null,
        step: 40,
        timestepFs: 1,
        gammaMax: 7.5,
      },
    });
  });
});

describe("the explorer's protocol and the heartbeat's checkpoint", () => {
  test.each([
    ['{"ready": {"runs": 2}}', { ready: { runs: 2 } }],
    ['{"progress": {"run": 0, "step": 20}}', { progress: { run: 0, step: 20 } }],
    [
      '{"run": {"index": 1, "sampled": 5, "extrapolative": 2, "printed": 2, "stoppedAtStep": null, "gammaMax": 6.1, "error": null}}',
      {
        run: {
          index: 1,
          sampled: 5,
          extrapolative: 2,
          printed: 2,
          stoppedAtStep: null,
          gammaMax: 6.1,
          error: null,
        },
      },
    ],
  ])('%s is read as it is', (line, parsed) => {
    expect(parseExplorerLine(line)).toEqual(parsed);
  });

  test.each([
    'not json',
    '{"frame": {"run": 0, "step": 20, "gammaMax": 6, "structure": {"symbols": ["Si"], "positions": [0,0,0], "cell": null, "pbc": [true,true,true]}}}',
    '{"run": {"index": 0}}',
    '{"ready": {"runs": 1}, "extra": 1}',
  ])('%s is outside the protocol', (line) => {
    expect(() => parseExplorerLine(line)).toThrow(ExplorerProtocolError);
  });

  test('a checkpoint resumes from the counts the last heartbeat carried; anything else starts afresh', () => {
    const counts = {
      runsDone: 3,
      runsStopped: 1,
      runsFailed: 0,
      framesSampled: 90,
      framesExtrapolative: 12,
      candidatesWritten: 10,
      candidatesExisting: 0,
    };
    expect(checkpointFrom({ counts, gammaMax: 12.5 })).toEqual({ counts, gammaMax: 12.5 });
    for (const details of [undefined, null, { counts: { runsDone: 'x' } }, { scored: 5 }])
      expect(checkpointFrom(details)).toEqual({
        counts: {
          ...counts,
          runsDone: 0,
          runsStopped: 0,
          framesSampled: 0,
          framesExtrapolative: 0,
          candidatesWritten: 0,
        },
        gammaMax: null,
      });
  });
  test.each([
    [
      'a run to the end: its frames counted, its γ the largest so far',
      { stoppedAtStep: null, gammaMax: 14, error: null },
      { written: 3, existing: 1 },
      { runsStopped: 1, runsFailed: 0, candidatesWritten: 13, candidatesExisting: 1, gammaMax: 14 },
    ],
    [
      'a run stopped above gammaUpper, below the largest γ so far',
      { stoppedAtStep: 120, gammaMax: 11, error: null },
      { written: 0, existing: 0 },
      { runsStopped: 2, runsFailed: 0, candidatesWritten: 10, candidatesExisting: 0, gammaMax: 12.5 },
    ],
    [
      'a run broken off by LAMMPS before any γ was read',
      { stoppedAtStep: null, gammaMax: null, error: 'Lost atoms' },
      { written: 0, existing: 0 },
      { runsStopped: 1, runsFailed: 1, candidatesWritten: 10, candidatesExisting: 0, gammaMax: 12.5 },
    ],
  ])('a run done counts into the checkpoint: %s', (_what, run, candidates, expected) => {
    const before = {
      counts: {
        runsDone: 3,
        runsStopped: 1,
        runsFailed: 0,
        framesSampled: 90,
        framesExtrapolative: 12,
        candidatesWritten: 10,
        candidatesExisting: 0,
      },
      gammaMax: 12.5,
    };
    const summary = { index: 3, sampled: 20, extrapolative: 4, printed: 20, ...run };
    const { gammaMax, ...counts } = expected;
    expect(withRunDone(before, summary, candidates)).toEqual({
      counts: { ...counts, runsDone: 4, framesSampled: 110, framesExtrapolative: 16 },
      gammaMax,
    });
    expect(before.counts.runsDone).toBe(3); // the checkpoint heartbeated before is left as it was
  });
});
