/**
 * Where and how to reach Temporal, from the environment (src/config EnvSchema: TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, as Temporal's own tools name them): the address, the
 * namespace, the TLS material read and checked, the API key, and a summary that a log line may print. Every
 * problem that can be seen before connecting (a file that cannot be read, a certificate without its key, a
 * key that is not the certificate's, an expired certificate) is a TemporalConfigError naming the variable.
 */
import type { TLSConfig } from '@temporalio/client';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Env } from '../config';

export type TemporalEnv = Pick<
  Env,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'
  | 'TEMPORAL_TLS_SERVER_CA_CERT_DATA'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_TLS_CLIENT_CERT_PATH'
  | 'TEMPORAL_TLS_CLIENT_CERT_DATA'
  | 'TEMPORAL_TLS_CLIENT_KEY_PATH'
  | 'TEMPORAL_TLS_CLIENT_KEY_DATA'
>;

/** A setting that cannot work, found before any connection: the message names the variable to fix. */
export class TemporalConfigError extends Error {
  override name = 'TemporalConfigError';
}

export interface ClientCertificate {
  /** The certificate's subject and issuer, for messages (never the key). */
  subject: string;
  issuer: string;
  validTo: string;
}

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** undefined: plaintext; true: TLS with the system's CAs; else the CA, server name and client pair. */
  tls?: TLSConfig | true;
  apiKey?: string;
  clientCertificate?: ClientCertificate;
  /** Which variables gave what, for error messages: e.g. `TEMPORAL_TLS_SERVER_CA_CERT_PATH=/etc/ca.pem`. */
  sources: { serverCa?: string; clientCert?: string; clientKey?: string };
  /** For logs: address, namespace and how it is secured. No secret, no key, no API key. */
  summary: string;
}

type PemName = 'TEMPORAL_TLS_SERVER_CA_CERT' | 'TEMPORAL_TLS_CLIENT_CERT' | 'TEMPORAL_TLS_CLIENT_KEY';

/**
 * One PEM input, from its _PATH or its _DATA variable (not both): `variable` is the one set, `label` what a
 * message shows of it (the variable, with the path for a file; never the data).
 */
