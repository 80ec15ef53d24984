/**
 * One measured run of the export for `npm run bench -- fetch`, in a process of its own so that its peak
 * RSS is its own. Usage: tsx bench/fetch-worker.ts MONGODB_URI DB CAMPAIGN OUT.extxyz
 * Prints one JSON line: {"seconds", "structures", "bytes", "maxRssKB", "cpuSeconds"}.
 */
import { connectDatabase } from '../src/db/connection';
import { exportTrainingSet } from '../src/dataset/export-training-set';

async function main() {
  const [uri, dbName, campaign, out] = process.argv.slice(2) as [string, string, string, string];
  const start = performance.now();
  const database = connectDatabase(uri, dbName);
  try {
    const { manifest } = await exportTrainingSet({
      db: await database.db(),
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
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
