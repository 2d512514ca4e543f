/**
 * Kafka Connect's REST API on fastify: the same paths, bodies, status codes and
 * `{"error_code", "message"}` errors. Requests that change the cluster's configuration are served
 * by the group's leader; any other worker forwards them there (undici), as Kafka Connect does.
 * Reads are answered from this worker's view of the config and status topics.
 *
 * Not implemented: `PATCH /connectors/{name}/config` merges only (no nulls to delete keys), the
 * `/admin/loggers` endpoints, and request signing between workers (the sessioned protocol).
 */
import { createRequire } from 'node:module';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { Registry } from 'prom-client';
import { addMetricsRoute, countRequests } from '../../metrics/fastify.ts';
import type { ConnectConfig, SourceMap } from '../api/index.ts';
import type { TargetState } from '../runtime/config-store.ts';
import { invalidConfigMessage, validateConnectorConfig } from '../runtime/connector-config.ts';
import { ConnectRestError, type Herder } from '../runtime/herder.ts';
import { type Plugins, RUNTIME_VERSION } from '../runtime/plugins.ts';

export interface RestServerOptions {
  herder: Herder;
  plugins: Plugins;
  clusterId: () => string;
  /** Served at GET /metrics (Prometheus text format). */
  metrics?: Registry;
}

const FORWARDED = 'x-samsa-connect-forwarded';
/** How long a request that needs the leader waits for a rebalance to finish. */
const REBALANCE_WAIT_MS = 30_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function stringConfig(v: unknown): ConnectConfig {
  if (!isObject(v)) throw new ConnectRestError(400, 'Connector config must be a JSON object');
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (value === null || value === undefined) continue;
    out[k] =
      typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}

