import type { MongoClient } from 'mongodb';
import { connectTestMongo, testDatabaseName } from '../harness/context';

let client: MongoClient;
beforeAll(async () => {
  client = await connectTestMongo();
});
afterAll(async () => {
  await client?.db(testDatabaseName()).dropDatabase();
  await client?.close();
});

test('a calculation document round-trips through the official driver with every number intact', async () => {
  const calculations = client.db(testDatabaseName()).collection('calculations');
  const completedAt = new Date('2026-11-01T12:00:00.123Z');
  // Values chosen to catch float truncation: 17 significant digits, tiny and large magnitudes.
  const doc = {
    campaign: 'smoke',
    generation: 0,
    status: 'completed',
    structure: {
      symbols: ['Cu', 'Cu'],
      positions: [0, 0, 0, 1.8050000000000002, 1.805, 1e-12],
      cell: [3.61, 0, 0, 0, 3.61, 0, 0, 0, 3.61],
      pbc: [true, true, true],
    },
    results: {
      energy: -7.123456789012345,
      forces: [0.1, -0.2, 0.3, -0.1, 0.2, -0.3],
      stress: [1e-4, 0, 0, 0, 0, 0],
    },
    completedAt,
  };
  const { insertedId } = await calculations.insertOne({ ...doc });
  const back = await calculations.findOne({ _id: insertedId });
  expect(back).toEqual({ _id: insertedId, ...doc });
});

test('a query on campaign and status finds only completed documents of that campaign', async () => {
  const calculations = client.db(testDatabaseName()).collection('calculations');
  await calculations.insertMany([
    { campaign: 'a', status: 'completed', n: 1 },
    { campaign: 'a', status: 'failed', n: 2 },
    { campaign: 'b', status: 'completed', n: 3 },
  ]);
  const found = await calculations
    .find({ campaign: 'a', status: 'completed' })
    .project({ _id: 0, n: 1 })
    .toArray();
  expect(found).toEqual([{ n: 1 }]);
});
