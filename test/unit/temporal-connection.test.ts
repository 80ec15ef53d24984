/**
 * Connecting to a secured Temporal, before and after the connection: the settings read from the
 * environment and from a Temporal config file (profiles), the checks made before connecting, the message
 * for each way a connection fails, and the MongoDB URI as logs show it. Certificates are made with openssl
 * for this file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv } from '../../src/config/env';
import { redactMongoUri } from '../../src/db';
import {
  explainFailure,
  temporalTarget,
  TemporalConfigError,
  type ProbeOutcome,
  type TemporalTarget,
} from '../../src/temporal';
import { makeCertificates, type TestCertificates } from '../harness/certificates';

let certs: TestCertificates;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlip-tls-unit-'));
  certs = await makeCertificates(dir);
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const target = (vars: Record<string, string>, now?: Date) => temporalTarget(loadEnv(vars), now);

describe('the connection target from the environment', () => {
  test('nothing set: the dev server, plaintext', () => {
    const t = target({});
    expect(t).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(t.tls).toBeUndefined();
    expect(t.summary).toBe('Temporal 127.0.0.1:7233 (namespace default; plaintext)');
  });

  test('mutual TLS: CA, certificate and key read, the summary names the certificate and no secret', () => {
    const t = target({
      TEMPORAL_ADDRESS: 'temporal.example.org:7233',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.client.cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.client.key,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
    });
    expect(t.tls).toMatchObject({ serverNameOverride: 'frontend.internal' });
    const tls = t.tls as { serverRootCACertificate: Buffer; clientCertPair: { crt: Buffer; key: Buffer } };
    expect(tls.serverRootCACertificate.toString()).toBe(fs.readFileSync(certs.ca, 'utf8'));
    expect(tls.clientCertPair.key.toString()).toBe(fs.readFileSync(certs.client.key, 'utf8'));
    expect(t.summary).toBe(
      'Temporal temporal.example.org:7233 (namespace default; mutual TLS (client certificate CN=mlip-worker), server CA from TEMPORAL_TLS_SERVER_CA_CERT_PATH, server name frontend.internal)',
    );
  });

  test("an API key (Temporal Cloud): TLS with the system's CAs, and the key in no summary", () => {
    const t = target({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_API_KEY: 'secret-api-key-123',
    });
    expect(t.tls).toBe(true);
    expect(t.apiKey).toBe('secret-api-key-123');
    expect(t.summary).toBe(
      "Temporal ns.acct.tmprl.cloud:7233 (namespace default; TLS, the system's CAs, API key)",
    );
    expect(JSON.stringify({ ...t, apiKey: undefined })).not.toContain('secret-api-key-123');
  });

  test('PEM text in the _DATA variables works as the files do', () => {
    const t = target({
      TEMPORAL_TLS_CLIENT_CERT_DATA: fs.readFileSync(certs.client.cert, 'utf8'),
      TEMPORAL_TLS_CLIENT_KEY_DATA: fs.readFileSync(certs.client.key, 'utf8'),
    });
    expect(t.clientCertificate).toMatchObject({ subject: 'CN=mlip-worker', issuer: 'CN=test-ca' });
    expect(t.summary).toContain("mutual TLS (client certificate CN=mlip-worker), the system's CAs");
  });

  // Every row has its `now` (undefined: the clock): jest reads a callback with more parameters than the row
  // has values as one that takes `done`, and waits for it.
  const problems: Array<[string, () => Record<string, string>, RegExp, Date | undefined]> = [
    [
      'a certificate without its key',
      () => ({ TEMPORAL_TLS_CLIENT_CERT_PATH: certs.client.cert }),
      /^TEMPORAL_TLS_CLIENT_CERT_PATH is set but TEMPORAL_TLS_CLIENT_KEY_PATH is not: mutual TLS needs the certificate's private key too$/,
      undefined,
    ],
    [
      'a key without its certificate',
      () => ({ TEMPORAL_TLS_CLIENT_KEY_PATH: certs.client.key }),
      /^TEMPORAL_TLS_CLIENT_KEY_PATH is set but TEMPORAL_TLS_CLIENT_CERT_PATH is not/,
      undefined,
    ],
    [
      "a key that is not the certificate's",
      () => ({
        TEMPORAL_TLS_CLIENT_CERT_PATH: certs.client.cert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: certs.otherClient.key,
      }),
      /^TEMPORAL_TLS_CLIENT_KEY_PATH=\S+stranger\.key is not the key of TEMPORAL_TLS_CLIENT_CERT_PATH=\S+mlip-worker\.pem \(CN=mlip-worker\)/,
      undefined,
    ],
    [
      'an expired client certificate',
      () => ({
        TEMPORAL_TLS_CLIENT_CERT_PATH: certs.client.cert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: certs.client.key,
      }),
      /\(CN=mlip-worker\) expired on .*: get a new client certificate$/,
      new Date(Date.now() + 10 * 86_400_000),
    ],
    [
      'a CA file that does not exist',
      () => ({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'nope.pem') }),
      /^TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read \S+nope\.pem \(no such file\)$/,
      undefined,
    ],
    [
      'a key given as the CA',
      () => ({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.client.key }),
      /^TEMPORAL_TLS_SERVER_CA_CERT_PATH=\S+ is not a PEM certificate/,
      undefined,
    ],
    [
      'a certificate by path and by data',
      () => ({
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
        TEMPORAL_TLS_SERVER_CA_CERT_DATA: fs.readFileSync(certs.ca, 'utf8'),
      }),
      /^TEMPORAL_TLS_SERVER_CA_CERT_PATH and TEMPORAL_TLS_SERVER_CA_CERT_DATA are both set: keep one of them$/,
      undefined,
    ],
    [
      'TLS turned off with TLS files set',
      () => ({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca }),
      /^TEMPORAL_TLS=false, but TEMPORAL_TLS_SERVER_CA_CERT_PATH is set/,
      undefined,
    ],
    [
      'TLS turned off with an API key',
      () => ({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' }),
      /an API key is only sent over TLS/,
      undefined,
    ],
  ];
  test.each(problems)('%s is refused before connecting, naming the variable', (_, vars, expected, now) => {
    let error: unknown;
    try {
      target(vars(), now);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TemporalConfigError);
    expect((error as Error).message).toMatch(expected);
  });
});

describe('a Temporal config file (TOML profiles, as the temporal CLI reads them)', () => {
  const toml = () => {
    const file = path.join(dir, 'temporal.toml');
    fs.writeFileSync(
      file,
      [
        '[profile.default]',
        'address = "default.example:7233"',
        'namespace = "campaigns"',
        '[profile.cloud]',
        'address = "ns.acct.tmprl.cloud:7233"',
        'namespace = "ns.acct"',
        '[profile.cloud.tls]',
        `client_cert_path = "${certs.client.cert}"`,
        `client_key_path = "${certs.client.key}"`,
        '',
      ].join('\n'),
    );
    return file;
  };

  test('the default profile fills in what the environment does not set; the environment wins', () => {
    expect(loadEnv({ TEMPORAL_CONFIG_FILE: toml() })).toMatchObject({
      TEMPORAL_ADDRESS: 'default.example:7233',
      TEMPORAL_NAMESPACE: 'campaigns',
    });
    expect(loadEnv({ TEMPORAL_CONFIG_FILE: toml(), TEMPORAL_NAMESPACE: 'mine' })).toMatchObject({
      TEMPORAL_ADDRESS: 'default.example:7233',
      TEMPORAL_NAMESPACE: 'mine',
    });
  });

  test('TEMPORAL_PROFILE picks a profile, with its TLS files', () => {
    const t = target({ TEMPORAL_CONFIG_FILE: toml(), TEMPORAL_PROFILE: 'cloud' });
    expect(t.address).toBe('ns.acct.tmprl.cloud:7233');
    expect(t.namespace).toBe('ns.acct');
    expect(t.clientCertificate?.subject).toBe('CN=mlip-worker');
  });

  test('the config file is found in $XDG_CONFIG_HOME/temporalio/temporal.toml', () => {
    const config = path.join(dir, 'xdg');
    fs.mkdirSync(path.join(config, 'temporalio'), { recursive: true });
    fs.copyFileSync(toml(), path.join(config, 'temporalio', 'temporal.toml'));
    expect(loadEnv({ XDG_CONFIG_HOME: config }).TEMPORAL_ADDRESS).toBe('default.example:7233');
  });

  test.each([
    [
      'a profile the file lacks',
      () => ({ TEMPORAL_CONFIG_FILE: toml(), TEMPORAL_PROFILE: 'prod' }),
      /TEMPORAL_PROFILE: no profile "prod" in \S+temporal\.toml/,
    ],
    [
      'a file that does not exist',
      () => ({ TEMPORAL_CONFIG_FILE: path.join(dir, 'none.toml') }),
      /TEMPORAL_CONFIG_FILE: \S+none\.toml does not exist/,
    ],
    [
      'a file that is not TOML',
      () => {
        const file = path.join(dir, 'broken.toml');
        fs.writeFileSync(file, '[profile.default\naddress = ');
        return { TEMPORAL_CONFIG_FILE: file };
      },
      /TEMPORAL_CONFIG_FILE: \S+broken\.toml is not a valid Temporal config file/,
    ],
  ])('%s is an invalid environment naming the variable', (_, vars, expected) => {
    expect(() => loadEnv(vars())).toThrow(expected);
  });
});

describe('why a connection failed, in terms of what to set', () => {
  const plain = temporalTarget(loadEnv({ TEMPORAL_ADDRESS: 'temporal.example:7233' }));
  let mtls: TemporalTarget;
  let tlsNoCert: TemporalTarget;
  beforeAll(() => {
    mtls = target({
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.client.cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.client.key,
    });
    tlsNoCert = target({ TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_TLS: 'true' });
  });
  const at = 'cannot connect to Temporal at temporal.example:7233: ';
  const cases: Array<[string, () => TemporalTarget, ProbeOutcome, string, RegExp]> = [
    [
      'nothing listens',
      () => plain,
      { kind: 'unreachable', code: 'ECONNREFUSED' },
      '',
      /nothing answers there \(ECONNREFUSED\); check TEMPORAL_ADDRESS/,
    ],
    [
      'a TLS server, no TLS here',
      () => plain,
      { kind: 'speaks-tls' },
      '',
      /the server speaks TLS and this connection does not: set TEMPORAL_TLS=true/,
    ],
    [
      'a plaintext server, TLS here',
      () => tlsNoCert,
      { kind: 'tls-failed', code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' },
      '',
      /the server does not speak TLS: set TEMPORAL_TLS=false/,
    ],
    [
      "an untrusted server's certificate",
      () => mtls,
      {
        kind: 'tls-failed',
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        message: 'unable to verify',
        issuer: 'CN=corp-ca',
      },
      '',
      /the server's certificate \(issued by CN=corp-ca\) is not signed by a CA this client trusts \(now TEMPORAL_TLS_SERVER_CA_CERT_PATH=\S+\): set TEMPORAL_TLS_SERVER_CA_CERT_PATH/,
    ],
    [
      "the server's certificate for another name",
      () => mtls,
      {
        kind: 'tls-failed',
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
        message: 'altname',
        serverNames: ['frontend.internal'],
      },
      '',
      /not for the name checked \(it is for frontend\.internal\): set TEMPORAL_TLS_SERVER_NAME/,
    ],
    [
      "a server's TLS 1.3 alert: certificate required",
      () => tlsNoCert,
      { kind: 'tls-failed', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', message: 'alert' },
      '',
      /the server requires a client certificate \(mutual TLS\): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH$/,
    ],
    [
      "a server's alert: unknown CA, for our certificate",
      () => mtls,
      { kind: 'tls-failed', code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', message: 'alert' },
      '',
      /the server refuses the client certificate TEMPORAL_TLS_CLIENT_CERT_PATH=\S+ \(CN=mlip-worker, issued by CN=test-ca\): give a certificate signed by the CA the server trusts/,
    ],
    [
      "a TLS proxy's 400 for a missing certificate",
      () => tlsNoCert,
      { kind: 'http', status: 400, text: '400 No required SSL certificate was sent' },
      '',
      /requires a client certificate \(mutual TLS\) \(its TLS proxy says "400 No required SSL certificate was sent"\)/,
    ],
    [
      'a refused API key',
      () => tlsNoCert,
      { kind: 'no-tls-problem' },
      '16 UNAUTHENTICATED: Request unauthorized.',
      /the server refuses these credentials: check TEMPORAL_API_KEY/,
    ],
    [
      'an HTTP answer that is not gRPC',
      () => tlsNoCert,
      { kind: 'http', status: 404, text: 'Not Found' },
      '',
      /the server answered HTTP 404 \(Not Found\), not gRPC: check TEMPORAL_ADDRESS/,
    ],
  ];
  test.each(cases)('%s', (_, t, outcome, original, expected) => {
    const message = explainFailure(t(), outcome, original);
    expect(message.startsWith(at)).toBe(true);
    expect(message).toMatch(expected);
    expect(message).not.toContain('PRIVATE KEY');
  });
});

describe('MongoDB URIs in logs', () => {
  test.each([
    ['mongodb://127.0.0.1:27017', 'mongodb://127.0.0.1:27017'],
    [
      'mongodb://alice:s3cr%40t@db.example:27017/mlip?tls=true',
      'mongodb://alice:***@db.example:27017/mlip?tls=true',
    ],
    [
      'mongodb+srv://bob:pw@cluster0.example.net/?retryWrites=true',
      'mongodb+srv://bob:***@cluster0.example.net/?retryWrites=true',
    ],
    [
      'mongodb://x509user@db.example/?authMechanism=MONGODB-X509',
      'mongodb://x509user@db.example/?authMechanism=MONGODB-X509',
    ],
  ])('%s is shown as %s', (uri, shown) => {
    expect(redactMongoUri(uri)).toBe(shown);
  });
});
