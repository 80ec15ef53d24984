/**
 * What a test file needs to reach the ephemeral services started by global-setup.ts.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run the tests with 'npm test' (jest's global setup sets it)`);
  return value;
}

export const testTemporalAddress = () => required('MLIP_TEST_TEMPORAL_ADDRESS');
export const testMongoUri = () => required('MLIP_TEST_MONGODB_URI');

/** A database name of its own for each test file, so files running in parallel never see each other's data. */
export function testDatabaseName(): string {
  const testPath = expect.getState().testPath ?? 'unknown';
  const base = path
    .basename(testPath)
    .replace(/\.test\.ts$/, '')
    .replace(/[^A-Za-z0-9]/g, '_')
    .slice(0, 24);
  return `t_${base}_${createHash('sha256').update(testPath).digest('hex').slice(0, 8)}`;
}

/** A fresh scratch directory under the run's temp dir (removed by global teardown). */
export function scratchDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(required('MLIP_TEST_SCRATCH'), `${label}-`));
  return dir;
}

export async function connectTestMongo(): Promise<MongoClient> {
  return MongoClient.connect(testMongoUri(), { serverSelectionTimeoutMS: 5_000 });
}
