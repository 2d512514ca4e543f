/**
 * The web console's server: fastify serving the prebuilt UI and a JSON API that speaks only the
 * Kafka protocol (as the logged-in user) and the Connect and registry REST APIs. With
 * `authentication: 'basic'` (a broker requiring SASL) every request needs HTTP basic credentials of
 * a SCRAM user; the browser asks for them, and the console then acts as that user, so ACLs and
 * tenant prefixes apply. Throughput comes from the broker's Prometheus endpoint when one is given.
 * Not implemented: creating and deleting ACLs.
 */
import fastify from 'fastify';
import type { KafkaConnectionOptions } from '../../client/connection-options.ts';
import { KafkaSide, type Principal, type ScramMechanism } from '../../proxy/kafka.ts';
import { ApiError, apiErrorOf } from './errors.ts';
import { registerKafkaApi } from './kafka-api.ts';
import { registerMetrics } from './metrics.ts';
import { RegistryDecoder } from './registry-decode.ts';
import { registerRestForward, type UrlSource } from './rest-forward.ts';
import { registerSecurityApi } from './security-api.ts';
import { registerStaticUi } from './static-ui.ts';

export interface ConsoleOptions {
  connection: KafkaConnectionOptions;
  host?: string;
  /** 0 picks a free port. */
  port: number;
  connectUrl?: UrlSource;
  registryUrl?: UrlSource;
  /** The broker's Prometheus endpoint (http://host:port/metrics), for throughput charts. */
  metricsUrl?: UrlSource;
  authentication?: 'none' | 'basic';
  saslMechanism?: ScramMechanism;
  /** Directory of the built UI (default dist/console/ui of the package). */
  uiDir?: string;
}

export interface RunningConsole {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const REALM = 'Basic realm="Samsa console", charset="UTF-8"';

function credentials(header: string | undefined): Principal | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const basic = options.authentication === 'basic';
  const kafka = new KafkaSide({
    connection: options.connection,
    ...(options.saslMechanism ? { mechanism: options.saslMechanism } : {}),
  });
  const app = fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  const principalOf = (header: string | undefined): Principal | null => {
    if (!basic) return null;
    const principal = credentials(header);
    if (principal === null) throw new ApiError(401, 'log in with the user name and password of a Kafka user');
    return principal;
  };

  app.addHook('onRequest', async (req, reply) => {
    if (!basic) return;
    const principal = credentials(req.headers.authorization);
    if (principal === null) {
      reply.header('www-authenticate', REALM).code(401).send({ error: 'log in with a Kafka user' });
      return reply;
    }
    try {
      await kafka.clients(principal);
    } catch (err) {
      const status = apiErrorOf(err).status;
      if (status === 401) {
        reply.header('www-authenticate', REALM).code(401).send({ error: 'wrong user name or password' });
        return reply;
      }
    }
  });
  app.setErrorHandler((err, _req, reply) => {
    const e = apiErrorOf(err);
    if (e.status === 401 && basic) reply.header('www-authenticate', REALM);
    reply.code(e.status).send({ error: e.message });
  });

  app.get('/api/session', async (req) => {
    const connect =
      typeof options.connectUrl === 'function' ? await options.connectUrl() : options.connectUrl;
    const registry =
      typeof options.registryUrl === 'function' ? await options.registryUrl() : options.registryUrl;
    const metrics =
      typeof options.metricsUrl === 'function' ? await options.metricsUrl() : options.metricsUrl;
    return {
      authentication: basic ? 'basic' : 'none',
      user: credentials(req.headers.authorization)?.username ?? null,
      connect: connect !== undefined,
      registry: registry !== undefined,
      metrics: metrics !== undefined,
    };
  });
  const clientsOf = (req: { headers: { authorization?: string | undefined } }) =>
    kafka.clients(principalOf(req.headers.authorization));
  const decoder = new RegistryDecoder();
  registerKafkaApi(app, clientsOf, async (req, messages) => {
    const url = typeof options.registryUrl === 'function' ? await options.registryUrl() : options.registryUrl;
    await decoder.decode(url, principalOf(req.headers.authorization), messages);
  });
  registerSecurityApi(app, clientsOf);
  registerMetrics(app, options.metricsUrl);
  registerRestForward(app, '/api/connect', 'Kafka Connect', options.connectUrl);
  registerRestForward(app, '/api/registry', 'The schema registry', options.registryUrl);
  app.all('/api/*', async () => {
    throw new ApiError(404, 'no such API');
  });
  registerStaticUi(app, options.uiDir);

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host === undefined || options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    async stop() {
      await app.close();
      await kafka.close();
      await decoder.close();
    },
  };
}
