/**
 * npm run check:ui — looks at the local Temporal Web UI the way a user would: opens the latest completed
 * trainPotential run (run `npm run demo` first) in headless Chromium (Debian's `chromium`, driven by
 * playwright-core), checks that its activities, their summaries, the workflow's details and the search
 * attributes are shown, and saves screenshots under .dev-data/ui-check/. Not part of `npm test`.
 * Needs: ./temporal-dev.sh up, a completed training, and `apt-get install chromium`.
 */
import { Client } from '@temporalio/client';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { loadEnv, PROJECT_ROOT } from '../src/config';
import { connectClient, temporalTarget } from '../src/temporal';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const UI = (process.env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233').replace(/\/$/, '');
const OUT = path.join(PROJECT_ROOT, '.dev-data', 'ui-check');

async function latestCompletedTraining(client: Client) {
  for await (const wf of client.workflow.list({
    query: "WorkflowType = 'trainPotential' AND ExecutionStatus = 'Completed'",
  })) {
    return wf; // newest first
  }
  return undefined;
}

/** The page's text, including the frames the UI renders markdown (summaries, details) into. */
async function textOf(page: Page) {
  const texts = await Promise.all(
    page.frames().map((frame) =>
      frame
        .locator('body')
        .innerText({ timeout: 5_000 })
        .catch(() => ''),
    ),
  );
  return texts.join('\n');
}

async function main() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  const env = loadEnv();
  const connection = await connectClient(temporalTarget(env));
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  const run = await latestCompletedTraining(client);
  await connection.close();
  if (!run) throw new Error('no completed trainPotential run found: run `npm run demo` first');

  fs.mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const checks: [string, boolean][] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1300 } });
    const base = `${UI}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(run.workflowId)}/${run.runId}`;

    await page.goto(`${base}/history`, { waitUntil: 'networkidle' });
    await page.waitForTimeout(2_000);
    const history = await textOf(page);
    await page.screenshot({ path: path.join(OUT, 'history.png'), fullPage: true });
    for (const activity of [
      'acquireWorkspace',
      'fetchTrainingData',
      'generatePacemakerConfig',
      'executeTraining',
      'publishPotential',
      'cleanupWorkspace',
    ]) {
      checks.push([`history shows activity ${activity}`, history.includes(activity)]);
    }
    checks.push(['history shows the fit summary', /pacemaker fit \(\d+ iterations max\)/.test(history)]);
    checks.push(['history shows the workflow completed', /Completed/i.test(history)]);

    // The search attributes and details are on the run's summary; the list page filters by them.
    const listUrl = `${UI}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows?query=${encodeURIComponent(
      `MlipPhase="completed" AND WorkflowId="${run.workflowId}"`,
    )}`;
    await page.goto(listUrl, { waitUntil: 'networkidle' });
    await page.waitForTimeout(2_000);
    const list = await textOf(page);
    await page.screenshot({ path: path.join(OUT, 'list-by-search-attribute.png'), fullPage: true });
    checks.push(['a search by MlipPhase finds the run', list.includes(run.workflowId)]);

    await page.goto(base, { waitUntil: 'networkidle' });
    await page.getByText('Search Attributes', { exact: true }).first().click();
    await page.waitForTimeout(1_000);
    const attributes = await textOf(page);
    await page.screenshot({ path: path.join(OUT, 'search-attributes.png'), fullPage: true });
    for (const name of ['MlipCampaign', 'MlipPhase', 'MlipDatasetSize']) {
      checks.push([`the run shows search attribute ${name}`, attributes.includes(name)]);
    }

    // The static summary is under User Metadata; the lab-notebook details stay in the memo after the run.
    await page.getByText('User Metadata', { exact: true }).first().click();
    await page.waitForTimeout(2_000);
    const metadata = await textOf(page);
    await page.screenshot({ path: path.join(OUT, 'user-metadata.png'), fullPage: true });
    checks.push(['the run shows its summary', /train \S+ on \S+/.test(metadata)]);
    await page.getByText('Memo', { exact: true }).first().click();
    await page.waitForTimeout(1_000);
    const memo = await textOf(page);
    await page.screenshot({ path: path.join(OUT, 'memo.png'), fullPage: true });
    checks.push([
      'the run keeps its notebook (dataset, fit, published)',
      /Dataset/.test(memo) && /Published/.test(memo),
    ]);
  } finally {
    await browser.close();
  }
  for (const [what, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'}  ${what}`);
  console.log(`screenshots: ${OUT}`);
  const failed = checks.filter(([, ok]) => !ok).length;
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(`check:ui: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
