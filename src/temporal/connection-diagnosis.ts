/**
 * Why a connection to Temporal failed, in words that say what to fix. The SDK's own errors do not tell:
 * the Node client reports "Failed to connect before the deadline" for an untrusted server, a wrong server
 * name and a refused client certificate alike, and a TLS proxy that refuses a client certificate answers
 * HTTP 400, which reaches the worker as "invalid compression flag". So after a failure the same TLS
 * settings are tried once more with Node's own TLS and HTTP/2, whose errors are precise, and the outcome is
 * turned into one message (explainFailure, pure and table-tested).
 */
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { TemporalTarget } from './connection-target';

export type ProbeOutcome =
  /** Nothing answers: refused, no such host, or silent. */
  | { kind: 'unreachable'; code: string }
  /** The TLS handshake failed on our side (the server's certificate) or with the server's alert. */
  | { kind: 'tls-failed'; code: string; message: string; serverNames?: string[]; issuer?: string }
  /** TLS up, then the server (or its proxy) answered the gRPC request with HTTP `status`. */
  | { kind: 'http'; status: number; text: string }
  /** The server speaks TLS although none was configured. */
  | { kind: 'speaks-tls' }
  /** The server answers plaintext gRPC although TLS was configured... or nothing seen is wrong. */
  | { kind: 'no-tls-problem' };

const PROBE_TIMEOUT_MS = 4_000;

function hostAndPort(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  return m ? { host: m[1]!, port: Number(m[2]) } : { host: address, port: 7233 };
}

/** The names a certificate is for (its subjectAltName entries), for a name-mismatch message. */
function altNames(cert: tls.PeerCertificate | undefined): string[] | undefined {
  const san = cert?.subjectaltname;
  return san ? san.split(', ').map((n) => n.replace(/^(DNS|IP Address):/, '')) : undefined;
}

/** One TLS connection with the target's settings, and one gRPC request over HTTP/2 on it. */
export function probeConnection(target: TemporalTarget): Promise<ProbeOutcome> {
  const { host, port } = hostAndPort(target.address);
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const socket = tls.connect(probeTlsOptions(target, host, port));
    const timer = setTimeout(
      () => done(target.tls ? { kind: 'unreachable', code: 'ETIMEDOUT' } : { kind: 'no-tls-problem' }),
      PROBE_TIMEOUT_MS,
    );
    socket.once('error', (err: NodeJS.ErrnoException & { serverNames?: string[] }) =>
      done(socketFailure(target, socket, err)),
    );
    socket.once('secureConnect', () => {
      if (!target.tls) return done({ kind: 'speaks-tls' });
      // A TLS 1.3 server refuses a client certificate after the handshake: the request surfaces it.
      askSystemInfo(socket, host, port, target.apiKey, done);
    });
  });
}

/** The target's TLS settings as Node's: the CA, the server name, the client pair. */
function probeTlsOptions(target: TemporalTarget, host: string, port: number): tls.ConnectionOptions {
  const config = typeof target.tls === 'object' ? target.tls : {};
  const servername = config.serverNameOverride ?? (net.isIP(host) ? undefined : host);
  return {
    host,
    port,
    ALPNProtocols: ['h2'],
    ...(servername ? { servername } : {}),
    ...(config.serverRootCACertificate ? { ca: Buffer.from(config.serverRootCACertificate) } : {}),
    ...(config.clientCertPair
      ? { cert: Buffer.from(config.clientCertPair.crt), key: Buffer.from(config.clientCertPair.key) }
      : {}),
    // Without TLS configured, only "does it speak TLS at all?" is asked.
    rejectUnauthorized: target.tls !== undefined,
    checkServerIdentity: (name, cert) => {
      const err = tls.checkServerIdentity(config.serverNameOverride ?? name ?? host, cert);
      if (err) Object.assign(err, { serverNames: altNames(cert) });
      return err;
    },
  };
}

/** What the connection's error says: nothing there, or a TLS failure (with the server's names and issuer). */
function socketFailure(
  target: TemporalTarget,
  socket: tls.TLSSocket,
  err: NodeJS.ErrnoException & { serverNames?: string[] },
): ProbeOutcome {
  const code = err.code ?? 'ERROR';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(code))
    return { kind: 'unreachable', code };
  if (!target.tls) return { kind: 'no-tls-problem' };
  const peer = socket.getPeerCertificate?.();
  return {
    kind: 'tls-failed',
    code,
    message: err.message,
    ...(err.serverNames ? { serverNames: err.serverNames } : {}),
    ...(peer?.issuer?.CN ? { issuer: `CN=${peer.issuer.CN}` } : {}),
  };
}

