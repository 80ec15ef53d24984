/**
 * The backend probe's report kept between worker starts. The full probe imports TensorFlow (6–8 s of CPU),
 * and a worker restarts often (a drain before maintenance, a batch job's next allocation), each time beside
 * a fit it resumes; the answer changes only when the Python environment does. So the report is kept in the
 * machine's temp directory with the environment's fingerprint (backend_probe.py --fingerprint: the
 * interpreter, its package directories' modification times, an NVIDIA driver's presence; milliseconds), and
 * probed again only when the fingerprint changed. A cache that cannot be read or written is no cache.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { runPythonHelperForSummary } from '../process';
import { BackendReportSchema, probeBackends, type BackendReport } from './backends';

const CachedProbeSchema = z.object({
  fingerprint: z.string(),
  probedAt: z.string(),
  report: BackendReportSchema,
});
type CachedProbe = z.infer<typeof CachedProbeSchema>;

/** The kept report when it was probed in the environment `fingerprint` names; otherwise undefined. */
export function reportIfCurrent(cacheText: string | undefined, fingerprint: string): CachedProbe | undefined {
  if (cacheText === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(cacheText);
  } catch {
    return undefined;
  }
  const cached = CachedProbeSchema.safeParse(parsed);
  return cached.success && cached.data.fingerprint === fingerprint ? cached.data : undefined;
}

export function probeCacheFile(python: string, dir = os.tmpdir()): string {
  const key = createHash('sha256').update(path.resolve(python)).digest('hex').slice(0, 16);
  return path.join(dir, `mlip-backend-probe-${key}.json`);
}

/** probeBackends, answered from the kept report while the environment is unchanged. */
export async function probeBackendsCached(
  python: string,
  cacheFile = probeCacheFile(python),
): Promise<{ report: BackendReport; probedAt?: string }> {
  const { fingerprint } = await runPythonHelperForSummary(
    { python },
    'backend_probe.py',
    ['--fingerprint'],
    z.object({ fingerprint: z.string() }),
  );
  const kept = reportIfCurrent(readIfThere(cacheFile), fingerprint);
  if (kept) return { report: kept.report, probedAt: kept.probedAt };
  const report = await probeBackends(python);
  const record: CachedProbe = { fingerprint, probedAt: new Date().toISOString(), report };
  try {
    const partial = `${cacheFile}.${process.pid}.partial`;
    fs.writeFileSync(partial, JSON.stringify(record));
    fs.renameSync(partial, cacheFile);
  } catch {
    /* a temp directory we cannot write to: the next start probes again */
  }
  return { report };
}

function readIfThere(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
