/**
 * The broker process: opens the data directory, builds the services and handler registry, listens
 * for Kafka clients, and shuts down gracefully (stop accepting, answer in-flight requests, flush
 * and close the logs).
 */
import type { Server, Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import type { AssignorName } from '../coordinator/consumer-group/assignors.ts';
import { ConsumerGroupCoordinator } from '../coordinator/consumer-group/consumer-groups.ts';
import { GroupCoordinator, realClock } from '../coordinator/index.ts';
import { LogManager } from '../log/index.ts';
import { LogThrottle } from '../log/log-throttle.ts';
import { type MetricsServer, serveMetrics } from '../metrics/http-server.ts';
import { Authorizer } from './auth/authorizer.ts';
import { CredentialStore } from './auth/credential-store.ts';
import { ALL_SASL_MECHANISMS, type SaslMechanism } from './auth/sasl-session.ts';
import { tenantMap } from './auth/tenants.ts';
import { loadOrCreateClusterId } from './cluster-id.ts';
import { type BrokerConfig, ConfigError } from './config.ts';
import { Connection } from './connection.ts';
import type { ListenerAddress } from './handler.ts';
import { HandlerRegistry } from './handler-registry.ts';
import { HANDLER_MODULES } from './handlers/index.ts';
import { InternalTopicStore } from './internal-topic-store.ts';
import { createListenerServer } from './listener-server.ts';
import { type ListenerSpec, parseListeners } from './listeners.ts';
import { BrokerLoggers } from './loggers.ts';
import { BrokerMetrics } from './metrics.ts';
import { OFFSETS_TOPIC, OFFSETS_TOPIC_CONFIGS, readStoredRecords } from './offsets-topic.ts';
import { QuotaManager } from './quotas/quota-manager.ts';
import { QuotaStore } from './quotas/quota-store.ts';
import { ResponseMemory, type ResponseMemoryStats } from './response-memory.ts';
import type { AdvertisedAddress, BrokerServices } from './services.ts';
import { TopicService } from './topics.ts';
import { openTransactions } from './transaction-topic.ts';

const SHUTDOWN_DRAIN_MS = 5000;

export interface BrokerOptions {
  logger?: Logger;
  /** Serve Prometheus metrics at http://host:port/metrics (port 0 = a free port); off when absent. */
  metrics?: { host?: string; port: number };
}

export class Broker {
  readonly config: BrokerConfig;
  readonly services: BrokerServices;
  /** Every listener with its bound address, in configuration order. */
  readonly listeners: ListenerAddress[] = [];
  private readonly servers: Server[] = [];
  private readonly connections = new Set<Connection>();
  private readonly perIp = new Map<string, number>();
  private stopping: Promise<void> | null = null;
  private metricsServer: MetricsServer | undefined;

  private constructor(config: BrokerConfig, services: BrokerServices) {
    this.config = config;
    this.services = services;
  }

  /** Opens storage and starts listening; resolves once connections are accepted. */
  static async start(config: BrokerConfig, opts: BrokerOptions = {}): Promise<Broker> {
    const logger = opts.logger ?? pino({ level: config.logLevel, base: { service: 'samsa' } });
    const specs = listenerSpecs(config);
    const saslMechanisms = saslMechanismList(config.saslEnabledMechanisms);
    const tenants = tenantMap(config.tenants);
    const logThrottle = new LogThrottle();
    const loggers = new BrokerLoggers(logger);
    // Opening the logs locks the data directory first: nothing is written there before that.
    const logs = await LogManager.open(config.dataDir, {
      logger: loggers.get('samsa.log'),
      throttle: logThrottle,
      defaults: {
        flushPolicy: config.fsync,
        flushMs: config.flushIntervalMs,
        segmentBytes: config.segmentBytes,
        retentionMs: config.retentionMs,
      },
    });
    const clusterId = loadOrCreateClusterId(config.dataDir, config.nodeId);
    logs.startBackgroundTasks({
      retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
      cleanerIntervalMs: config.logCleanerBackoffMs,
      initialTaskDelayMs: config.logInitialTaskDelayMs,
      producerIdExpirationMs: config.producerIdExpirationMs,
      producerIdExpirationCheckIntervalMs: config.producerIdExpirationCheckIntervalMs,
    });
    const handlers = new HandlerRegistry();
    for (const m of HANDLER_MODULES) handlers.registerModule(m);
    const advertised: AdvertisedAddress = {
      nodeId: config.nodeId,
      host: config.advertisedHost ?? config.host,
      port: config.port,
    };
    const topics = new TopicService(logs, config);
    if (!topics.get(OFFSETS_TOPIC)) await topics.create(OFFSETS_TOPIC, 1, OFFSETS_TOPIC_CONFIGS);
    const offsetsLog = topics.partition(OFFSETS_TOPIC, 0)!;
    const offsetsStore = new InternalTopicStore(offsetsLog, config.fsync);
    const groups = new GroupCoordinator({
      store: offsetsStore,
      clock: realClock,
      config: {
        groupInitialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
        groupMinSessionTimeoutMs: config.groupMinSessionTimeoutMs,
        offsetsRetentionMs: config.offsetsRetentionMs,
      },
      onError: (err) => {
        const kind = `group-coordinator:${(err as NodeJS.ErrnoException | undefined)?.code ?? 'error'}`;
        logThrottle.error(loggers.get('samsa.coordinator.group'), kind, { err }, 'group coordinator error');
      },
    });
    const stored = readStoredRecords(offsetsLog);
    groups.load(stored);
    logger.info({ records: stored.length }, 'group coordinator loaded');
    const consumerGroups = new ConsumerGroupCoordinator(
      {
        sessionTimeoutMs: config.groupConsumerSessionTimeoutMs,
        heartbeatIntervalMs: config.groupConsumerHeartbeatIntervalMs,
        assignors: config.groupConsumerAssignors as AssignorName[],
      },
      topics,
      Date.now,
      {
        append: (records) => offsetsStore.append(records),
        onError: (err) =>
          logThrottle.error(logger, 'consumer-groups:write', { err }, 'consumer group write failed'),
      },
    );
    consumerGroups.load(stored);
    const transactions = await openTransactions(
      config,
      topics,
      groups,
      loggers.get('samsa.coordinator.transaction'),
    );
    const credentials = new CredentialStore(config.dataDir);
    for (const entry of config.scramUsers) {
      const colon = entry.indexOf(':');
      credentials.setPassword(entry.slice(0, colon), entry.slice(colon + 1));
    }
    if (config.scramUsers.length > 0) credentials.save();
    const authorizer = new Authorizer(config.dataDir, {
      enabled: config.authorizer === 'acl',
      superUsers: config.superUsers,
      tenants,
    });
    const services: BrokerServices = {
      config,
      logger,
      loggers,
      handlers,
      logs,
      topics,
      groups,
      consumerGroups,
      transactions,
      clusterId,
      advertised,
      credentials,
      saslMechanisms,
      authorizer,
      quotas: new QuotaManager(new QuotaStore(config.dataDir), {
        numWindows: config.quotaWindowNum,
        windowMs: config.quotaWindowSizeSeconds * 1000,
      }),
      logThrottle,
      responseMemory: new ResponseMemory(
        config.queuedMaxResponseBytes,
        config.queuedMaxResponseBytesPerConnection,
      ),
    };
    const broker = new Broker(config, services);
    if (opts.metrics) {
      services.metrics = new BrokerMetrics({
        services,
        connectionListeners: () => broker.connectionListeners(),
      });
    }
    try {
      for (const spec of specs) await broker.listen(spec);
      if (opts.metrics && services.metrics) {
        const host = opts.metrics.host ?? config.host;
        try {
          broker.metricsServer = await serveMetrics(services.metrics.registry, host, opts.metrics.port);
        } catch (err) {
          // Like the other services: a taken port is a warning, the broker runs without metrics.
          logger.warn(
            { err: (err as Error).message, port: opts.metrics.port },
            'metrics endpoint could not start; running without metrics',
          );
          services.metrics = undefined;
        }
      }
    } catch (err) {
      await broker.stop();
      throw err;
    }
    const first = broker.listeners[0]!;
    advertised.host = first.host;
    advertised.port = first.port;
    logger.info(
      {
        listeners: broker.listeners.map((l) => `${l.protocol}://${l.host}:${l.port}`),
        dataDir: config.dataDir,
        clusterId,
      },
      'broker started',
    );
    return broker;
  }

  private async listen(spec: ListenerSpec): Promise<void> {
    const address = {
      protocol: spec.protocol,
      host: this.config.advertisedHost ?? spec.host,
      port: spec.port,
    };
    const server = createListenerServer(spec, this.config, address, (socket, listener, principal) =>
      this.accept(socket, listener, principal),
    );
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(spec.port, spec.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address();
    if (bound && typeof bound === 'object') address.port = bound.port;
    this.listeners.push(address);
  }

  /** host:port clients connect to. */
  get bootstrap(): string {
    return `${this.services.advertised.host}:${this.services.advertised.port}`;
  }

  get port(): number {
    return this.services.advertised.port;
  }

  /** `http://host:port/metrics` when metrics are on. */
  get metricsUrl(): string | undefined {
    return this.metricsServer?.url;
  }

  private *connectionListeners(): Iterable<ListenerAddress> {
    for (const c of this.connections) yield c.info.listener;
  }

  private accept(socket: Socket, listener: ListenerAddress, principal?: string): void {
    const ip = socket.remoteAddress ?? '';
    const fromIp = this.perIp.get(ip) ?? 0;
    if (
      this.stopping ||
      this.connections.size >= this.config.maxConnections ||
      fromIp >= this.config.maxConnectionsPerIp
    ) {
      if (!this.stopping)
        this.services.logger.warn(
          { ip, open: this.connections.size, fromIp },
          'connection limit reached; refusing',
        );
      socket.destroy();
      return;
    }
    if (!this.services.quotas.acceptConnection(ip)) {
      this.services.logThrottle.warn(
        this.services.logger,
        'quota:connection-creation-rate',
        { ip },
        'connection_creation_rate quota exceeded; closing the new connection',
      );
      socket.destroy();
      return;
    }
    this.perIp.set(ip, fromIp + 1);
    const conn = new Connection(socket, this.services, listener, principal);
    this.connections.add(conn);
    socket.on('close', () => {
      this.connections.delete(conn);
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    });
  }

  /** Open client connections (for tests and metrics). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Memory held for responses not yet handed to the kernel (tests, metrics, soak runs). */
  get responseMemory(): ResponseMemoryStats {
    return this.services.responseMemory.stats;
  }

  /** Drops every client connection from the broker side (tests use it to cut connections mid-stream). */
  dropConnections(): void {
    for (const c of this.connections) c.close();
  }

  /** Graceful stop: no new connections, in-flight requests answered, logs flushed and closed. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const closed = Promise.all([
      ...this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      this.metricsServer?.stop(),
    ]);
    const drained = Promise.all([...this.connections].map((c) => c.drain()));
    await Promise.race([drained, new Promise((r) => setTimeout(r, SHUTDOWN_DRAIN_MS).unref())]);
    for (const c of this.connections) c.close();
    await closed;
    this.services.groups.shutdown();
    this.services.consumerGroups.shutdown();
    this.services.transactions.shutdown();
    this.services.logThrottle.flush();
    try {
      await this.services.logs.close();
    } catch (err) {
      const failures = err instanceof AggregateError ? err.errors : [err];
      this.services.logger.error(
        { failures: failures.map((e) => (e as Error).message) },
        'broker stopped with errors: some indexes or snapshots were not written (the log data is kept; they are rebuilt on the next start)',
      );
      throw err;
    }
    this.services.logger.info('broker stopped');
  }
}

function listenerSpecs(config: BrokerConfig): ListenerSpec[] {
  if (config.listeners.trim() === '')
    return [{ protocol: 'PLAINTEXT', host: config.host, port: config.port }];
  try {
    return parseListeners(config.listeners);
  } catch (err) {
    throw new ConfigError(`listeners: ${(err as Error).message}`);
  }
}

function saslMechanismList(text: string): SaslMechanism[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const n of names) {
    if (!ALL_SASL_MECHANISMS.includes(n as SaslMechanism))
      throw new ConfigError(
        `sasl-enabled-mechanisms: unknown mechanism "${n}" (use ${ALL_SASL_MECHANISMS.join(', ')})`,
      );
  }
  return names as SaslMechanism[];
}