/** GetSystemInfo over HTTP/2 on the TLS socket: how the server (or its proxy) answers a gRPC request. */
function askSystemInfo(
  socket: tls.TLSSocket,
  host: string,
  port: number,
  apiKey: string | undefined,
  done: (outcome: ProbeOutcome) => void,
): void {
  const session = http2.connect(`https://${host}:${port}`, { createConnection: () => socket });
  session.once('error', (err: NodeJS.ErrnoException) =>
    done({ kind: 'tls-failed', code: err.code ?? 'ERROR', message: err.message }),
  );
  const request = session.request({
    ':method': 'POST',
    ':path': '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo',
    'content-type': 'application/grpc',
    te: 'trailers',
    ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
  });
  request.once('error', (err: NodeJS.ErrnoException) =>
    done({ kind: 'tls-failed', code: err.code ?? 'ERROR', message: err.message }),
  );
  let status = 0;
  let body = '';
  request.once('response', (headers) => (status = Number(headers[':status'])));
  request.on('data', (chunk: Buffer) => (body += chunk.toString('latin1').slice(0, 2000)));
  request.once('end', () => {
    session.close();
    if (status === 200) return done({ kind: 'no-tls-problem' });
    const text =
      /<title>([^<]*)<\/title>/i.exec(body)?.[1] ?? /<h1>([^<]*)<\/h1>/i.exec(body)?.[1] ?? body.trim();
    done({ kind: 'http', status, text: text.slice(0, 200) });
  });
  request.end(Buffer.alloc(5)); // an empty gRPC message: flag 0, length 0
}

const UNTRUSTED_SERVER = [
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
];
/** Alerts a server sends when it wants a client certificate and got none, or one it does not trust. */
const CLIENT_CERT_REFUSED =
  /CERTIFICATE_REQUIRED|UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE|ACCESS_DENIED|certificate/i;

/**
 * The message for a failed connection: what failed, the settings involved (their variables, never a secret)
 * and what to set. `original` is the SDK's error message, kept when the probe saw nothing more precise.
 */
export function explainFailure(target: TemporalTarget, outcome: ProbeOutcome, original: string): string {
  const at = `cannot connect to Temporal at ${target.address}`;
  const caFrom = target.sources.serverCa ? ` (now ${target.sources.serverCa})` : " (now: the system's CAs)";
  const clientPair = target.clientCertificate
    ? `the client certificate ${target.sources.clientCert} (${target.clientCertificate.subject}, issued by ${target.clientCertificate.issuer})`
    : undefined;
  switch (outcome.kind) {
    case 'unreachable':
      return `${at}: nothing answers there (${outcome.code}); check TEMPORAL_ADDRESS (for the dev server: ./temporal-dev.sh up)`;
    case 'speaks-tls':
      return `${at}: the server speaks TLS and this connection does not: set TEMPORAL_TLS=true, and TEMPORAL_TLS_SERVER_CA_CERT_PATH if its CA is a private one`;
    case 'tls-failed': {
      if (UNTRUSTED_SERVER.includes(outcome.code))
        return `${at}: the server's certificate${outcome.issuer ? ` (issued by ${outcome.issuer})` : ''} is not signed by a CA this client trusts${caFrom}: set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed it`;
      if (outcome.code === 'CERT_HAS_EXPIRED')
        return `${at}: the server's certificate has expired: renew it on the server (or its TLS proxy)`;
      if (outcome.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
        const names = outcome.serverNames ? ` (it is for ${outcome.serverNames.join(', ')})` : '';
        return `${at}: the server's certificate is not for the name checked${names}: set TEMPORAL_TLS_SERVER_NAME to one of its names, or connect by that name`;
      }
      if (
        /WRONG_VERSION_NUMBER|wrong version number|packet length too long/i.test(
          `${outcome.code} ${outcome.message}`,
        )
      )
        return `${at}: the server does not speak TLS: set TEMPORAL_TLS=false and unset the TEMPORAL_TLS_* files, or point TEMPORAL_ADDRESS at its TLS port`;
      if (CLIENT_CERT_REFUSED.test(`${outcome.code} ${outcome.message}`))
        return clientCertRefused(at, clientPair);
      return `${at}: TLS failed (${outcome.code}: ${outcome.message})`;
    }
    case 'http':
      if (outcome.status === 400 && /certificate/i.test(outcome.text))
        return clientCertRefused(at, clientPair, ` (its TLS proxy says "${outcome.text}")`);
      if (outcome.status === 401 || outcome.status === 403)
        return `${at}: the server refuses these credentials (HTTP ${outcome.status}${outcome.text ? `: ${outcome.text}` : ''}): check TEMPORAL_API_KEY or the client certificate`;
      return `${at}: the server answered HTTP ${outcome.status}${outcome.text ? ` (${outcome.text})` : ''}, not gRPC: check TEMPORAL_ADDRESS`;
    case 'no-tls-problem':
      if (/UNAUTHENTICATED|PERMISSION_DENIED|Unauthorized|api key/i.test(original))
        return `${at}: the server refuses these credentials: check TEMPORAL_API_KEY (${firstLine(original)})`;
      return target.tls === undefined
        ? `${at}: ${firstLine(original)}; start it with ./temporal-dev.sh up or set TEMPORAL_ADDRESS (and TEMPORAL_TLS* for a secured cluster)`
        : `${at}: ${firstLine(original)}`;
  }
}

function clientCertRefused(at: string, clientPair: string | undefined, detail = ''): string {
  return clientPair
    ? `${at}: the server refuses ${clientPair}${detail}: give a certificate signed by the CA the server trusts (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH)`
    : `${at}: the server requires a client certificate (mutual TLS)${detail}: set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH`;
}

const firstLine = (s: string) => s.split('\n')[0]!;
