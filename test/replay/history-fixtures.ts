/**
 * Recorded workflow histories, kept as replay fixtures: test/fixtures/histories/<build label>/<scenario>.json.
 * A build label names the workflow code that wrote them (e.g. "2026-12-01-signals"); old labels stay for
 * as long as the code still has to replay them (docs/design.md, "Versioning").
 *
 * Histories are exported by the `temporal` CLI (`temporal workflow show --output json`, the form every
 * Temporal tool reads; the SDK's own historyToJSON fails here on its two protobufjs copies), with machine
 * paths and host names replaced (payloads are decoded, scrubbed and encoded again) so they can be committed.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INSTALLED, PROJECT_ROOT } from '../../src/config/paths';

export const HISTORIES_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'histories');

/**
 * Beside each label's histories: the workflow id each was recorded under. A parent workflow derives its
 * children's ids from its own, so it must replay under the same id; a fixture without an entry (recorded
 * before ids were kept, and without children) replays under "<label>/<scenario>".
 */
export const WORKFLOW_IDS_FILE = 'workflow-ids.json';

export interface HistoryFixture {
  label: string;
  scenario: string;
  /** The workflow id it was recorded under. */
  workflowId: string;
  history: temporal.api.history.v1.IHistory;
}

/** Every fixture under HISTORIES_DIR, label by label. */
export function loadHistoryFixtures(): HistoryFixture[] {
  if (!fs.existsSync(HISTORIES_DIR)) return [];
  const fixtures: HistoryFixture[] = [];
  for (const label of fs.readdirSync(HISTORIES_DIR).sort()) {
    const dir = path.join(HISTORIES_DIR, label);
    if (!fs.statSync(dir).isDirectory()) continue;
    const idsFile = path.join(dir, WORKFLOW_IDS_FILE);
    const ids = fs.existsSync(idsFile)
      ? (JSON.parse(fs.readFileSync(idsFile, 'utf8')) as Record<string, string>)
      : {};
    for (const file of fs.readdirSync(dir).sort()) {
      if (!file.endsWith('.json') || file === WORKFLOW_IDS_FILE) continue;
      const scenario = file.replace(/\.json$/, '');
      const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
      fixtures.push({ label, scenario, workflowId: ids[scenario] ?? `${label}/${scenario}`, history });
    }
  }
  return fixtures;
}

/** Machine-specific strings and what they become in a committed fixture. */
function replacements(): [string, string][] {
  const pairs: [string, string][] = [
    [PROJECT_ROOT, '/project'],
    [fs.realpathSync(os.tmpdir()), '/tmp'],
    [os.tmpdir(), '/tmp'],
  ];
  const host = os.hostname();
  if (host.length >= 4) pairs.push([host, 'recording-host']);
  return pairs.filter(([from, to]) => from !== to);
}

function scrubText(text: string, pairs: [string, string][]): string {
  let out = text;
  for (const [from, to] of pairs) out = out.split(from).join(to);
  return out;
}

/** Walks the proto-JSON: plain strings are scrubbed; payload data (base64 JSON) is decoded, scrubbed, re-encoded. */
function scrubValue(value: unknown, pairs: [string, string][]): unknown {
  if (typeof value === 'string') return scrubText(value, pairs);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, pairs));
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (k === 'data' && typeof v === 'string' && isPayload(obj)) {
        out[k] = Buffer.from(scrubText(Buffer.from(v, 'base64').toString('utf8'), pairs), 'utf8').toString(
          'base64',
        );
      } else {
        out[k] = scrubValue(v, pairs);
      }
    }
    return out;
  }
  return value;
}

function isPayload(obj: Record<string, unknown>): boolean {
  const metadata = obj.metadata as Record<string, unknown> | undefined;
  const encoding = metadata?.encoding;
  return typeof encoding === 'string' && Buffer.from(encoding, 'base64').toString('utf8') === 'json/plain';
}

/** Writes one closed run's history as a fixture; returns its path and its number of events. */
export function writeHistoryFixture(
  label: string,
  scenario: string,
  run: { temporalAddress: string; workflowId: string; runId?: string },
): { file: string; events: number } {
  const dir = path.join(HISTORIES_DIR, label);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${scenario}.json`);
  const exported = execFileSync(
    INSTALLED.temporal,
    [
      'workflow',
      'show',
      '--address',
      run.temporalAddress,
      '--workflow-id',
      run.workflowId,
      ...(run.runId ? ['--run-id', run.runId] : []),
      '--output',
      'json',
    ],
    { encoding: 'utf8', maxBuffer: 256 << 20 },
  );
  const history = JSON.parse(exported) as { events: unknown[] };
  fs.writeFileSync(file, `${JSON.stringify(scrubValue(history, replacements()), null, 1)}\n`);
  const idsFile = path.join(dir, WORKFLOW_IDS_FILE);
  const ids = fs.existsSync(idsFile)
    ? (JSON.parse(fs.readFileSync(idsFile, 'utf8')) as Record<string, string>)
    : {};
  ids[scenario] = run.workflowId;
  fs.writeFileSync(idsFile, `${JSON.stringify(ids, null, 2)}\n`);
  return { file, events: history.events.length };
}
