/**
 * One measured run of the export for `npm run bench -- fetch`, in a process of its own so that its peak
 * RSS is its own. Usage: tsx bench/fetch-worker.ts MONGODB_URI DB CAMPAIGN OUT.extxyz
 * Prints one JSON line: {"seconds", "structures", "bytes", "maxRssKB", "cpuSeconds"}.
 */
import { MongoClient } from 'mongodb';
import { exportTrainingSet } from '../src/training-set';

async function main() {
  const [uri, dbName, campaign, out] = process.argv.slice(2) as [string, string, string, string];
  const start = performance.now();
  // Like connectDatabase() but with no socket timeout: FerretDB sorts the whole result before the first
  // batch (about 2.5 ms per 50-atom structure here), which at 20,000 structures can exceed the worker's
  // 60 s socketTimeoutMS. Everything else is the activity's own code path.
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5_000, socketTimeoutMS: 0 });
  try {
    const { manifest } = await exportTrainingSet({
      db: client.db(dbName),
      campaign,
      selection: {},
      invalidRecords: 'fail',
      extxyzPath: out,
      manifestPath: out.replace(/\.extxyz$/, '.manifest.json'),
    });
    const seconds = (performance.now() - start) / 1000;
    console.log(
      JSON.stringify({
        seconds,
        structures: manifest.counts.structures,
        bytes: manifest.files.extxyz.bytes,
        maxRssKB: process.resourceUsage().maxRSS,
        cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      }),
    );
  } finally {
    await client.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
