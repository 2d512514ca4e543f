/**
 * Opens one socket server per listener: plain TCP for PLAINTEXT / SASL_PLAINTEXT, TLS from PEM
 * files for SSL / SASL_SSL (client certificates none / requested / required). On SSL listeners a
 * verified client certificate gives the principal (`User:<subject DN>`, mapped by the principal
 * mapping rules); otherwise it is ANONYMOUS until SASL says who it is. Plain TCP sockets read into
 * the process's shared read buffer (shared-read-buffer.ts); TLS sockets emit 'data' as usual.
 */
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { distinguishedName, principalMapper } from './auth/principal.ts';
import { type BrokerConfig, ConfigError } from './config.ts';
import type { ListenerAddress } from './handler.ts';
import { type ListenerSpec, usesTls } from './listeners.ts';
import { adoptAccepted } from './shared-read-buffer.ts';

export type AcceptFn = (socket: Socket, listener: ListenerAddress, principal?: string) => void;

function readPem(path: string | undefined, what: string): Buffer {
  if (!path) throw new ConfigError(`an SSL listener needs --${what}`);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`cannot read --${what} ${path}: ${(err as Error).message}`);
  }
}

/** Creates the (not yet listening) server for a listener; `address` is filled in once bound. */
export function createListenerServer(
  spec: ListenerSpec,
  config: BrokerConfig,
  address: ListenerAddress,
  accept: AcceptFn,
): Server {
  if (!usesTls(spec.protocol)) {
    // Paused: the socket's handle moves to one that reads into the shared buffer first.
    const server = createTcpServer({ noDelay: true, pauseOnConnect: true });
    server.on('connection', (socket) => accept(adoptAccepted(socket, server), address));
    return server;
  }
  const mapper = principalMapper(config.tlsPrincipalMapping);
  const server = createTlsServer({
    key: readPem(config.tlsKey, 'tls-key'),
    cert: readPem(config.tlsCert, 'tls-cert'),
    ca: config.tlsCa ? readPem(config.tlsCa, 'tls-ca') : undefined,
    requestCert: config.tlsClientAuth !== 'none',
    rejectUnauthorized: config.tlsClientAuth === 'required',
    noDelay: true,
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    let principal: string | undefined;
    if (spec.protocol === 'SSL' && socket.authorized) {
      const cert = socket.getPeerCertificate();
      if (cert?.subject)
        principal = `User:${mapper(distinguishedName(cert.subject as unknown as Record<string, string>))}`;
    }
    accept(socket, address, principal);
  });
  server.on('tlsClientError', () => {});
  return server;
}