function readPem(
  env: TemporalEnv,
  name: PemName,
): { pem: Buffer; variable: string; label: string } | undefined {
  const file = env[`${name}_PATH`];
  const data = env[`${name}_DATA`];
  if (file !== undefined && data !== undefined)
    throw new TemporalConfigError(`${name}_PATH and ${name}_DATA are both set: keep one of them`);
  if (data !== undefined)
    return { pem: Buffer.from(data, 'utf8'), variable: `${name}_DATA`, label: `${name}_DATA` };
  if (file === undefined) return undefined;
  try {
    return { pem: fs.readFileSync(file), variable: `${name}_PATH`, label: `${name}_PATH=${file}` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new TemporalConfigError(`${name}_PATH: cannot read ${file} (${why})`);
  }
}

function certificate(pem: Buffer, label: string): crypto.X509Certificate {
  try {
    return new crypto.X509Certificate(pem);
  } catch {
    throw new TemporalConfigError(`${label} is not a PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
}

const oneLine = (dn: string) => dn.split('\n').filter(Boolean).join(', ');

type Pem = NonNullable<ReturnType<typeof readPem>>;

/** The checked connection target; throws TemporalConfigError. `now` decides what is expired. */
export function temporalTarget(env: TemporalEnv, now: Date = new Date()): TemporalTarget {
  const serverCa = readPem(env, 'TEMPORAL_TLS_SERVER_CA_CERT');
  const clientCert = readPem(env, 'TEMPORAL_TLS_CLIENT_CERT');
  const clientKey = readPem(env, 'TEMPORAL_TLS_CLIENT_KEY');
  const useTls = tlsWanted(env, [serverCa, clientCert, clientKey]);
  if ((clientCert === undefined) !== (clientKey === undefined))
    throw new TemporalConfigError(
      clientCert
        ? `${clientCert.variable} is set but TEMPORAL_TLS_CLIENT_KEY_PATH is not: mutual TLS needs the certificate's private key too`
        : `${clientKey!.variable} is set but TEMPORAL_TLS_CLIENT_CERT_PATH is not: mutual TLS needs the certificate too`,
    );
  if (serverCa) certificate(serverCa.pem, serverCa.label);
  const client = clientCert && clientKey ? checkedClientPair(clientCert, clientKey, now) : undefined;

  let tls: TemporalTarget['tls'];
  if (useTls) {
    const config: TLSConfig = {
      ...(serverCa ? { serverRootCACertificate: serverCa.pem } : {}),
      ...(env.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME } : {}),
      ...(clientCert && clientKey ? { clientCertPair: { crt: clientCert.pem, key: clientKey.pem } } : {}),
    };
    tls = Object.keys(config).length > 0 ? config : true;
  }
  return {
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    ...(tls !== undefined ? { tls } : {}),
    ...(env.TEMPORAL_API_KEY !== undefined ? { apiKey: env.TEMPORAL_API_KEY } : {}),
    ...(client ? { clientCertificate: client } : {}),
    sources: {
      ...(serverCa ? { serverCa: serverCa.label } : {}),
      ...(clientCert ? { clientCert: clientCert.label } : {}),
      ...(clientKey ? { clientKey: clientKey.label } : {}),
    },
    summary: `Temporal ${env.TEMPORAL_ADDRESS} (namespace ${env.TEMPORAL_NAMESPACE}; ${security(env, useTls, serverCa, client)})`,
  };
}

/**
 * Whether to connect with TLS: as TEMPORAL_TLS says, else when any TLS material or an API key is given.
 * TEMPORAL_TLS=false with either is refused: it would be ignored, or sent in the clear.
 */
function tlsWanted(env: TemporalEnv, pems: (Pem | undefined)[]): boolean {
  const tlsSettings = [
    ...pems.map((p) => p?.variable),
    env.TEMPORAL_TLS_SERVER_NAME !== undefined ? 'TEMPORAL_TLS_SERVER_NAME' : undefined,
  ].filter((s): s is string => s !== undefined);
  if (env.TEMPORAL_TLS === false && tlsSettings.length > 0)
    throw new TemporalConfigError(
      `TEMPORAL_TLS=false, but ${tlsSettings.join(', ')} ${tlsSettings.length > 1 ? 'are' : 'is'} set: unset TEMPORAL_TLS to use them, or unset them`,
    );
  if (env.TEMPORAL_TLS === false && env.TEMPORAL_API_KEY !== undefined)
    throw new TemporalConfigError(
      'TEMPORAL_TLS=false, but TEMPORAL_API_KEY is set: an API key is only sent over TLS; unset TEMPORAL_TLS',
    );
  return env.TEMPORAL_TLS ?? (tlsSettings.length > 0 || env.TEMPORAL_API_KEY !== undefined);
}

/** The client certificate, checked against its key and `now`. */
function checkedClientPair(clientCert: Pem, clientKey: Pem, now: Date): ClientCertificate {
  const cert = certificate(clientCert.pem, clientCert.label);
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(clientKey.pem);
  } catch {
    throw new TemporalConfigError(
      `${clientKey.label} is not a PEM private key (-----BEGIN PRIVATE KEY-----)`,
    );
  }
  if (!cert.checkPrivateKey(key))
    throw new TemporalConfigError(
      `${clientKey.label} is not the key of ${clientCert.label} (${oneLine(cert.subject)}): give the key the certificate was made for`,
    );
  if (new Date(cert.validTo) < now)
    throw new TemporalConfigError(
      `${clientCert.label} (${oneLine(cert.subject)}) expired on ${cert.validTo}: get a new client certificate`,
    );
  if (new Date(cert.validFrom) > now)
    throw new TemporalConfigError(
      `${clientCert.label} (${oneLine(cert.subject)}) is not valid before ${cert.validFrom}: check this host's clock`,
    );
  return { subject: oneLine(cert.subject), issuer: oneLine(cert.issuer), validTo: cert.validTo };
}

/** How the connection is secured, for the summary. */
function security(
  env: TemporalEnv,
  useTls: boolean,
  serverCa: Pem | undefined,
  client: ClientCertificate | undefined,
): string {
  if (!useTls) return 'plaintext';
  return [
    client ? `mutual TLS (client certificate ${client.subject})` : 'TLS',
    serverCa ? `server CA from ${serverCa.variable}` : "the system's CAs",
    ...(env.TEMPORAL_TLS_SERVER_NAME ? [`server name ${env.TEMPORAL_TLS_SERVER_NAME}`] : []),
    ...(env.TEMPORAL_API_KEY !== undefined ? ['API key'] : []),
  ].join(', ');
}
