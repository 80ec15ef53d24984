/**
 * A secured Temporal, as a real cluster or Temporal Cloud is: nginx (Debian's, installed by the set-up) in
 * front of the ephemeral Temporal server terminates TLS and requires a client certificate signed by the
 * run's CA (mutual TLS); certificates are made for the run with openssl (test/harness/certificates.ts).
 * A worker process (worker/main.ts) and the CLI connect through it with the TEMPORAL_TLS_* variables
 * that Temporal's own tools read. With the right certificate a training runs to the end (the fast
 * stand-in trainer; the rest real); without one, or with a certificate of another CA, or trusting the
 * wrong CA for the server, both fail within seconds with one message naming what to set.
 */
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { main as cli } from '../../src/cli/main';
import { loadEnv, type Env } from '../../src/config/env';
import { PROJECT_ROOT, SYSTEM_NGINX } from '../../src/config/paths';
import { startTlsTerminator, stopServices, type RunningService } from '../../src/dev-services';
import { connectClient, temporalTarget } from '../../src/temporal';
import { makeCertificates, type TestCertificates } from '../harness/certificates';
import { scratchDir, testTemporalAddress } from '../harness/context';
import { seedCampaign, testEnv } from '../harness/training-env';
import { startWorkerProcess, waitUntilServing, type WorkerProcess } from '../harness/worker-process';

const double = (name: string) => path.join(PROJECT_ROOT, 'test', 'doubles', name);

let certs: TestCertificates;
let tlsAddress: string;
let terminator: RunningService | undefined;
let env: Env;
const workers: WorkerProcess[] = [];

/** The variables a user sets for a cluster behind mutual TLS. */
function tlsVars(client = certs.client, ca = certs.ca): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: tlsAddress,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
    TEMPORAL_TLS_CLIENT_CERT_PATH: client.cert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: client.key,
  };
}

/** mlip-train in this process, with exactly these variables. */
async function runCli(args: string[], vars: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const started = Date.now();
  const code = await cli(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: {
      MLIP_TASK_QUEUE: env.MLIP_TASK_QUEUE,
      MONGODB_URI: env.MONGODB_URI,
      MLIP_DB: env.MLIP_DB,
      ...vars,
    },
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), seconds: (Date.now() - started) / 1000 };
}

/** A worker process with `vars` over the test's env (without its plaintext address). */
function startWorker(vars: Record<string, string>): WorkerProcess {
  const worker = startWorkerProcess(loadEnv({ ...envVars(), ...vars }));
  workers.push(worker);
  return worker;
}
const envVars = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env)
      .filter(([k, v]) => v !== undefined && !k.startsWith('TEMPORAL_'))
      .map(([k, v]) => [k, String(v)]),
  );

beforeAll(async () => {
  if (!fs.existsSync(SYSTEM_NGINX))
    throw new Error(
      `${SYSTEM_NGINX} is missing: run 'npm run setup' as root, or apt-get install nginx-light`,
    );
  const dir = scratchDir('tls');
  certs = await makeCertificates(path.join(dir, 'certs'));
  const started = await startTlsTerminator(
    {
      upstream: testTemporalAddress(),
      serverCert: certs.server.cert,
      serverKey: certs.server.key,
      clientCa: certs.ca,
      dir: path.join(dir, 'nginx'),
    },
    dir,
  );
  terminator = started.handle;
  tlsAddress = started.address;
  env = testEnv({
    MLIP_HOST_ID: 'tls-host',
    PACEMAKER_BIN: double('fast-pacemaker.sh'),
    PACE_YAML2YACE_BIN: double('fast-pace-yaml2yace.sh'),
    PACE_ACTIVESET_BIN: double('fast-pace-activeset.sh'),
  });
  await seedCampaign(env, 'cu-tls', 3);
}, 120_000);

afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  if (terminator) await stopServices([terminator], 2_000);
});

test('with the right client certificate, a worker and the CLI run a training through mutual TLS to the end, and no key reaches the history', async () => {
  const worker = startWorker(tlsVars());
  await waitUntilServing(worker, 'tls-host');
  // The start-up line says how it is connected, and names the certificate, never the key.
  expect(worker.output()).toContain(
    `Temporal ${tlsAddress} (namespace default; mutual TLS (client certificate CN=mlip-worker), server CA from TEMPORAL_TLS_SERVER_CA_CERT_PATH)`,
  );

  const workflowId = `tls-${randomUUID().slice(0, 8)}`;
  const r = await runCli(['start', '--campaign', 'cu-tls', '--workflow-id', workflowId, '--wait'], tlsVars());
  expect([r.code, r.stderr]).toEqual([0, '']);
  expect(r.stdout).toMatch(/completed/i);
  expect(r.stdout).toMatch(/\.yace/);

  // What the server stored of the training holds no key material and no certificate.
  const connection = await connectClient(temporalTarget(loadEnv(tlsVars())));
  try {
    const history = await new Client({ connection }).workflow.getHandle(workflowId).fetchHistory();
    const text = JSON.stringify(history);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('BEGIN CERTIFICATE');
    expect(text).not.toContain(fs.readFileSync(certs.client.key, 'utf8').split('\n')[1]);
  } finally {
    await connection.close();
  }
  expect(worker.output()).not.toContain('PRIVATE KEY');
}, 300_000);

const refusals: Array<[string, () => Record<string, string>, RegExp]> = [
  [
    'without a client certificate',
    () => ({ TEMPORAL_ADDRESS: tlsAddress, TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca }),
    /the server requires a client certificate \(mutual TLS\).*set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH/,
  ],
  [
    'with a client certificate of another CA',
    () => tlsVars(certs.otherClient),
    /the server refuses the client certificate TEMPORAL_TLS_CLIENT_CERT_PATH=\S+stranger\.pem \(CN=stranger, issued by CN=other-ca\).*give a certificate signed by the CA the server trusts/,
  ],
  [
    "trusting another CA for the server's certificate",
    () => tlsVars(certs.client, certs.otherCa),
    /the server's certificate is not signed by a CA this client trusts \(now TEMPORAL_TLS_SERVER_CA_CERT_PATH=\S+other-ca\.pem\): set TEMPORAL_TLS_SERVER_CA_CERT_PATH/,
  ],
  [
    'without TLS at all',
    () => ({ TEMPORAL_ADDRESS: tlsAddress }),
    /the server speaks TLS and this connection does not: set TEMPORAL_TLS=true/,
  ],
];

test.each(refusals)(
  '%s, the worker and the CLI fail fast with one message that says what to set',
  async (_, vars, expected) => {
    const worker = startWorker(vars());
    const cliRun = await runCli(['list'], vars());
    expect(cliRun.code).toBe(1);
    expect(cliRun.stderr).toMatch(expected);
    // Failing fast is the behaviour: the client's own deadline is 4 s and the probe after it well under a
    // second; 45 s leaves a loaded machine its slack and still fails a CLI left waiting on the SDK's retries.
    expect(cliRun.seconds).toBeLessThan(45);

    const exit = await Promise.race([
      worker.exited,
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 30_000)),
    ]);
    expect(exit).toEqual({ code: 1, signal: null });
    const errorLines = worker
      .output()
      .split('\n')
      .filter((l) => l.startsWith('[worker] cannot connect'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(expected);
  },
  60_000,
);
