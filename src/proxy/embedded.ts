/**
 * The proxy as `samsa start` runs it: on 127.0.0.1:8082 (`--proxy-port`; a free port when the broker itself was
 * given port 0, as tests do, so no test binds a standard port) against the broker's first
 * PLAINTEXT or SASL_PLAINTEXT listener; on a SASL listener it asks HTTP clients for basic
 * credentials; with the embedded registry's URL for the schema-based formats. A port in use or a broker with only TLS listeners is reported, not fatal.
 */
import { type RunningProxy, startProxy } from './server.ts';

export const EMBEDDED_PROXY_PORT = 8082;

export async function startEmbeddedProxy(
  listeners: readonly { protocol: string; host: string; port: number }[],
  brokerPortWasZero: boolean,
  registryUrl: string | undefined,
  log: (line: string) => void,
  /** `--proxy-port`; by default 8082, or a free port when the broker's was 0. */
  port?: number,
): Promise<RunningProxy | null> {
  const listener = listeners.find((l) => l.protocol === 'PLAINTEXT' || l.protocol === 'SASL_PLAINTEXT');
  if (listener === undefined) {
    log(
      'HTTP proxy not started: it needs a PLAINTEXT or SASL_PLAINTEXT listener (run `samsa proxy` with TLS settings)',
    );
    return null;
  }
  const host = listener.host === '0.0.0.0' || listener.host === '::' ? '127.0.0.1' : listener.host;
  try {
    const proxy = await startProxy({
      connection: { bootstrapBrokers: [`${host}:${listener.port}`] },
      host: '127.0.0.1',
      port: port ?? (brokerPortWasZero ? 0 : EMBEDDED_PROXY_PORT),
      authentication: listener.protocol === 'SASL_PLAINTEXT' ? 'basic' : 'none',
      ...(registryUrl !== undefined ? { registryUrl } : {}),
    });
    log(`HTTP proxy (Confluent REST Proxy API) on ${proxy.url}`);
    return proxy;
  } catch (err) {
    log(`HTTP proxy not started: ${(err as Error).message} (--no-proxy turns it off)`);
    return null;
  }
}
