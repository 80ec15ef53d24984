/** The demo candidates `mlip-train seed-demo --candidates` writes: the factory's structures, some compressed. */
import { compressionTag, demoCandidate, isCompressed, scaleStructure } from '../../src/demo';

describe('demo candidates', () => {
  const record = {
    index: 4,
    kind: 'bulk',
    structure: {
      symbols: ['Cu'],
      positions: [1, 2, 3],
      cell: [4, 0, 0, 0, 4, 0, 0, 0, 4],
      pbc: [true, true, true] as [boolean, boolean, boolean],
    },
  };

  test('every N-th structure is compressed by scaling cell and positions, with its own id', () => {
    const plan = { every: 5, compression: 0.2 };
    expect([0, 1, 2, 3, 4, 9].map((i) => isCompressed(i, plan))).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
    ]);
    const doc = demoCandidate(record, {
      baseId: 'c/cand-emt-Cu-seed0-000004',
      campaign: 'c',
      generation: 1,
      generator: 'EMT',
      seed: 0,
      plan,
    });
    expect(doc._id).toBe(`c/cand-emt-Cu-seed0-000004${compressionTag(plan)}`);
    expect(doc._id.endsWith('-c20')).toBe(true);
    expect(doc.structure.positions).toEqual([0.8, 1.6, 2.4000000000000004]);
    expect(doc.structure.cell![0]).toBeCloseTo(3.2, 12);
    expect(doc.origin).toMatchObject({ kind: 'bulk', compression: 0.2, index: 4 });
    const none = demoCandidate(record, {
      baseId: 'b',
      campaign: 'c',
      generation: 0,
      generator: 'EMT',
      seed: 0,
      plan: { every: 0, compression: 0.2 },
    });
    expect(none).toMatchObject({ _id: 'b', structure: record.structure, origin: { compression: 0 } });
  });

  test('scaling leaves a molecule without a cell', () => {
    expect(scaleStructure({ ...record.structure, cell: null }, 0.5).cell).toBeNull();
  });
});