function flag(value: unknown): boolean {
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

type SchemaControllerOptions = NonNullable<FastifyServerOptions['schemaController']>;
type Factories = Required<NonNullable<SchemaControllerOptions['compilersFactory']>>;
const requireFastifyDep = createRequire(createRequire(import.meta.url).resolve('fastify'));
let validatorFactory: Factories['buildValidator'] | undefined;
let serializerFactory: Factories['buildSerializer'] | undefined;

/**
 * fastify's default schema compilers, required when fastify first asks for one. fastify requires
 * them when an instance is created, and with them ajv, ajv-formats and fast-json-stringify (~120
 * modules, ~1.5 MB of an idle worker's heap); no route here has a schema, so they are never asked
 * for. A route given a schema later gets the same compilers as before.
 */
const LAZY_SCHEMA_COMPILERS: SchemaControllerOptions = {
  compilersFactory: {
    buildValidator: (...args: Parameters<Factories['buildValidator']>) => {
      validatorFactory ??= (
        requireFastifyDep('@fastify/ajv-compiler') as () => Factories['buildValidator']
      )();
      return validatorFactory(...args);
    },
    buildSerializer: (...args: Parameters<Factories['buildSerializer']>) => {
      serializerFactory ??= (
        requireFastifyDep('@fastify/fast-json-stringify-compiler') as () => Factories['buildSerializer']
      )();
      return serializerFactory(...args);
    },
  },
};

export function buildRestServer(options: RestServerOptions): FastifyInstance {
  const { herder, plugins } = options;
  const app = Fastify({
    logger: false,
    bodyLimit: 10 * 1024 * 1024,
    schemaController: LAZY_SCHEMA_COMPILERS,
  });

  // Kafka Connect answers malformed JSON with 500 and the parser's message.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(
        new ConnectRestError(500, `Unexpected character in JSON body: ${(err as Error).message}`),
        undefined,
      );
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(
        new ConnectRestError(415, `HTTP 415 Unsupported Media Type: ${(err as Error).message}`),
        undefined,
      );
    }
  });

  app.setErrorHandler((err: Error, _req, reply) => {
    const status =
      err instanceof ConnectRestError ? err.status : ((err as { statusCode?: number }).statusCode ?? 500);
    if (status >= 500 && !(err instanceof ConnectRestError))
      herder.logger.error({ err }, 'REST request failed');
    else herder.logger.info({ status, message: err.message }, 'REST request refused');
    void reply.status(status).send({ error_code: status, message: err.message });
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.status(404).send({ error_code: 404, message: 'HTTP 404 Not Found' });
  });

  /** Serves on the leader, forwards from any other worker. */
  async function leaderOnly(
    req: FastifyRequest,
    reply: FastifyReply,
    serve: () => Promise<unknown>,
  ): Promise<unknown> {
    // During a rebalance nobody leads: wait for it to finish, as Kafka Connect's herder queues requests.
    const deadline = Date.now() + REBALANCE_WAIT_MS;
    while (herder.leaderUrl() === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (herder.isLeader()) return serve();
    const leader = herder.leaderUrl();
    if (leader === null || req.headers[FORWARDED]) {
      throw new ConnectRestError(
        409,
        'Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.',
      );
    }
    return forward(`${leader}${req.url}`, req, reply);
  }

  async function forward(url: string, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    // Imported on the first forward: undici is ~5 MB of an idle worker's RSS (docs/benchmarks.md).
    const { request } = await import('undici');
    const response = await request(url, {
      method: req.method as 'GET',
      headers: { 'content-type': 'application/json', [FORWARDED]: '1' },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
    });
    const text = await response.body.text();
    void reply.status(response.statusCode);
    const location = response.headers.location;
    if (typeof location === 'string') void reply.header('location', location);
    if (text === '') return reply.send();
    void reply.header('content-type', 'application/json');
    return reply.send(text);
  }

  if (options.metrics) {
    addMetricsRoute(app, options.metrics);
    countRequests(app, options.metrics, 'kafka_connect_rest');
  }

  app.get('/', async () => ({
    version: RUNTIME_VERSION,
    commit: 'samsa',
    kafka_cluster_id: options.clusterId(),
  }));

  app.get('/connectors', async (req) => {
    const query = req.query as { expand?: string | string[] };
    const expand = new Set([query.expand ?? []].flat());
    const names = herder.connectorNames();
    if (expand.size === 0) return names;
    const out: Record<string, Record<string, unknown>> = {};
    for (const name of names) {
      const entry: Record<string, unknown> = {};
      if (expand.has('status')) entry.status = herder.connectorStatus(name);
      if (expand.has('info')) entry.info = herder.connectorInfo(name);
      out[name] = entry;
    }
    return out;
  });

  async function checkedConfig(name: string, config: ConnectConfig): Promise<ConnectConfig> {
    const className = config['connector.class'];
    if (className === undefined || className.trim() === '') {
      throw new ConnectRestError(
        400,
        `Connector config ${JSON.stringify(config)} contains no connector type`,
      );
    }
    const plugin = await plugins.loadConnector(className);
    if (!plugin) throw new ConnectRestError(500, plugins.unknownConnectorMessage(className));
    const withName = { ...config, name };
    const infos = await validateConnectorConfig(plugins, plugin, withName);
    if (infos.error_count > 0) throw new ConnectRestError(400, invalidConfigMessage(infos));
    return withName;
  }

  function checkName(name: unknown): string {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new ConnectRestError(400, 'Connector name cannot be empty');
    }
    if (name.includes('/')) throw new ConnectRestError(400, "connector name should not contain '/'");
    return name.trim();
  }

  app.post('/connectors', async (req, reply) => {
    const body = req.body;
    if (!isObject(body))
      throw new ConnectRestError(400, 'Request body must be a JSON object with "name" and "config"');
    const name = checkName(body.name);
    if (body.config === undefined || body.config === null)
      throw new ConnectRestError(400, 'Connector config cannot be null');
    const raw = stringConfig(body.config);
    if (raw.name !== undefined && raw.name !== name) {
      throw new ConnectRestError(
        400,
        `Connector name configuration (${raw.name}) doesn't match connector name in the URL (${name})`,
      );
    }
    const initial = body.initial_state === undefined ? undefined : String(body.initial_state).toUpperCase();
    if (initial !== undefined && !['RUNNING', 'PAUSED', 'STOPPED'].includes(initial)) {
      throw new ConnectRestError(
        400,
        `Invalid initial state ${body.initial_state}; must be one of RUNNING, PAUSED, STOPPED`,
      );
    }
    return leaderOnly(req, reply, async () => {
      const config = await checkedConfig(name, raw);
      const state: TargetState | undefined =
        initial === 'RUNNING' ? 'STARTED' : (initial as TargetState | undefined);
      await herder.putConnectorConfig(name, config, {
        createOnly: true,
        ...(state ? { initialState: state } : {}),
      });
      void reply.status(201).header('location', `/connectors/${encodeURIComponent(name)}`);
      return herder.connectorInfo(name);
    });
  });

  app.get<{ Params: { name: string } }>('/connectors/:name', async (req) =>
    herder.connectorInfo(req.params.name),
  );
  app.get<{ Params: { name: string } }>(
    '/connectors/:name/config',
    async (req) => herder.connectorInfo(req.params.name).config,
  );

  app.put<{ Params: { name: string } }>('/connectors/:name/config', async (req, reply) => {
    const name = checkName(req.params.name);
    const raw = stringConfig(req.body);
    if (raw.name !== undefined && raw.name !== name) {
      throw new ConnectRestError(
        400,
        `Connector name configuration (${raw.name}) doesn't match connector name in the URL (${name})`,
      );
    }
    return leaderOnly(req, reply, async () => {
      const config = await checkedConfig(name, raw);
      const { created } = await herder.putConnectorConfig(name, config, { createOnly: false });
      void reply.status(created ? 201 : 200);
      if (created) void reply.header('location', `/connectors/${encodeURIComponent(name)}`);
      return herder.connectorInfo(name);
    });
  });

  app.patch<{ Params: { name: string } }>('/connectors/:name/config', async (req, reply) => {
    const name = req.params.name;
    const patch = isObject(req.body) ? req.body : {};
    return leaderOnly(req, reply, async () => {
      const current = herder.connectorInfo(name).config;
      const merged: Record<string, string> = { ...current };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete merged[k];
        else merged[k] = typeof v === 'string' ? v : String(v);
      }
      const config = await checkedConfig(name, merged);
      await herder.putConnectorConfig(name, config, { createOnly: false });
      return herder.connectorInfo(name);
    });
  });

  app.get<{ Params: { name: string } }>('/connectors/:name/status', async (req) =>
    herder.connectorStatus(req.params.name),
  );
  app.get<{ Params: { name: string } }>('/connectors/:name/tasks', async (req) =>
    herder.taskConfigs(req.params.name),
  );

  app.post<{ Params: { name: string } }>('/connectors/:name/tasks', async (req, reply) => {
    if (!Array.isArray(req.body)) throw new ConnectRestError(400, 'Task configs must be a JSON array');
    const configs = req.body.map((c) => stringConfig(c));
    return leaderOnly(req, reply, async () => {
      await herder.putTaskConfigs(req.params.name, configs);
      void reply.status(204);
      return reply.send();
    });
  });

  function taskId(text: string): number {
    if (!/^\d+$/.test(text)) throw new ConnectRestError(404, `HTTP 404 Not Found`);
    return Number(text);
  }

  app.get<{ Params: { name: string; task: string } }>('/connectors/:name/tasks/:task/status', async (req) =>
    herder.taskStatus(req.params.name, taskId(req.params.task)),
  );

  app.post<{ Params: { name: string } }>('/connectors/:name/restart', async (req, reply) => {
    const q = req.query as Record<string, string>;
    const includeTasks = flag(q.includeTasks);
    const onlyFailed = flag(q.onlyFailed);
    const name = req.params.name;
    herder.connectorInfo(name); // 404 when unknown
    return leaderOnly(req, reply, async () => {
      await herder.restartConnector(name, includeTasks, onlyFailed);
      if (!includeTasks && !onlyFailed) {
        void reply.status(204);
        return reply.send();
      }
      // 202 with the states the restart will pass through (Kafka's plan).
      const status = herder.connectorStatus(name);
      const restarting = (s: { state: string }) =>
        !onlyFailed || s.state === 'FAILED' ? 'RESTARTING' : s.state;
      void reply.status(202);
      return {
        ...status,
        connector: { ...status.connector, state: restarting(status.connector) },
        tasks: status.tasks.map((t) => ({ ...t, state: includeTasks ? restarting(t) : t.state })),
      };
    });
  });

  app.post<{ Params: { name: string; task: string } }>(
    '/connectors/:name/tasks/:task/restart',
    async (req, reply) => {
      const name = req.params.name;
      const id = taskId(req.params.task);
      herder.taskStatus(name, id);
      if (await herder.restartTask(name, id)) {
        void reply.status(204);
        return reply.send();
      }
      if (req.headers[FORWARDED] && !herder.isLeader()) {
        throw new ConnectRestError(409, 'Cannot complete request because the task moved (worker rebalance)');
      }
      if (herder.isLeader()) {
        const owner = herder.ownerUrl(name, id);
        if (!owner)
          throw new ConnectRestError(409, `Task ${name}-${id} is not assigned; a rebalance may be underway`);
        return forward(`${owner}${req.url}`, req, reply);
      }
      return leaderOnly(req, reply, async () => undefined);
    },
  );

  for (const [path, state, code] of [
    ['pause', 'PAUSED', 202],
    ['resume', 'STARTED', 202],
    ['stop', 'STOPPED', 204],
  ] as const) {
    app.put<{ Params: { name: string } }>(`/connectors/:name/${path}`, async (req, reply) => {
      herder.connectorInfo(req.params.name);
      return leaderOnly(req, reply, async () => {
        await herder.setTargetState(req.params.name, state);
        void reply.status(code);
        return reply.send();
      });
    });
  }

  app.delete<{ Params: { name: string } }>('/connectors/:name', async (req, reply) => {
    herder.connectorInfo(req.params.name);
    return leaderOnly(req, reply, async () => {
      await herder.deleteConnector(req.params.name);
      void reply.status(204);
      return reply.send();
    });
  });

  app.get<{ Params: { name: string } }>('/connectors/:name/topics', async (req) => ({
    [req.params.name]: { topics: herder.topics(req.params.name) },
  }));

  app.put<{ Params: { name: string } }>('/connectors/:name/topics/reset', async (req, reply) => {
    await herder.resetTopics(req.params.name);
    void reply.status(202);
    return reply.send();
  });

  app.get<{ Params: { name: string } }>('/connectors/:name/offsets', async (req) =>
    herder.offsets(req.params.name),
  );

  app.patch<{ Params: { name: string } }>('/connectors/:name/offsets', async (req, reply) => {
    const body = req.body;
    if (!isObject(body) || !Array.isArray(body.offsets)) {
      throw new ConnectRestError(400, 'Offsets must be specified as an "offsets" array');
    }
    const entries = body.offsets.map((e: unknown) => {
      if (!isObject(e) || !isObject(e.partition))
        throw new ConnectRestError(400, 'Each offset entry needs a "partition" object');
      if (e.offset !== null && !isObject(e.offset))
        throw new ConnectRestError(400, 'Each offset entry needs an "offset" object or null');
      return { partition: e.partition as SourceMap, offset: (e.offset ?? null) as SourceMap | null };
    });
    herder.connectorInfo(req.params.name);
    return leaderOnly(req, reply, async () => {
      await herder.alterOffsets(req.params.name, entries);
      return { message: 'The offsets for this connector have been altered successfully' };
    });
  });

  app.delete<{ Params: { name: string } }>('/connectors/:name/offsets', async (req, reply) => {
    herder.connectorInfo(req.params.name);
    return leaderOnly(req, reply, async () => {
      await herder.resetOffsets(req.params.name);
      return { message: 'The offsets for this connector have been reset successfully' };
    });
  });

  app.get('/connector-plugins', async (req) => {
    const q = req.query as Record<string, string>;
    return plugins.list(q.connectorsOnly === undefined ? true : flag(q.connectorsOnly));
  });

  app.get<{ Params: { plugin: string } }>('/connector-plugins/:plugin/config', async (req) => {
    const plugin = await plugins.loadConnector(req.params.plugin);
    if (!plugin) throw new ConnectRestError(404, `Unknown plugin ${req.params.plugin}.`);
    const infos = await validateConnectorConfig(plugins, plugin, { 'connector.class': plugin.className });
    return infos.configs.map((c) => c.definition);
  });

  app.put<{ Params: { plugin: string } }>('/connector-plugins/:plugin/config/validate', async (req) => {
    const config = stringConfig(req.body);
    const pluginName = req.params.plugin;
    const className = config['connector.class'];
    if (className === undefined)
      throw new ConnectRestError(400, 'Connector config must include the connector.class property');
    const plugin = await plugins.loadConnector(className);
    const urlPlugin = plugins.connector(pluginName);
    if (!plugin) throw new ConnectRestError(500, plugins.unknownConnectorMessage(className));
    if (urlPlugin && urlPlugin.className !== plugin.className) {
      throw new ConnectRestError(
        400,
        'Included connector type ' + className + ' does not match request type ' + pluginName,
      );
    }
    return validateConnectorConfig(plugins, plugin, config);
  });

  return app;
}
