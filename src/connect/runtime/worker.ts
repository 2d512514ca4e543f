/**
 * `startWorker(options)`: a Connect worker in this process — the Kafka clients, the config, offset
 * and status stores (internal topics in distributed mode; memory and an offsets file in standalone
 * mode), group membership, the herder and the REST server. Used by `samsa connect`, by
 * `samsa start` (embedded worker) and by tests. Resolves once the worker has joined its group and
 * serves requests; `stop()` stops the tasks (committing their offsets), leaves the group and
 * closes everything.
 */
import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import { createAdmin, createConsumer, createProducer } from '../../client/clients.ts';
import { connectionOptions, type KafkaConnectionOptions } from '../../client/connection-options.ts';
import type { ConnectConfig, ConnectorPluginEntry } from '../api/index.ts';
import { buildRestServer } from '../rest/server.ts';
import { type ConfigStore, KafkaConfigStore, MemoryConfigStore } from './config-store.ts';
import { Herder } from './herder.ts';
import { GroupMembership, type Membership, SoloMembership } from './membership.ts';
import { ConnectMetrics } from './metrics.ts';
import { FileOffsetStore, KafkaOffsetStore, type OffsetStore } from './offset-store.ts';
import { Plugins } from './plugins.ts';
import { KafkaStatusStore, MemoryStatusStore, type StatusStore } from './status-store.ts';
import { type WorkerSettings, workerSettings } from './worker-config.ts';

export interface StartWorkerOptions {
  /** `host:port[,...]` of the brokers (else `connection`, else `bootstrap.servers`, else KAFKA_URL). */
  bootstrap?: string;
  connection?: KafkaConnectionOptions;
  /** Kafka Connect worker properties (`group.id`, `offset.flush.interval.ms`, ...). */
  properties?: Record<string, string>;
  /** Settings that win over the properties (`restPort: 0` for a free port). */
  settings?: Partial<WorkerSettings>;
  /** Standalone mode: connector configs to create at start. */
  connectors?: readonly ConnectConfig[];
  /** Connector plugins besides the built-in ones. */
  plugins?: readonly ConnectorPluginEntry[];
  logger?: Logger;
  /** Resolve before the first assignment (default: wait for it, up to 60 s). */
  noWait?: boolean;
}

export interface RunningWorker {
  /** `http://host:port` of the REST API. */
  readonly restUrl: string;
  readonly workerId: string;
  readonly settings: WorkerSettings;
  readonly herder: Herder;
  stop(): Promise<void>;
}

function resolveConnection(options: StartWorkerOptions): KafkaConnectionOptions {
  if (options.connection) return options.connection;
  const bootstrap = options.bootstrap ?? options.properties?.['bootstrap.servers'];
  return connectionOptions(bootstrap === undefined ? {} : { bootstrap }, process.env);
}

