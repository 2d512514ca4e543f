/**
 * The console as `samsa start` runs it: on 127.0.0.1:8080 (a free port when the broker itself was
 * given port 0, as tests do) against the broker's first PLAINTEXT or SASL_PLAINTEXT listener, with
 * the embedded registry and Connect worker (and the broker's metrics endpoint, when it has one); on a SASL listener it asks for a Kafka user's
 * credentials (HTTP basic). A port in use or a broker with only TLS listeners is reported, not fatal.
 */

import { type RunningConsole, startConsole } from './server/index.ts';
import type { UrlSource } from './server/rest-forward.ts';

export const EMBEDDED_CONSOLE_PORT = 8080;

export async function startEmbeddedConsole(
  listeners: readonly { protocol: string; host: string; port: number }[],
  brokerPortWasZero: boolean,
  services: { registryUrl?: UrlSource; connectUrl?: UrlSource; metricsUrl?: UrlSource },
  log: (line: string) => void,
): Promise<RunningConsole | null> {
  const listener = listeners.find((l) => l.protocol === 'PLAINTEXT' || l.protocol === 'SASL_PLAINTEXT');
  if (listener === undefined) {
    log('Console not started: it needs a PLAINTEXT or SASL_PLAINTEXT listener (run `samsa console`)');
    return null;
  }
  const host = listener.host === '0.0.0.0' || listener.host === '::' ? '127.0.0.1' : listener.host;
  try {
    const console = await startConsole({
      connection: { bootstrapBrokers: [`${host}:${listener.port}`] },
      host: '127.0.0.1',
      port: brokerPortWasZero ? 0 : EMBEDDED_CONSOLE_PORT,
      authentication: listener.protocol === 'SASL_PLAINTEXT' ? 'basic' : 'none',
      ...services,
    });
    log(`Console on ${console.url}`);
    return console;
  } catch (err) {
    log(`Console not started: ${(err as Error).message} (--no-console turns it off)`);
    return null;
  }
}
