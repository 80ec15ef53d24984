/**
 * Certificates made for one test run with openssl: a CA, a server certificate it signs (for 127.0.0.1 and
 * localhost), a client certificate it signs, and a second CA with a client certificate of its own (one the
 * server must refuse). Files only, in `dir`; nothing outlives the run's scratch directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runProcess } from '../../src/process';

export interface CertificatePair {
  cert: string;
  key: string;
}

export interface TestCertificates {
  /** The CA that signs the server's and the good client's certificates (the server trusts only it). */
  ca: string;
  otherCa: string;
  server: CertificatePair;
  client: CertificatePair;
  /** Signed by otherCa. */
  otherClient: CertificatePair;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const r = await runProcess({ command: 'openssl', args, cwd, timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${r.stderrTail}`);
}

export async function makeCertificates(dir: string): Promise<TestCertificates> {
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const ca = async (name: string) =>
    openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`].concat([
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.pem`,
      ]),
      dir,
    );
  const signed = async (name: string, by: string, subjectAltName: string): Promise<CertificatePair> => {
    await openssl(
      [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        `/CN=${name}`,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
      ],
      dir,
    );
    fs.writeFileSync(file(`${name}.ext`), `subjectAltName=${subjectAltName}\n`);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${by}.pem`,
        '-CAkey',
        `${by}.key`,
        '-CAcreateserial',
      ].concat(['-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`]),
      dir,
    );
    return { cert: file(`${name}.pem`), key: file(`${name}.key`) };
  };
  await Promise.all([ca('test-ca'), ca('other-ca')]);
  const [server, client, otherClient] = await Promise.all([
    signed('temporal-frontend', 'test-ca', 'IP:127.0.0.1,DNS:localhost'),
    signed('mlip-worker', 'test-ca', 'DNS:mlip-worker'),
    signed('stranger', 'other-ca', 'DNS:stranger'),
  ]);
  return { ca: file('test-ca.pem'), otherCa: file('other-ca.pem'), server, client, otherClient };
}