export async function startWorker(options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const connection = resolveConnection(options);
  const settings = workerSettings(options.properties ?? {}, connection, {
    ...options.settings,
    ...(options.plugins ? { plugins: options.plugins } : {}),
  });
  const logger =
    options.logger ??
    pino({ level: process.env.SAMSA_CONNECT_LOG_LEVEL ?? 'info', base: { service: 'samsa-connect' } });
  const plugins = new Plugins(settings.plugins ?? []);
  const clientId = `connect-${settings.groupId}`;
  const admin = createAdmin(connection, { clientId });
  const producer = createProducer(connection, { clientId: `${clientId}-producer` });
  const readers: ReturnType<typeof createConsumer>[] = [];
  const reader = (name: string) => {
    const c = createConsumer(connection, {
      clientId: `${clientId}-${name}`,
      groupId: `${settings.groupId}-${name}-reader`,
    });
    readers.push(c);
    return c;
  };

  let configs: ConfigStore;
  let offsets: OffsetStore;
  let statuses: StatusStore;
  if (settings.mode === 'standalone') {
    configs = new MemoryConfigStore();
    offsets = new FileOffsetStore(settings.offsetFile!);
    statuses = new MemoryStatusStore();
  } else {
    const base = { admin, producer, logger };
    configs = new KafkaConfigStore({
      ...base,
      topic: settings.configTopic,
      replicationFactor: settings.configReplicationFactor,
      consumer: reader('configs'),
    });
    offsets = new KafkaOffsetStore({
      ...base,
      topic: settings.offsetTopic,
      partitions: settings.offsetPartitions,
      replicationFactor: settings.offsetReplicationFactor,
      consumer: reader('offsets'),
    });
    statuses = new KafkaStatusStore({
      ...base,
      topic: settings.statusTopic,
      partitions: settings.statusPartitions,
      replicationFactor: settings.statusReplicationFactor,
      consumer: reader('status'),
    });
  }
  const metrics = new ConnectMetrics();
  const herder = new Herder({
    metrics,
    settings,
    plugins,
    configs,
    offsets,
    statuses,
    producer,
    admin,
    logger,
    async forwardTaskConfigs(leaderUrl, connector, taskConfigs) {
      // undici is imported when first needed: it is ~110 modules (~5 MB of an idle worker's RSS).
      const { request } = await import('undici');
      const response = await request(`${leaderUrl}/connectors/${encodeURIComponent(connector)}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-samsa-connect-forwarded': '1' },
        body: JSON.stringify(taskConfigs),
      });
      const text = await response.body.text();
      if (response.statusCode >= 300)
        throw new Error(`leader refused task configs (${response.statusCode}): ${text}`);
    },
  });
  let clusterId = '';
  metrics.watch(herder);
  const app = buildRestServer({ herder, plugins, clusterId: () => clusterId, metrics: metrics.registry });
  const closeAll = async (): Promise<void> => {
    await app.close().catch(() => {});
    await Promise.allSettled([admin.close(), producer.close(), ...readers.map((r) => r.close(true))]);
  };
  let url: string;
  let workerId: string;
  try {
    await app.listen({ host: settings.restHost, port: settings.restPort });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : settings.restPort;
    const host =
      settings.restHost === '0.0.0.0' || settings.restHost === '::' ? hostname() : settings.restHost;
    url = settings.advertisedUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    workerId = url.replace(/^https?:\/\//, '');
    herder.setIdentity(url, workerId);
    clusterId = (await admin.metadata({ topics: [] })).id;
    await Promise.all([configs.start(), offsets.start(), statuses.start()]);
  } catch (err) {
    await Promise.allSettled([configs.stop(), offsets.stop(), statuses.stop()]);
    await closeAll();
    throw err;
  }

  const membership: Membership =
    settings.mode === 'standalone'
      ? new SoloMembership(url, herder)
      : new GroupMembership({
          connection,
          admin,
          groupId: settings.groupId,
          url,
          sessionTimeoutMs: settings.sessionTimeoutMs,
          rebalanceTimeoutMs: settings.rebalanceTimeoutMs,
          heartbeatIntervalMs: settings.heartbeatIntervalMs,
          clientId,
          logger,
          hooks: herder,
        });
  herder.membership = membership;
  membership.start();

  for (const config of options.connectors ?? []) {
    const name = config.name;
    if (!name) throw new Error('a connector config has no "name"');
    await herder.putConnectorConfig(name, config, { createOnly: false });
  }

  if (!options.noWait) {
    const deadline = Date.now() + 60_000;
    while (herder.leaderUrl() === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
  logger.info({ url, groupId: settings.groupId, mode: settings.mode }, 'Connect worker started');

  let stopped: Promise<void> | null = null;
  const running: RunningWorker = {
    restUrl: url,
    workerId,
    settings,
    herder,
    stop() {
      stopped ??= (async () => {
        await herder.stop();
        await membership.stop();
        await Promise.allSettled([configs.stop(), offsets.stop(), statuses.stop()]);
        await closeAll();
      })();
      return stopped;
    },
  };
  return running;
}
